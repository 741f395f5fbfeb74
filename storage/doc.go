// Package storage keeps everything mailnet must not lose: accounts,
// mailboxes, message entries with their flags, content-addressed message
// bodies with their precomputed IMAP summaries, and the outbound queue.
//
// It also keeps the caseload (teams, counsellors, clients, absences, case
// links and the log of their changes), the sender verdicts of incoming
// mail, and the outbound queue's per-recipient state.
//
// Two append-only hash chains share one helper (chain.go): the archive,
// where every message accepted or made by the server gets an entry in the
// transaction that stores it (with a reference on its body, and an index
// per client that the IMAP Cases/ views read), and the audit log of reads
// of other people's mail. See docs/archive.md and docs/storage.md.
//
// The embedded engine is bbolt, one file in the data directory, and this is
// the only package that imports it. Callers see domain methods (Deliver,
// Mailboxes, StoreFlags, …) and plain Go values; no bbolt transaction or
// memory-mapped slice ever leaves the package.
//
// # Durability
//
// Every write goes through one committer goroutine that gathers the writes
// waiting at that moment into a single bbolt transaction (group commit), so
// concurrent deliveries share one fsync instead of paying one each. A write
// method returns only after its transaction is durably on disk; that is what
// lets the SMTP server answer 250 and the IMAP server OK. A write whose own
// function fails is taken out of the group and the rest are committed
// without it, so one bad message never costs another its commit.
//
// # Layout
//
// Bodies are stored once per content (SHA-256), however many mailboxes hold
// them, next to a reference count and the encoded message.Summary that lets
// IMAP list and search without re-parsing. Mailbox entries are small binary
// records keyed by UID. UIDs come from each mailbox's UIDNEXT and are never
// reused; UIDVALIDITY values come from a database-wide counter, so a
// mailbox deleted and created again never repeats one.
//
// # Caveats
//
// Only one process can open the file: bbolt locks it. Tools that must work
// while the server runs talk to the server's control socket instead.
// Change events (Watch) are delivered synchronously by the committer after
// each commit: listeners must not block.
package storage
