package storage

import (
	"context"
	"encoding/binary"

	bolt "go.etcd.io/bbolt"
)

// putVerdict keeps the authentication verdict of the body with hash h,
// keyed by its blob id, so it goes when the body goes.
func putVerdict(tx *bolt.Tx, h Hash, verdict []byte) error {
	v := tx.Bucket(bucketBlobIDs).Get(h[:])
	if len(v) != 8 {
		return ErrNotFound
	}
	return tx.Bucket(bucketVerdicts).Put(v, verdict)
}

// Verdict returns the authentication verdict stored with a message's body
// (nil if none was stored).
func (db *DB) Verdict(ctx context.Context, mailbox uint64, uid uint32) ([]byte, error) {
	var out []byte
	err := db.view(ctx, func(tx *bolt.Tx) error {
		b, err := messagesBucket(tx, mailbox)
		if err != nil {
			return err
		}
		v := b.Get(u32(uid))
		if v == nil {
			return ErrNotFound
		}
		rec, err := decodeRecord(v)
		if err != nil {
			return err
		}
		key := make([]byte, 8)
		binary.BigEndian.PutUint64(key, rec.blob.id)
		if got := tx.Bucket(bucketVerdicts).Get(key); got != nil {
			out = append([]byte(nil), got...)
		}
		return nil
	})
	return out, err
}
