// Package queue delivers the outbound queue kept by storage to remote MX
// hosts, retries what is deferred, and reports what fails to the sender
// with a delivery status notification.
//
// A Worker's Run loop scans the queue, delivers each due entry (NextAttempt
// not after Config.Now) in its own goroutine, at most Config.Concurrency at
// once, and sleeps until the next entry is due, a Kick, a Deps.Wake or the
// end of a delivery. DeliverNow makes one round for one entry at once.
// The same entry is never delivered by two goroutines at a time.
//
// # A delivery round
//
// The entry's pending recipients are grouped by domain. For each domain
// (RFC 5321 §5.1): the MX records, by preference, equal preferences in
// random order; without MX records, the domain itself if it has an address
// (the implicit MX). A domain that does not exist fails with 5.1.2, a null
// MX (RFC 7505) with 5.1.10, an MX list naming Config.Hostname first with
// 5.4.6 (our own name and the hosts after it are dropped); a DNS error
// defers. Addresses are looked up with Deps.Resolver, and connections go to
// IP addresses, so all DNS goes through the one injected resolver.
//
// Hosts are tried in order until one answers about the recipients. A host
// that cannot be reached, whose greeting or EHLO is refused, or that says
// 421 gives no answer: the next host is tried. Otherwise the host runs one
// transaction with all the domain's recipients: MAIL FROM (with SIZE when
// advertised; a message over the advertised limit is not sent and fails
// with 5.3.4), one RCPT per recipient, DATA with the stored message
// unchanged (it was DKIM-signed at submission). Per recipient, 2xx means
// delivered, 4xx deferred, 5xx failed; a reply to MAIL or DATA applies to
// all the recipients concerned.
//
// # TLS
//
// STARTTLS is used whenever offered (RFC 3207), whatever the certificate:
// TLS is opportunistic (RFC 7435). The certificate is verified against the
// MX host name with Config.TLSConfig's roots, during the one handshake
// (VerifyConnection), and each attempt records "tls-verified", "tls"
// (encrypted, not verified) or "none". If STARTTLS fails (refused, broken
// handshake), the host is tried again at once without TLS.
//
// go-smtp v0.25.1 has no way to start TLS on a client it did not make
// itself with NewClientStartTLS, which says "EHLO localhost" first; strict
// servers refuse that. So the worker sends STARTTLS on the raw connection
// after go-smtp's EHLO, refuses a server that sends bytes after its 220
// (the STARTTLS injection attack), and hands the TLS connection to a new
// go-smtp client, replaying a greeting for it: the session restarts after
// STARTTLS (RFC 3207 §4.2), so nothing learnt in the clear is kept.
//
// # Results, retries, expiry
//
// Each host's answers are saved with UpdateQueue as soon as the host has
// answered, with one storage.Attempt in the entry's history per host tried
// (or per failed DNS lookup, Host being the domain). Saved replies are the
// remote's ("550 5.1.1 text") or our own finding ("5.1.2 text").
//
// When no recipient is pending, FinishQueue removes the entry and, in the
// same transaction, delivers the DSN for the failed ones. Otherwise
// Attempts grows by one and NextAttempt becomes now + Retry[Attempts-1],
// the last value repeating. A round that ends after Config.MaxAge since the
// entry was queued fails its pending recipients with 4.4.7 (delivery time
// expired, with their last reply) and finishes.
//
// # DSN
//
// The notification (RFC 3464, in a multipart/report of RFC 6522) has an
// explanation in French and English, the message/delivery-status with one
// group per failed recipient (Status, and Remote-MTA and Diagnostic-Code
// when a remote server gave the reason), and the original's header
// section as text/rfc822-headers. It comes From "Mail Delivery System
// <MAILER-DAEMON@Hostname>" with Auto-Submitted: auto-replied (RFC 3834),
// and is delivered straight into the sender's INBOX, never sent over the
// network. There is no DSN for a null sender (never bounce a bounce) nor
// for a sender that is not a local account; both are logged.
//
// # Crash safety
//
// The guarantee: a queued message is never lost, and it is sent twice to a
// host that accepted it only if the process dies in the moment between
// that host's 250 reply to the end of data and our commit of it.
//
//   - The entry and its body stay in storage until FinishQueue, which
//     removes them and delivers the DSN in one transaction: a crash leaves
//     either the entry (retried, and its DSN built again from the saved
//     state) or the DSN, never neither, never two DSNs.
//   - A recipient accepted by a remote host is saved as delivered, durably
//     (UpdateQueue returns after the fsync), right after the host's 250 to
//     DATA, before any other work; later rounds never send to it again.
//     Saving does not stop for shutdown: the host's answers are facts.
//   - A crash between that 250 and the commit (a few milliseconds) leaves
//     the recipient pending, and it is sent again at the next round: the
//     delivery is at least once, as with every SMTP MTA. RFC 1047 explains
//     why no protocol step can make it exactly once; the same holds when
//     the connection breaks after our final dot and before the reply.
//   - A stop (ctx cancelled) cuts open connections; what hosts answered is
//     saved, the interrupted rest is not, and the entry stays due.
//   - On start, nothing is special: entries whose NextAttempt has passed
//     are due.
//
// # Logging
//
// Events carry queue_id, and domain, host, tls and result where they
// apply. Message content is never logged; addresses are.
//
// # Caveats
//
//   - No "delayed" DSNs (Action: delayed): the sender hears only of final
//     failures.
//   - No MTA-STS (RFC 8461) or DANE (RFC 7672): TLS is never required.
//   - Domains of one entry are delivered one after the other; parallelism
//     is across entries. PIPELINING and CHUNKING are not used.
//   - A 5xx greeting or EHLO leaves recipients pending (the next host, or
//     the next round, may accept); they bounce at MaxAge.
//   - Go's resolver reports a name without MX records like a name that
//     does not exist; the address lookup of the implicit MX tells them
//     apart, so a domain that exists with neither MX nor address also
//     fails with 5.1.2.
//   - Non-ASCII addresses are sent only to servers offering SMTPUTF8 (else
//     5.6.7), and written as they are in the DSN's rfc822 fields rather
//     than as RFC 6533 utf-8 addresses.
//   - The message goes as stored, 8-bit or not, even to a server that does
//     not offer 8BITMIME (RFC 6152): converting it would break its DKIM
//     signature, and servers without 8BITMIME are rare.
//   - A message over one host's SIZE limit fails without trying the other
//     hosts of the domain.
//   - Run reads the whole queue at each scan (after each delivery, Kick,
//     Wake, or at most a minute apart): fine for an agency's queue of
//     hundreds of entries, not for millions.
//   - When a round fails on our side (storage error), Run leaves the entry
//     alone for Retry[0] rather than hammering the store.
//   - Dropping an entry (FinishQueue from elsewhere) during its delivery
//     cannot recall what is already on the wire; the round then ends with
//     storage.ErrNotFound.
package queue
