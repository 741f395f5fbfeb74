package storage

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Conversation buckets, created by the first write that needs them (read
// methods treat a missing bucket as empty).
var (
	bucketConversations = []byte("conversations") // conversation id (8 bytes) → Conversation JSON
	bucketConvMsgIDs    = []byte("conv_msgids")   // Message-ID without <> → conversation id
	bucketConvOpen      = []byte("conv_open")     // client id → id of its open conversation
	keyConversationSeq  = []byte("conversation_seq")
)

// States of a Conversation.
const (
	ConversationOpen     = "open"
	ConversationAnswered = "answered"
)

// Conversation is a client's request and the clock of the answer owed to
// it: it opens with the client's first message and ends with a
// counsellor's answer. A client has at most one open conversation.
type Conversation struct {
	// ID is assigned when the conversation opens and never reused.
	ID uint64 `json:"id"`
	// Client is the client's ID.
	Client string `json:"client"`
	// Counsellor is the client's personal counsellor when it opened.
	Counsellor string `json:"counsellor"`
	// Subject is the subject of the opening message.
	Subject string `json:"subject,omitempty"`
	// Opened is when the clock started: the delivery of the opening
	// message. Due and NoticeAt were computed from it by the caller.
	Opened   time.Time `json:"opened"`
	Due      time.Time `json:"due"`
	NoticeAt time.Time `json:"notice_at"`
	// State is ConversationOpen or ConversationAnswered.
	State string `json:"state"`
	// AnsweredAt and AnsweredBy (an account address) are set by the
	// answer.
	AnsweredAt time.Time `json:"answered_at,omitzero"`
	AnsweredBy string    `json:"answered_by,omitempty"`
	// LastClientMessage is when the latest client message arrived.
	LastClientMessage time.Time `json:"last_client_message"`
	// Messages counts the client's messages in the conversation.
	Messages int `json:"messages"`
	// LastAck is when the latest acknowledgement of receipt was queued,
	// zero before the first; a new request in an answered thread starts
	// with the thread's.
	LastAck time.Time `json:"last_ack,omitzero"`
	// WarnedAt is when the notice before expiry was queued (see
	// DB.WarnConversation), zero before; NextContact is the new contact
	// that notice offered.
	WarnedAt    time.Time `json:"warned_at,omitzero"`
	NextContact time.Time `json:"next_contact,omitzero"`
}

// AckInterval is the least time between two acknowledgements of receipt
// of one conversation.
const AckInterval = 24 * time.Hour

// Acknowledgement is an acknowledgement of receipt of a client message,
// ready to send: the delivery that carries it queues it when the
// conversation is new or was last acknowledged more than AckInterval
// before (see ConversationEvent.Ack).
type Acknowledgement struct {
	// Raw is the complete message, CRLF line endings, signed if it is
	// to be.
	Raw []byte
	// From is the envelope sender; To the single envelope recipient.
	From, To string
}

// Overdue reports whether c is still unanswered at at, past its due time.
func (c Conversation) Overdue(at time.Time) bool {
	return c.State == ConversationOpen && !at.Before(c.Due)
}

// ConversationEvent is a message that changes a conversation, applied by
// Deliver in the transaction that stores the message (see
// Incoming.Conversation).
//
// A client message (Answer false) joins the open conversation that one of
// Refs belongs to, else the client's open conversation, else opens a new
// one whose clock starts at At with the given Due and NoticeAt. Joining
// never restarts a running clock. A client message after an answer, even
// in the answered thread, is a new request: it opens a new conversation,
// so each request keeps its own clock and answer for the record and the
// statistics; the new conversation inherits the thread's last
// acknowledgement time, so acknowledgements stay one a day.
//
// An answer (Answer true) closes the open conversation that one of Refs
// belongs to, else the client's open conversation (a client has at most
// one); with neither it changes nothing.
type ConversationEvent struct {
	// Answer tells a counsellor's answer from a client message.
	Answer bool
	// Client is the client's ID; it is required.
	Client string
	// Counsellor is the client's personal counsellor (client messages).
	Counsellor string
	Subject    string
	// MessageID is the message's Message-ID without angle brackets; ""
	// when it has none.
	MessageID string
	// Refs are the In-Reply-To and References message IDs, without
	// angle brackets.
	Refs []string
	// At is the delivery time; Due and NoticeAt are the deadlines of a
	// clock started at At (client messages).
	At, Due, NoticeAt time.Time
	// By is the answering account's address (answers).
	By string
	// Ack, if set on a client message, is queued in the same transaction
	// when the conversation is new or its LastAck is more than
	// AckInterval before At; LastAck then becomes At. So a conversation
	// gets at most one acknowledgement a day, whatever the concurrency.
	Ack *Acknowledgement
}

// preparedAck is an Acknowledgement with what storing it needs, computed
// before the transaction (see prepare).
type preparedAck struct {
	Acknowledgement
	summary []byte
	hash    Hash
}

// applyConversation applies ev inside a delivery's transaction, at now.
// ack is ev.Ack prepared, or nil. It returns the queue entry of the
// acknowledgement it queued, or 0.
func applyConversation(w *writeTx, ev ConversationEvent, ack *preparedAck, now time.Time) (uint64, error) {
	if ev.Client == "" {
		return 0, fmt.Errorf("conversation event: %w: no client", ErrInvalidCaseload)
	}
	if ev.Ack != nil && (ack == nil || ack.To == "") {
		return 0, fmt.Errorf("conversation event: %w: acknowledgement without recipient", ErrMalformed)
	}
	c, err := joinConversation(w, ev)
	if err != nil || c == nil {
		return 0, err
	}
	var queued uint64
	if ev.Ack != nil && (c.LastAck.IsZero() || ev.At.Sub(c.LastAck) > AckInterval) {
		queued, err = enqueue(w, Outbound{From: ack.From, To: []string{ack.To}}, ack.hash, ack.Raw, ack.summary, now)
		if err != nil {
			return 0, err
		}
		if err := archiveAck(w, DirectionAck, ack, ev.Client, ev.Counsellor, now); err != nil {
			return 0, err
		}
		c.LastAck = ev.At
	}
	convs := w.tx.Bucket(bucketConversations)
	return queued, putConversation(convs, w.tx.Bucket(bucketConvMsgIDs), *c, ev.MessageID)
}

// joinConversation applies ev but for the saving of the client's
// conversation: it returns that conversation to save, and whether it is
// new, or nil when ev is an answer (saved already).
func joinConversation(w *writeTx, ev ConversationEvent) (*Conversation, error) {
	convs, err := wBucket(w, bucketConversations)
	if err != nil {
		return nil, err
	}
	msgIDs, err := wBucket(w, bucketConvMsgIDs)
	if err != nil {
		return nil, err
	}
	open, err := wBucket(w, bucketConvOpen)
	if err != nil {
		return nil, err
	}
	byRef, err := findByRefs(convs, msgIDs, ev)
	if err != nil {
		return nil, err
	}
	var current *Conversation
	if id := open.Get([]byte(ev.Client)); id != nil {
		var c Conversation
		if err := getJSON(convs, id, &c); err != nil {
			return nil, fmt.Errorf("open conversation of %s: %w", ev.Client, err)
		}
		current = &c
	}
	if ev.Answer {
		return nil, answer(convs, msgIDs, open, ev, either(openOnly(byRef), current, byRef))
	}
	c := either(openOnly(byRef), current)
	if c == nil {
		id, err := nextSeq(w.tx, keyConversationSeq)
		if err != nil {
			return nil, err
		}
		c = &Conversation{ID: id, Client: ev.Client, Counsellor: ev.Counsellor, Subject: ev.Subject,
			State: ConversationOpen, Opened: ev.At, Due: ev.Due, NoticeAt: ev.NoticeAt}
		if byRef != nil { // a new request in an answered thread
			c.LastAck = byRef.LastAck
			if c.Subject == "" {
				c.Subject = byRef.Subject
			}
		}
	}
	c.LastClientMessage = ev.At
	c.Messages++
	if err := open.Put([]byte(ev.Client), u64(c.ID)); err != nil {
		return nil, err
	}
	return c, nil
}

// answer closes c, if any, with ev.
func answer(convs, msgIDs, open *bolt.Bucket, ev ConversationEvent, c *Conversation) error {
	if c == nil {
		return nil
	}
	if c.State == ConversationOpen {
		c.State, c.AnsweredAt, c.AnsweredBy = ConversationAnswered, ev.At, ev.By
		if err := open.Delete([]byte(c.Client)); err != nil {
			return err
		}
	}
	return putConversation(convs, msgIDs, *c, ev.MessageID)
}

// findByRefs returns the first conversation of ev.Client that one of
// ev.Refs belongs to, or nil.
func findByRefs(convs, msgIDs *bolt.Bucket, ev ConversationEvent) (*Conversation, error) {
	for _, ref := range ev.Refs {
		id := msgIDs.Get([]byte(ref))
		if ref == "" || id == nil {
			continue
		}
		var c Conversation
		if err := getJSON(convs, id, &c); err != nil {
			return nil, fmt.Errorf("conversation of %q: %w", ref, err)
		}
		if c.Client == ev.Client {
			return &c, nil
		}
	}
	return nil, nil
}

// putConversation stores c and indexes msgID (if any) as one of its
// messages.
func putConversation(convs, msgIDs *bolt.Bucket, c Conversation, msgID string) error {
	if msgID != "" {
		if err := msgIDs.Put([]byte(msgID), u64(c.ID)); err != nil {
			return err
		}
	}
	return putJSON(convs, u64(c.ID), c)
}

// either returns the first of its arguments that is not nil.
func either(cs ...*Conversation) *Conversation {
	for _, c := range cs {
		if c != nil {
			return c
		}
	}
	return nil
}

// openOnly returns c if it is open, else nil.
func openOnly(c *Conversation) *Conversation {
	if c != nil && c.State == ConversationOpen {
		return c
	}
	return nil
}
