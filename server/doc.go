// Package server wires mailnet together: it opens the listeners named in
// the configuration, builds the TLS configuration (the operator's
// certificate, or a self-signed one kept in the data directory), and runs
// the SMTP (MX and submission), IMAP and control-socket servers over one
// storage, stopping them in order on Shutdown.
//
// Protocol logic lives in the subpackages smtpd and imapd; this package
// holds no protocol or storage logic of its own.
package server
