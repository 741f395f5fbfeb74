package storage

import (
	"context"
	"crypto/sha256"
	"fmt"
	"time"

	"mailnet/message"
)

// Delivery is one mailbox that receives a message.
type Delivery struct {
	// Account is the receiving account's ID.
	Account uint64
	// Mailbox is the mailbox name; it is created if missing.
	Mailbox string
	// Flags are the message's initial flags in that mailbox.
	Flags []string
}

// Outbound is a message to be sent to remote recipients by the queue.
type Outbound struct {
	// From is the envelope sender (MAIL FROM), empty for bounces.
	From string `json:"from"`
	// To lists the remote envelope recipients.
	To []string `json:"to"`
}

// Incoming is a message to store, with where it goes.
type Incoming struct {
	// Raw is the complete message, CRLF line endings, headers included.
	Raw []byte
	// InternalDate is the IMAP internal date; zero means now.
	InternalDate time.Time
	// Deliveries are the mailboxes that receive it.
	Deliveries []Delivery
	// Outbound, if set and with recipients, queues the message for them.
	Outbound *Outbound
	// Verdict is the sender authentication result of an incoming message
	// (SPF, DKIM, DMARC), encoded by the caller; it is kept with the body.
	Verdict []byte
	// Conversation, if set, is applied in the delivery's transaction:
	// the message and its effect on the answer clock commit together.
	Conversation *ConversationEvent
	// Archive, if set, appends the message to the archive in the
	// delivery's transaction (docs/archive.md). Mail accepted by SMTP and
	// the messages the server makes are archived; IMAP APPEND is not.
	Archive *ArchiveInfo
	// Remove lists messages expunged in the delivery's transaction: a
	// message filed elsewhere leaves where it was in the same commit
	// (a manager assigning dispatched mail).
	Remove []Removal
}

// Removal names messages of one mailbox.
type Removal struct {
	Mailbox uint64
	UIDs    []uint32
}

// Placed tells where a delivery landed.
type Placed struct {
	MailboxID   uint64
	UIDValidity uint32
	UID         uint32
}

// Receipt is the result of a committed delivery.
type Receipt struct {
	// Blob is the body's content hash.
	Blob Hash
	// Placed has one entry per Delivery, in order.
	Placed []Placed
	// QueueID is the outbound queue entry, or 0 if none was made.
	QueueID uint64
	// AckQueued tells that the delivery queued its conversation's
	// acknowledgement of receipt (ConversationEvent.Ack).
	AckQueued bool
	// Archived is the message's archive entry, or 0 without Archive.
	Archived uint64
}

// Deliver stores the message once and adds it to every delivery mailbox and
// the outbound queue, all in one transaction. It returns after the
// transaction is durably committed; on error nothing is stored. The message
// is parsed here, before the transaction, so commits stay short.
func (db *DB) Deliver(ctx context.Context, in Incoming) (Receipt, error) {
	summary, h, err := prepare(in.Raw)
	if err != nil {
		return Receipt{}, err
	}
	var ack *preparedAck
	if in.Conversation != nil && in.Conversation.Ack != nil {
		ack = &preparedAck{Acknowledgement: *in.Conversation.Ack}
		if ack.summary, ack.hash, err = prepare(ack.Raw); err != nil {
			return Receipt{}, fmt.Errorf("acknowledgement: %w", err)
		}
	}
	var rc Receipt
	err = db.write(ctx, func(w *writeTx) error {
		var err error
		rc, err = deliverIn(w, in, h, summary, ack, db.now())
		return err
	})
	if err != nil {
		return Receipt{}, fmt.Errorf("deliver: %w", err)
	}
	return rc, nil
}

// prepare computes what a delivery stores besides the bytes: the encoded
// summary and the content hash.
func prepare(raw []byte) ([]byte, Hash, error) {
	sum, err := message.Summarize(raw)
	if err != nil {
		return nil, Hash{}, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return sum.Marshal(), Hash(sha256.Sum256(raw)), nil
}

// deliverIn performs a delivery inside a write transaction. ack is the
// prepared acknowledgement of in.Conversation, or nil.
func deliverIn(w *writeTx, in Incoming, h Hash, summary []byte, ack *preparedAck, now time.Time) (Receipt, error) {
	date := in.InternalDate
	if date.IsZero() {
		date = now
	}
	rc := Receipt{Blob: h}
	for _, d := range in.Deliveries {
		p, err := appendMessage(w, d, h, in.Raw, summary, date)
		if err != nil {
			return Receipt{}, err
		}
		rc.Placed = append(rc.Placed, p)
	}
	if len(in.Verdict) > 0 && len(rc.Placed) > 0 {
		if err := putVerdict(w.tx, h, in.Verdict); err != nil {
			return Receipt{}, err
		}
	}
	if in.Archive != nil {
		seq, err := archiveMessage(w, *in.Archive, h, in.Raw, summary, date)
		if err != nil {
			return Receipt{}, err
		}
		rc.Archived = seq
	}
	if in.Outbound != nil && len(in.Outbound.To) > 0 {
		id, err := enqueue(w, *in.Outbound, h, in.Raw, summary, now)
		if err != nil {
			return Receipt{}, err
		}
		rc.QueueID = id
	}
	if in.Conversation != nil {
		id, err := applyConversation(w, *in.Conversation, ack, now)
		if err != nil {
			return Receipt{}, err
		}
		rc.AckQueued = id != 0
	}
	for _, r := range in.Remove {
		if _, err := expunge(w, r.Mailbox, r.UIDs); err != nil {
			return Receipt{}, fmt.Errorf("remove from mailbox %d: %w", r.Mailbox, err)
		}
	}
	return rc, nil
}

// appendMessage adds one entry for blob h to d's mailbox, creating the
// mailbox when it does not exist.
func appendMessage(w *writeTx, d Delivery, h Hash, raw, summary []byte, date time.Time) (Placed, error) {
	name, err := NormalizeMailboxName(d.Mailbox)
	if err != nil {
		return Placed{}, err
	}
	m, err := getMailbox(w.tx, d.Account, name)
	if err == ErrNotFound {
		if w.tx.Bucket(bucketAccountIDs).Get(u64(d.Account)) == nil {
			return Placed{}, fmt.Errorf("account %d: %w", d.Account, ErrNotFound)
		}
		m, err = createMailbox(w, d.Account, name, "", true)
	}
	if err != nil {
		return Placed{}, err
	}
	ref, err := refBlob(w.tx, h, raw, summary)
	if err != nil {
		return Placed{}, err
	}
	rec := record{date: date.UnixNano(), size: int64(len(raw)), blob: ref}
	rec.setFlags(d.Flags)
	uid, err := putNewRecord(w, &m, &rec)
	if err != nil {
		return Placed{}, err
	}
	return Placed{MailboxID: m.ID, UIDValidity: m.UIDValidity, UID: uid}, putMailbox(w.tx, m)
}

// putNewRecord stores rec under m's next UID and updates m's counters; the
// caller saves m.
func putNewRecord(w *writeTx, m *Mailbox, rec *record) (uint32, error) {
	uid := m.UIDNext
	if uid == 0 { // wrapped: RFC 9051 requires a new UIDVALIDITY; refuse instead
		return 0, fmt.Errorf("mailbox %q: UID space exhausted", m.Name)
	}
	msgs := w.tx.Bucket(bucketMessages).Bucket(u64(m.ID))
	msgs.FillPercent = appendOnly // UIDs only grow
	if err := msgs.Put(u32(uid), rec.encode()); err != nil {
		return 0, err
	}
	m.UIDNext++
	m.Messages++
	m.Size += rec.size
	if !rec.seen() {
		m.Unseen++
	}
	w.emit(Event{Kind: EventAppended, MailboxID: m.ID, UIDs: []uint32{uid}})
	return uid, nil
}
