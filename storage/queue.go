package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// RecipientState is where one recipient of a queued message stands.
type RecipientState string

// The states of a queued recipient. Delivered and Failed are final.
const (
	RecipientPending   RecipientState = "pending"
	RecipientDelivered RecipientState = "delivered"
	RecipientFailed    RecipientState = "failed"
)

// QueueRecipient is one remote recipient of a queued message.
type QueueRecipient struct {
	Address string         `json:"address"`
	State   RecipientState `json:"state"`
	// Reply is the last SMTP reply or error for this recipient.
	Reply string `json:"reply,omitempty"`
	// Host is the MX host that gave the final answer.
	Host string `json:"host,omitempty"`
}

// Attempt records one delivery attempt to one host.
type Attempt struct {
	Time time.Time `json:"time"`
	Host string    `json:"host"`
	// TLS is "none", "tls" (certificate not verified) or "tls-verified".
	TLS string `json:"tls"`
	// Result summarises the outcome ("delivered 2", "451 …", "dial: …").
	Result string `json:"result"`
}

// maxAttemptsKept bounds the attempt history of a queue entry.
const maxAttemptsKept = 20

// QueueEntry is a message waiting for delivery to remote recipients.
type QueueEntry struct {
	ID         uint64           `json:"id"`
	From       string           `json:"from"`
	Recipients []QueueRecipient `json:"recipients"`
	Blob       Hash             `json:"blob"`
	BlobID     uint64           `json:"blob_id"`
	Size       int64            `json:"size"`
	Created    time.Time        `json:"created"`
	// Attempts counts delivery rounds; History keeps the last ones.
	Attempts int       `json:"attempts"`
	History  []Attempt `json:"history,omitempty"`
	// NextAttempt is when the delivery worker should try again.
	NextAttempt time.Time `json:"next_attempt"`
}

// Pending returns the addresses still to deliver.
func (e *QueueEntry) Pending() []string {
	var out []string
	for _, r := range e.Recipients {
		if r.State == RecipientPending {
			out = append(out, r.Address)
		}
	}
	return out
}

// Record appends an attempt to the history, keeping the last ones.
func (e *QueueEntry) Record(a Attempt) {
	e.History = append(e.History, a)
	if n := len(e.History); n > maxAttemptsKept {
		e.History = append(e.History[:0:0], e.History[n-maxAttemptsKept:]...)
	}
}

// enqueue stores a queue entry that holds its own reference to the body.
func enqueue(w *writeTx, o Outbound, h Hash, raw, summary []byte, now time.Time) (uint64, error) {
	id, err := nextSeq(w.tx, keyQueueSeq)
	if err != nil {
		return 0, err
	}
	ref, err := refBlob(w.tx, h, raw, summary)
	if err != nil {
		return 0, err
	}
	e := QueueEntry{ID: id, From: o.From, Blob: h, BlobID: ref.id, Size: int64(len(raw)),
		Created: now.UTC(), NextAttempt: now.UTC()}
	for _, to := range o.To {
		e.Recipients = append(e.Recipients, QueueRecipient{Address: to, State: RecipientPending})
	}
	q := w.tx.Bucket(bucketQueue)
	q.FillPercent = appendOnly
	return id, putJSON(q, u64(id), e)
}

// Queue returns every queued entry in ID order.
func (db *DB) Queue(ctx context.Context) ([]QueueEntry, error) {
	var out []QueueEntry
	err := db.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketQueue).ForEach(func(_, v []byte) error {
			var e QueueEntry
			if err := json.Unmarshal(v, &e); err != nil {
				return err
			}
			out = append(out, e)
			return nil
		})
	})
	return out, err
}

// QueueEntry returns one queue entry, or ErrNotFound.
func (db *DB) QueueEntry(ctx context.Context, id uint64) (QueueEntry, error) {
	var e QueueEntry
	err := db.view(ctx, func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketQueue), u64(id), &e)
	})
	return e, err
}

// QueueMessage returns the raw message of a queue entry.
func (db *DB) QueueMessage(ctx context.Context, id uint64) ([]byte, error) {
	var raw []byte
	err := db.view(ctx, func(tx *bolt.Tx) error {
		var e QueueEntry
		if err := getJSON(tx.Bucket(bucketQueue), u64(id), &e); err != nil {
			return err
		}
		if raw = blobRaw(tx, e.BlobID); raw == nil {
			return fmt.Errorf("queue %d: body %d: %w", id, e.BlobID, ErrNotFound)
		}
		return nil
	})
	return raw, err
}

// UpdateQueue applies change to a queue entry and saves it durably. ID,
// Blob, BlobID, Size and Created are kept.
func (db *DB) UpdateQueue(ctx context.Context, id uint64, change func(*QueueEntry) error) (QueueEntry, error) {
	var saved QueueEntry
	err := db.write(ctx, func(w *writeTx) error {
		q := w.tx.Bucket(bucketQueue)
		var e QueueEntry
		if err := getJSON(q, u64(id), &e); err != nil {
			return err
		}
		n := e
		n.Recipients = append([]QueueRecipient(nil), e.Recipients...)
		n.History = append([]Attempt(nil), e.History...)
		if err := change(&n); err != nil {
			return err
		}
		n.ID, n.Blob, n.BlobID, n.Size, n.Created = e.ID, e.Blob, e.BlobID, e.Size, e.Created
		saved = n
		return putJSON(q, u64(id), n)
	})
	if err != nil {
		return QueueEntry{}, fmt.Errorf("update queue %d: %w", id, err)
	}
	return saved, nil
}

// FinishQueue removes a queue entry (its body goes with its last
// reference) and, in the same transaction, delivers notice if it is not
// nil — the delivery status notification for the sender — so a crash can
// neither lose the notice nor send it twice. The notice is archived
// (DirectionDSN to the entry's sender when notice.Archive is nil).
func (db *DB) FinishQueue(ctx context.Context, id uint64, notice *Incoming) error {
	var summary []byte
	var h Hash
	if notice != nil {
		var err error
		if summary, h, err = prepare(notice.Raw); err != nil {
			return err
		}
	}
	err := db.write(ctx, func(w *writeTx) error {
		q := w.tx.Bucket(bucketQueue)
		var e QueueEntry
		if err := getJSON(q, u64(id), &e); err != nil {
			return err
		}
		if err := unrefBlob(w.tx, blobRef{id: e.BlobID, hash: e.Blob}); err != nil {
			return err
		}
		if err := q.Delete(u64(id)); err != nil {
			return err
		}
		if notice == nil {
			return nil
		}
		in := *notice
		if in.Archive == nil {
			in.Archive = &ArchiveInfo{Direction: DirectionDSN, To: []string{e.From}}
		}
		_, err := deliverIn(w, in, h, summary, nil, db.now())
		return err
	})
	if err != nil {
		return fmt.Errorf("finish queue %d: %w", id, err)
	}
	return nil
}
