// Package imapd is mailnet's IMAP server: the go-imap/v2 imapserver session
// backend over storage, for IMAP4rev1 and IMAP4rev2 clients such as
// Thunderbird.
//
// Each connection gets a session; a selected mailbox is shared between the
// sessions that selected it through a liveMailbox (UID list plus go-imap's
// MailboxTracker), kept exact by storage change events, so IDLE and NOOP
// report new mail, expunges and flag changes from every other session and
// from SMTP delivery promptly.
//
// Authentication is only possible over TLS (STARTTLS on the plain
// listener, or implicit TLS): before TLS the server advertises
// LOGINDISABLED. Replies are *imap.Error values built in errors.go.
package imapd
