// Package stats computes the managers' statistics from the server's own
// records: per team and per counsellor over a period, how many client
// messages arrived, how many were answered within or after the commitment,
// what is unanswered or overdue now, how many notices were sent, and how
// long answers took in business hours. It does no I/O: callers load the
// records and pass them in an [Input]; [Compute] returns a [Report].
//
// # Sources and what is counted
//
// The unit of the answer commitment is the conversation
// (storage.Conversation): it opens with a client message, and its clock
// stops at the first answer. Figures about answers come from
// conversations; volume figures (received, sent, volume per day) come from
// [Message]s, one per message: [FromArchive] takes them from the archive
// (every client message, follow-ups included, and every message sent to a
// client), which is what the dashboard and `mailnet stats` use.
// [FromConversations] derives them from conversations alone (one inbound
// message at each opening, one outbound at each answer), for records
// without an archive.
//
// Definitions, for a period [From, To) and the instant Now:
//
//   - Received: client messages in the period. Sent: messages to clients
//     (answers and others) in the period.
//   - Answered: conversations whose answer falls in the period; in time
//     when the answer came before the due time, late otherwise (a
//     conversation is overdue at its due time, as storage.Conversation.Overdue).
//   - Response time: counted (business) time from the opening to the
//     answer, by the SLA calendar, for the conversations answered in the
//     period; median and 90th percentile by linear interpolation between
//     the nearest ranks (the usual median for an even count).
//   - Unanswered now and overdue now: conversations open at Now, whatever
//     the period; overdue when Now is at or after their due time.
//   - Notices: notices before expiry queued in the period.
//   - Volume per day: received and sent per calendar day of the period, in
//     the calendar's time zone.
//
// A conversation counts for its personal counsellor when it opened (not
// for whoever answered: a substitute's answer counts for the absent
// counsellor), and for that counsellor's team in the caseload given.
// A client writing again after an answer makes a new request, a new
// conversation in storage: every request keeps its own clock and answer.
//
// # Low volume
//
// The practice asks to identify counsellors who receive far fewer messages
// than others. A counsellor is flagged [CounsellorFigures.LowVolume] when
// their team has at least two counsellors, the median of the team's
// counsellors' Received is above zero, and their own Received is below
// Input.LowVolumePercent percent (default 50) of that median. Every
// counsellor of the team in the caseload takes part, those who received
// nothing included.
package stats
