// Package smtpd runs mailnet's SMTP servers on go-smtp: the MX (port 25),
// which accepts mail for local recipients only, and submission (587 with
// STARTTLS, 465 with implicit TLS), which accepts mail from authenticated
// users for anyone.
//
// A Server serves one Mode; run one per port. Routing decisions come from
// a Router, logins from an Authenticator, and every accepted message is
// stored with one Store.Deliver call covering all its local mailboxes and,
// on submission, the outbound queue entry for its remote recipients. The
// 250 reply, which quotes our message ID, is sent only after Deliver has
// returned, that is after the transaction is durably committed.
//
// # Replies
//
// Session methods return nil or a reply made by smtpError (smtperr.go),
// the one place where errors become *smtp.SMTPError values: go-smtp
// v0.25.1 does not unwrap errors and would send any other error's text to
// the client. Errors without a fixed reply get "451 4.3.0 Temporary
// failure" with the connection ID as reference; the cause is logged only.
// The one exception is Data's success value, a 250 *smtp.SMTPError, since
// that is how go-smtp lets a backend choose the text of its 250 reply.
//
// # What is added to messages
//
// Every message gets a Received field (RFC 5321 §4.4). On submission, a
// message without Date or Message-ID gets them (RFC 6409 §8.3, §8.4).
// Line endings are normalised to CRLF (bare CR and bare LF become CRLF),
// on DATA and BDAT alike, which defeats SMTP smuggling: see crlfWriter.
//
// # Limits
//
// SIZE is advertised and enforced by go-smtp on the wire (MAIL SIZE=,
// DATA, BDAT) and again here after normalisation. Recipients are counted
// here (452 4.5.3). Each command line and reply has CommandTimeout; while
// message content arrives, each read has DataTimeout. Connections beyond
// the per-network limit (Deps.Limiter, shared with the server's IMAP
// listeners; or Config.MaxConnectionsPerIP) from one IPv4 address or IPv6
// /64 are refused at accept time with 421 4.7.0.
//
// # Caveats
//
// go-smtp does not report whether the client said EHLO or HELO, so the
// Received field always says ESMTP. Without a resolver in Deps, it records
// the client's address literal and no reverse-DNS name. go-smtp's DATA
// reader does not recognise a CRLF that follows a bare CR ("\r\r\n") as a
// line end, so a "." line right after it does not end the data; a client
// doing that waits for a timeout rather than smuggling anything.
//
// go-smtp copies a BDAT chunk with io.Copy from an io.LimitReader, so a
// connection that ends inside a chunk looks like a complete chunk. Data
// refuses the message when the TCP stream has ended (trackedConn.eof), but
// a TLS close_notify inside the chunk is not visible outside go-smtp: such
// a message would be stored truncated (without a 250 reply, so the client
// retries). The fix belongs in go-smtp (check the copied length).
package smtpd
