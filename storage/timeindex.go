package storage

import (
	"bytes"
	"encoding/binary"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// timeIndex lists the entries of a chain by time, so that the entries of
// a period are found without reading the whole chain: key timeKey(t, seq)
// → empty. Entry times need not follow the sequence (an archived
// message's time is its internal date).
type timeIndex struct {
	bucket []byte
	chain  chain
	// timeOf decodes an entry's time.
	timeOf func(link) (time.Time, error)
}

// timeKey orders times as bytes: Unix nanoseconds with the sign bit
// flipped, big-endian, then the sequence.
func timeKey(t time.Time, seq uint64) []byte {
	k := binary.BigEndian.AppendUint64(make([]byte, 0, 16), uint64(t.UnixNano())^1<<63)
	return binary.BigEndian.AppendUint64(k, seq)
}

// put indexes entry seq under t.
func (ix timeIndex) put(tx *bolt.Tx, t time.Time, seq uint64) error {
	b, err := tx.CreateBucketIfNotExists(ix.bucket)
	if err != nil {
		return err
	}
	return b.Put(timeKey(t, seq), nil)
}

// seqs returns, in sequence order, the entries in [from, to), a zero bound
// being open; ok is false when the index does not exist.
func (ix timeIndex) seqs(tx *bolt.Tx, from, to time.Time) (seqs []uint64, ok bool) {
	b := tx.Bucket(ix.bucket)
	if b == nil {
		return nil, false
	}
	cur := b.Cursor()
	k, _ := cur.First()
	if !from.IsZero() {
		k, _ = cur.Seek(timeKey(from, 0))
	}
	var end []byte
	if !to.IsZero() {
		end = timeKey(to, 0)
	}
	for ; k != nil && (end == nil || bytes.Compare(k, end) < 0); k, _ = cur.Next() {
		seqs = append(seqs, binary.BigEndian.Uint64(k[8:]))
	}
	slices.Sort(seqs)
	return seqs, true
}

// build indexes the chain of a store written before the index existed; it
// does nothing once the index bucket is there.
func (ix timeIndex) build(tx *bolt.Tx) error {
	if tx.Bucket(ix.bucket) != nil {
		return nil
	}
	if _, err := tx.CreateBucket(ix.bucket); err != nil {
		return err
	}
	b := tx.Bucket(ix.chain.bucket)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		l, ok := splitLink(k, v)
		if !ok {
			return &ChainError{Chain: ix.chain.name, Reason: "malformed entry"}
		}
		t, err := ix.timeOf(l)
		if err != nil {
			return err
		}
		return ix.put(tx, t, l.seq)
	})
}

// walk calls visit with the key and value of each entry of the chain in
// [from, to), in sequence order: through the index when a bound is set,
// else over the whole chain.
func (ix timeIndex) walk(tx *bolt.Tx, from, to time.Time, visit func(k, v []byte) error) error {
	b := tx.Bucket(ix.chain.bucket)
	if b == nil {
		return nil
	}
	if !from.IsZero() || !to.IsZero() {
		if seqs, ok := ix.seqs(tx, from, to); ok {
			for _, seq := range seqs {
				k := u64(seq)
				if v := b.Get(k); v != nil {
					if err := visit(k, v); err != nil {
						return err
					}
				}
			}
			return nil
		}
	}
	cur := b.Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		if err := visit(k, v); err != nil {
			return err
		}
	}
	return nil
}
