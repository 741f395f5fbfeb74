package stats

import (
	"time"

	"mailnet/routing/sla"
	"mailnet/storage"
)

// Period is the half-open interval [From, To).
type Period struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// Contains reports whether t is in the period.
func (p Period) Contains(t time.Time) bool {
	return !t.IsZero() && !t.Before(p.From) && t.Before(p.To)
}

// Conversation is a client's request and its answer clock, as the
// statistics see it.
type Conversation struct {
	ID         uint64    `json:"id"`
	Client     string    `json:"client"`
	Counsellor string    `json:"counsellor"`
	Subject    string    `json:"subject,omitempty"`
	Opened     time.Time `json:"opened"`
	Due        time.Time `json:"due"`
	// AnsweredAt is zero while the conversation is open.
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	AnsweredBy string    `json:"answered_by,omitempty"`
	// WarnedAt is when the notice before expiry was queued, or zero.
	WarnedAt time.Time `json:"warned_at,omitzero"`
	// Messages counts the client's messages in the conversation.
	Messages int `json:"messages"`
}

// Answered reports whether the conversation has its answer.
func (c Conversation) Answered() bool { return !c.AnsweredAt.IsZero() }

// Overdue reports whether c is still open at now, past its due time.
func (c Conversation) Overdue(now time.Time) bool {
	return !c.Answered() && !now.Before(c.Due)
}

// FromStorage converts stored conversations.
func FromStorage(cs []storage.Conversation) []Conversation {
	out := make([]Conversation, 0, len(cs))
	for _, c := range cs {
		v := Conversation{ID: c.ID, Client: c.Client, Counsellor: c.Counsellor, Subject: c.Subject,
			Opened: c.Opened, Due: c.Due, WarnedAt: c.WarnedAt, Messages: c.Messages}
		if c.State == storage.ConversationAnswered {
			v.AnsweredAt, v.AnsweredBy = c.AnsweredAt, c.AnsweredBy
		}
		out = append(out, v)
	}
	return out
}

// Direction tells a client's message from a counsellor's.
type Direction string

// The directions of a Message, as the archive names them.
const (
	In  Direction = "in"  // from a client to the service
	Out Direction = "out" // from a counsellor to a client
)

// Message is one message between a client and a counsellor: the unit of
// the volume counts. Archive entries map onto it one to one.
type Message struct {
	Time      time.Time
	Direction Direction
	Client    string
	// Counsellor is the client's personal counsellor the message counts
	// for.
	Counsellor string
}

// FromConversations returns the messages that conversations record with
// their time: each opening (inbound) and each answer (outbound).
func FromConversations(cs []Conversation) []Message {
	out := make([]Message, 0, 2*len(cs))
	for _, c := range cs {
		out = append(out, Message{Time: c.Opened, Direction: In, Client: c.Client, Counsellor: c.Counsellor})
		if c.Answered() {
			out = append(out, Message{Time: c.AnsweredAt, Direction: Out, Client: c.Client, Counsellor: c.Counsellor})
		}
	}
	return out
}

// FromArchive returns the messages between clients and counsellors among
// archive entries: "in" (a client's message) and "out" (a counsellor's
// message to a client) with a known client. Acknowledgements, notices,
// internal mail, bounces and tombstones are not counted.
func FromArchive(entries []storage.ArchiveEntry) []Message {
	out := make([]Message, 0, len(entries))
	for _, e := range entries {
		if e.Client == "" {
			continue
		}
		switch e.Direction {
		case storage.DirectionIn:
			out = append(out, Message{Time: e.Time, Direction: In, Client: e.Client, Counsellor: e.Counsellor})
		case storage.DirectionOut:
			out = append(out, Message{Time: e.Time, Direction: Out, Client: e.Client, Counsellor: e.Counsellor})
		}
	}
	return out
}

// DefaultLowVolumePercent is the low-volume threshold when
// Input.LowVolumePercent is zero.
const DefaultLowVolumePercent = 50

// Input is everything Compute needs. Scope is the caller's business: pass
// only the conversations, messages and counsellors the reader may see.
type Input struct {
	Period Period
	// Now is the instant of the "now" figures.
	Now time.Time
	// Calendar counts business time and gives the days' time zone; it
	// must not be nil.
	Calendar *sla.Calendar
	// Teams maps each counsellor's lower-cased address to their team ID.
	// Every counsellor in it is reported, even with no mail; counsellors
	// found only in the records are reported under team "".
	Teams map[string]string
	// Conversations are the records of answers and clocks.
	Conversations []Conversation
	// Messages, when not nil, are the volume counts' source; nil means
	// FromConversations(Conversations).
	Messages []Message
	// LowVolumePercent is the low-volume threshold in percent of the
	// team's median; zero means DefaultLowVolumePercent.
	LowVolumePercent int
}
