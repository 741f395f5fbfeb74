package storage

import (
	"context"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// DueNotices returns the open conversations whose notice before expiry is
// due at now (NoticeAt not after now) and not yet sent, ordered by ID.
func (db *DB) DueNotices(ctx context.Context, now time.Time) ([]Conversation, error) {
	var out []Conversation
	err := db.view(ctx, func(tx *bolt.Tx) error {
		all, err := listCaseJSON[Conversation](tx, bucketConversations)
		for _, c := range all {
			if c.State == ConversationOpen && c.WarnedAt.IsZero() && !c.NoticeAt.After(now) {
				out = append(out, c)
			}
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("due notices: %w", err)
	}
	return out, nil
}

// WarnConversation records the notice before expiry of conversation id,
// exactly once: in one transaction, if the conversation is still open and
// not yet warned, it queues notice (for the client, if not nil), delivers
// every alert (to staff mailboxes) and sets WarnedAt to at and
// NextContact; it then returns true. Otherwise it changes nothing and
// returns false. Messages are parsed before the transaction; an alert must
// not carry a Conversation event. The notice and the alerts are archived
// (DirectionNotice; an alert without Archive gets the conversation's
// counsellor and no client).
func (db *DB) WarnConversation(ctx context.Context, id uint64, at, nextContact time.Time, notice *Acknowledgement, alerts []Incoming) (bool, error) {
	var pn *preparedAck
	if notice != nil {
		if notice.To == "" {
			return false, fmt.Errorf("warn conversation %d: %w: notice without recipient", id, ErrMalformed)
		}
		pn = &preparedAck{Acknowledgement: *notice}
		var err error
		if pn.summary, pn.hash, err = prepare(notice.Raw); err != nil {
			return false, fmt.Errorf("warn conversation %d: notice: %w", id, err)
		}
	}
	type preparedIn struct {
		summary []byte
		hash    Hash
	}
	prepared := make([]preparedIn, len(alerts))
	for i, in := range alerts {
		if in.Conversation != nil {
			return false, fmt.Errorf("warn conversation %d: %w: alert with a conversation event", id, ErrMalformed)
		}
		sum, h, err := prepare(in.Raw)
		if err != nil {
			return false, fmt.Errorf("warn conversation %d: alert: %w", id, err)
		}
		prepared[i] = preparedIn{sum, h}
	}
	warned := false
	err := db.write(ctx, func(w *writeTx) error {
		warned = false // fn runs again when a batch is retried
		convs := w.tx.Bucket(bucketConversations)
		if convs == nil {
			return ErrNotFound
		}
		var c Conversation
		if err := getJSON(convs, u64(id), &c); err != nil {
			return err
		}
		if c.State != ConversationOpen || !c.WarnedAt.IsZero() {
			return nil
		}
		now := db.now()
		if pn != nil {
			if _, err := enqueue(w, Outbound{From: pn.From, To: []string{pn.To}}, pn.hash, pn.Raw, pn.summary, now); err != nil {
				return err
			}
			if err := archiveAck(w, DirectionNotice, pn, c.Client, c.Counsellor, now); err != nil {
				return err
			}
		}
		for i, in := range alerts {
			if in.Archive == nil {
				in.Archive = &ArchiveInfo{Direction: DirectionNotice, Counsellor: c.Counsellor}
			}
			if _, err := deliverIn(w, in, prepared[i].hash, prepared[i].summary, nil, now); err != nil {
				return err
			}
		}
		c.WarnedAt, c.NextContact = at, nextContact
		warned = true
		return putJSON(convs, u64(id), c)
	})
	if err != nil {
		return false, fmt.Errorf("warn conversation %d: %w", id, err)
	}
	return warned, nil
}
