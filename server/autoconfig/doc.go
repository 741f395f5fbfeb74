// Package autoconfig serves the automatic set-up of mail clients in
// Thunderbird's format (clientConfig version 1.1), so that a counsellor
// types only an address and a password.
//
// Thunderbird asks, for an address user@domain, first
// https://autoconfig.<domain>/mail/config-v1.1.xml?emailaddress=user@domain
// and then https://<domain>/.well-known/autoconfig/mail/config-v1.1.xml;
// the web server mounts the Handler at both paths. The answer names the
// public host and ports of IMAP and submission (conf [public]), implicit
// TLS first as RFC 8314 §3 recommends, with the whole address as user
// name and the password sent in the clear inside TLS.
//
// Caveats: the domain comes from the emailaddress parameter, else from the
// Host header (with or without "autoconfig."); a domain that is not one of
// ours gets 404 Not Found, so the handler never tells a client to send
// another domain's passwords here. The answer does not depend on the
// user, so it reveals nothing about accounts.
package autoconfig
