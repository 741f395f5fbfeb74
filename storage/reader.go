package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// What a reader keeps of their own on mail that is not theirs: the \Seen
// marks they set on a shared view (never the owner's flags), and their
// subscriptions to shared views. Buckets are created by the first write
// that needs them.
var (
	bucketReaderSeen = []byte("reader_seen") // reader id (8) → view name → uid (4) → empty
	bucketViewSubs   = []byte("view_subs")   // reader id (8) + view name → 1 (subscribed) or 0 (unsubscribed)
)

// SeenBy returns which of uids the reader has marked \Seen in the view
// (a name chosen by the caller, stable for the view's lifetime).
func (db *DB) SeenBy(ctx context.Context, reader uint64, view string, uids []uint32) (map[uint32]bool, error) {
	out := make(map[uint32]bool)
	err := db.view(ctx, func(tx *bolt.Tx) error {
		b := readerSeenBucket(tx, reader, view)
		if b == nil {
			return nil
		}
		for _, uid := range uids {
			if b.Get(u32(uid)) != nil {
				out[uid] = true
			}
		}
		return nil
	})
	return out, err
}

func readerSeenBucket(tx *bolt.Tx, reader uint64, view string) *bolt.Bucket {
	root := tx.Bucket(bucketReaderSeen)
	if root == nil {
		return nil
	}
	r := root.Bucket(u64(reader))
	if r == nil {
		return nil
	}
	return r.Bucket([]byte(view))
}

// SetSeenBy sets or clears the reader's \Seen mark on uids of the view.
func (db *DB) SetSeenBy(ctx context.Context, reader uint64, view string, uids []uint32, seen bool) error {
	if view == "" {
		return fmt.Errorf("seen marks: %w", ErrInvalidName)
	}
	return db.write(ctx, func(w *writeTx) error {
		root, err := w.tx.CreateBucketIfNotExists(bucketReaderSeen)
		if err != nil {
			return err
		}
		r, err := root.CreateBucketIfNotExists(u64(reader))
		if err != nil {
			return err
		}
		b, err := r.CreateBucketIfNotExists([]byte(view))
		if err != nil {
			return err
		}
		for _, uid := range uids {
			if seen {
				err = b.Put(u32(uid), nil)
			} else {
				err = b.Delete(u32(uid))
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// ViewSubscriptions returns the reader's choices on shared views: true
// for a view they subscribed to, false for one they unsubscribed from
// (views a reader works with are subscribed by default, so "no" must be
// remembered too).
func (db *DB) ViewSubscriptions(ctx context.Context, reader uint64) (map[string]bool, error) {
	out := map[string]bool{}
	err := db.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketViewSubs)
		if b == nil {
			return nil
		}
		prefix := u64(reader)
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			out[string(k[8:])] = len(v) == 1 && v[0] == 1
		}
		return nil
	})
	return out, err
}

// SetViewSubscribed records the reader's subscription to a shared view,
// or their unsubscription.
func (db *DB) SetViewSubscribed(ctx context.Context, reader uint64, name string, on bool) error {
	if name == "" {
		return fmt.Errorf("subscribe: %w", ErrInvalidName)
	}
	key := binary.BigEndian.AppendUint64(nil, reader)
	key = append(key, name...)
	return db.write(ctx, func(w *writeTx) error {
		b, err := w.tx.CreateBucketIfNotExists(bucketViewSubs)
		if err != nil {
			return err
		}
		if on {
			return b.Put(key, []byte{1})
		}
		return b.Put(key, []byte{0})
	})
}

// ClientsOf returns the clients whose personal counsellor is the given
// lower-cased address, ordered by ID. It scans the clients, skipping
// without decoding those whose record cannot name the counsellor.
func (db *DB) ClientsOf(ctx context.Context, counsellor string) ([]Client, error) {
	quoted, err := json.Marshal(counsellor)
	if err != nil {
		return nil, err
	}
	needle := append([]byte(`"counsellor":`), quoted...)
	var out []Client
	err = db.view(ctx, func(tx *bolt.Tx) error {
		b := caseBucket(tx, bucketClients)
		if b == nil {
			return nil
		}
		return b.ForEach(func(k, v []byte) error {
			if !bytes.Contains(v, needle) {
				return nil
			}
			var c Client
			if err := jsonUnmarshal(v, &c); err != nil {
				return fmt.Errorf("decode client %q: %w", k, err)
			}
			if c.Counsellor == counsellor {
				out = append(out, c)
			}
			return nil
		})
	})
	return out, err
}

// ClientsWithPrefix returns up to limit clients whose ID starts with
// prefix, ordered by ID.
func (db *DB) ClientsWithPrefix(ctx context.Context, prefix string, limit int) ([]Client, error) {
	var out []Client
	err := db.view(ctx, func(tx *bolt.Tx) error {
		b := caseBucket(tx, bucketClients)
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek([]byte(prefix)); k != nil && bytes.HasPrefix(k, []byte(prefix)) && len(out) < limit; k, v = c.Next() {
			var cl Client
			if err := jsonUnmarshal(v, &cl); err != nil {
				return fmt.Errorf("decode client %q: %w", k, err)
			}
			out = append(out, cl)
		}
		return nil
	})
	return out, err
}

// PruneSeenBy drops the reader's marks in the view on messages that are
// no longer there: live lists the UIDs there now, ascending. It writes
// only when there is something to drop, and reports how many it dropped.
func (db *DB) PruneSeenBy(ctx context.Context, reader uint64, view string, live []uint32) (int, error) {
	stale := func(tx *bolt.Tx) [][]byte {
		b := readerSeenBucket(tx, reader, view)
		if b == nil {
			return nil
		}
		var out [][]byte
		c := b.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.Next() {
			if _, ok := slices.BinarySearch(live, beUint32(k)); !ok {
				out = append(out, slices.Clone(k))
			}
		}
		return out
	}
	var found [][]byte
	if err := db.view(ctx, func(tx *bolt.Tx) error { found = stale(tx); return nil }); err != nil || len(found) == 0 {
		return 0, err
	}
	n := 0
	err := db.write(ctx, func(w *writeTx) error {
		n = 0
		b := readerSeenBucket(w.tx, reader, view)
		if b == nil {
			return nil
		}
		for _, k := range stale(w.tx) {
			if err := b.Delete(k); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	return n, err
}
