// Package slawatch sends the notice before expiry of the answer
// commitment: when a conversation is still unanswered at its notice time,
// the client gets a notice from the personal counsellor's address, with a
// new contact as an iCalendar invitation, and the team's managers get an
// alert in their INBOX. Storage records each notice in the transaction
// that queues it, so a notice is sent once and only once, across crashes
// and restarts.
package slawatch
