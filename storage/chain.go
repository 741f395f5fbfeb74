package storage

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// A chain is an append-only bucket of hash-linked entries: the audit log
// and the archive are both chains. Keys are sequence numbers (8 bytes,
// big-endian, from 1, never reused); a value is
//
//	prev(32) body hash(32)
//
// where body is the entry's canonical encoding (see canonWriter) and
//
//	hash = SHA-256(tag 0x00 seq(8) prev(32) body)
//
// with tag the chain's name ("mailnet-audit-1", "mailnet-archive-1"). The
// first entry's prev is all zeroes. Hashing the sequence number and the
// tag means an entry cannot be moved to another place or another chain
// without breaking its link.
type chain struct {
	name   string // as reported in ChainError: "audit", "archive"
	tag    string
	bucket []byte
}

const linkOverhead = 2 * len(Hash{})

// ChainError reports the first broken link of a hash chain found by a
// verification: an entry whose stored hash does not match its content,
// whose prev does not match the previous entry, a gap in the sequence, or
// (for the archive) a body that no longer matches its recorded hash.
type ChainError struct {
	// Chain names the chain: "audit" or "archive".
	Chain string
	// Seq is the sequence number of the first entry found broken.
	Seq uint64
	// Reason says what is wrong with it.
	Reason string
}

func (e *ChainError) Error() string {
	return fmt.Sprintf("%s chain broken at entry %d: %s", e.Chain, e.Seq, e.Reason)
}

// linkHash computes the hash of one entry.
func (c chain) linkHash(seq uint64, prev Hash, body []byte) Hash {
	h := sha256.New()
	h.Write([]byte(c.tag))
	h.Write([]byte{0})
	h.Write(u64(seq))
	h.Write(prev[:])
	h.Write(body)
	return Hash(h.Sum(nil))
}

// head returns the last sequence number and hash of the chain (0 and the
// zero hash when it is empty).
func (c chain) head(tx *bolt.Tx) (uint64, Hash, error) {
	b := tx.Bucket(c.bucket)
	if b == nil {
		return 0, Hash{}, nil
	}
	k, v := b.Cursor().Last()
	if k == nil {
		return 0, Hash{}, nil
	}
	l, ok := splitLink(k, v)
	if !ok {
		return 0, Hash{}, &ChainError{Chain: c.name, Reason: "malformed last entry"}
	}
	return l.seq, l.hash, nil
}

// append adds an entry with the body made by encode, which receives the
// new entry's sequence number and previous hash. It returns them with the
// new hash.
func (c chain) append(w *writeTx, encode func(seq uint64, prev Hash) []byte) (uint64, Hash, Hash, error) {
	b, err := wBucket(w, c.bucket)
	if err != nil {
		return 0, Hash{}, Hash{}, err
	}
	last, prev, err := c.head(w.tx)
	if err != nil {
		return 0, Hash{}, Hash{}, err
	}
	seq := last + 1
	body := encode(seq, prev)
	h := c.linkHash(seq, prev, body)
	v := make([]byte, 0, len(body)+linkOverhead)
	v = append(v, prev[:]...)
	v = append(v, body...)
	v = append(v, h[:]...)
	b.FillPercent = appendOnly
	if err := b.Put(u64(seq), v); err != nil {
		return 0, Hash{}, Hash{}, err
	}
	return seq, prev, h, nil
}

// count returns the number of entries.
func (c chain) count(tx *bolt.Tx) uint64 {
	b := tx.Bucket(c.bucket)
	if b == nil {
		return 0
	}
	return uint64(b.Stats().KeyN)
}

// link is one stored entry split into its parts; body aliases the bbolt
// page and is valid only during the transaction.
type link struct {
	seq        uint64
	prev, hash Hash
	body       []byte
}

func splitLink(k, v []byte) (link, bool) {
	if len(k) != 8 || len(v) < linkOverhead {
		return link{}, false
	}
	var l link
	l.seq = binary.BigEndian.Uint64(k)
	copy(l.prev[:], v)
	copy(l.hash[:], v[len(v)-len(Hash{}):])
	l.body = v[len(Hash{}) : len(v)-len(Hash{})]
	return l, true
}

// verify walks the whole chain in order and checks every link: sequence
// without gaps from 1, prev equal to the previous entry's hash, hash equal
// to the recomputed one. check, if not nil, is then called with each
// intact entry and may return a reason (a non-empty string) to report it
// broken. progress, if not nil, is called now and then with the entries
// done and the total. It returns the chain's head hash and entry count, or
// a *ChainError.
func (c chain) verify(tx *bolt.Tx, check func(link) (string, error), progress func(done, total uint64)) (uint64, Hash, error) {
	b := tx.Bucket(c.bucket)
	if b == nil {
		return 0, Hash{}, nil
	}
	total := c.count(tx)
	var prev Hash
	var seq uint64
	cur := b.Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		seq++
		l, ok := splitLink(k, v)
		switch {
		case !ok:
			return 0, Hash{}, &ChainError{Chain: c.name, Seq: seq, Reason: "malformed entry"}
		case l.seq != seq:
			return 0, Hash{}, &ChainError{Chain: c.name, Seq: seq, Reason: fmt.Sprintf("entry missing (next is %d)", l.seq)}
		case l.prev != prev:
			return 0, Hash{}, &ChainError{Chain: c.name, Seq: seq, Reason: "previous hash does not match the previous entry"}
		case c.linkHash(seq, l.prev, l.body) != l.hash:
			return 0, Hash{}, &ChainError{Chain: c.name, Seq: seq, Reason: "content does not match its hash"}
		}
		if check != nil {
			reason, err := check(l)
			if err != nil {
				return 0, Hash{}, err
			}
			if reason != "" {
				return 0, Hash{}, &ChainError{Chain: c.name, Seq: seq, Reason: reason}
			}
		}
		prev = l.hash
		if progress != nil && (seq%1024 == 0 || seq == total) {
			progress(seq, total)
		}
	}
	return seq, prev, nil
}

// canonWriter builds the canonical encoding of an entry: fields in a fixed
// order, integers big-endian with fixed width, strings and lists prefixed
// by their length as a uvarint, times as Unix nanoseconds (int64). The same
// entry always gives the same bytes, whatever the Go version or map order.
type canonWriter struct{ b []byte }

func (w *canonWriter) byte1(v byte)    { w.b = append(w.b, v) }
func (w *canonWriter) uint64(v uint64) { w.b = binary.BigEndian.AppendUint64(w.b, v) }
func (w *canonWriter) time(t time.Time) {
	w.uint64(uint64(t.UnixNano()))
}
func (w *canonWriter) bytes(v []byte) {
	w.b = binary.AppendUvarint(w.b, uint64(len(v)))
	w.b = append(w.b, v...)
}
func (w *canonWriter) string(s string) { w.bytes([]byte(s)) }
func (w *canonWriter) strings(ss []string) {
	w.b = binary.AppendUvarint(w.b, uint64(len(ss)))
	for _, s := range ss {
		w.string(s)
	}
}

func (w *canonWriter) uint32s(vs []uint32) {
	w.b = binary.AppendUvarint(w.b, uint64(len(vs)))
	for _, v := range vs {
		w.b = binary.BigEndian.AppendUint32(w.b, v)
	}
}

// canonReader decodes what canonWriter wrote. The first error sticks and
// later reads return zero values.
type canonReader struct {
	b   []byte
	err error
}

var errCanonShort = errors.New("truncated entry")

func (r *canonReader) take(n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || len(r.b) < n {
		r.err = errCanonShort
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *canonReader) byte1() byte {
	if v := r.take(1); v != nil {
		return v[0]
	}
	return 0
}

func (r *canonReader) uint64() uint64 {
	if v := r.take(8); v != nil {
		return binary.BigEndian.Uint64(v)
	}
	return 0
}

func (r *canonReader) time() time.Time { return time.Unix(0, int64(r.uint64())).UTC() }

func (r *canonReader) count() int {
	if r.err != nil {
		return 0
	}
	n, k := binary.Uvarint(r.b)
	if k <= 0 || n > uint64(len(r.b)) {
		r.err = errCanonShort
		return 0
	}
	r.b = r.b[k:]
	return int(n)
}

func (r *canonReader) string() string {
	return string(r.take(r.count()))
}

func (r *canonReader) strings() []string {
	n := r.count()
	if n == 0 {
		return nil
	}
	out := make([]string, 0, n)
	for range n {
		out = append(out, r.string())
	}
	return out
}

func (r *canonReader) uint32s() []uint32 {
	n := r.count()
	if n == 0 || r.err != nil {
		return nil
	}
	out := make([]uint32, 0, n)
	for range n {
		if v := r.take(4); v != nil {
			out = append(out, binary.BigEndian.Uint32(v))
		}
	}
	return out
}

// done reports a decoding error, including bytes left over.
func (r *canonReader) done() error {
	if r.err == nil && len(r.b) != 0 {
		r.err = errors.New("trailing bytes in entry")
	}
	return r.err
}
