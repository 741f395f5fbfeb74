package storage

import (
	"context"
	"encoding/json"
	"time"

	bolt "go.etcd.io/bbolt"
)

// QueueEntry is a message waiting for delivery to remote recipients.
type QueueEntry struct {
	ID       uint64    `json:"id"`
	From     string    `json:"from"`
	To       []string  `json:"to"`
	Blob     Hash      `json:"blob"`
	BlobID   uint64    `json:"blob_id"`
	Size     int64     `json:"size"`
	Created  time.Time `json:"created"`
	Attempts int       `json:"attempts"`
	// NextAttempt is when the delivery worker should try again.
	NextAttempt time.Time `json:"next_attempt"`
	// LastError is the last temporary failure, for operators.
	LastError string `json:"last_error,omitempty"`
}

// enqueue stores a queue entry that holds its own reference to the blob.
func enqueue(w *writeTx, o Outbound, h Hash, raw, summary []byte, now time.Time) (uint64, error) {
	id, err := nextSeq(w.tx, keyQueueSeq)
	if err != nil {
		return 0, err
	}
	ref, err := refBlob(w.tx, h, raw, summary)
	if err != nil {
		return 0, err
	}
	e := QueueEntry{ID: id, From: o.From, To: o.To, Blob: h, BlobID: ref.id, Size: int64(len(raw)), Created: now.UTC(), NextAttempt: now.UTC()}
	return id, putJSON(w.tx.Bucket(bucketQueue), u64(id), e)
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
