package storage

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Archive buckets, created with their first entry (read methods treat a
// missing bucket as empty).
var (
	bucketArchive      = []byte("archive")        // seq (8 bytes) → chained entry (see chain)
	bucketArchiveCases = []byte("archive_cases")  // client + 0x00 + seq → size(8) blob id(8)
	bucketArchivePurge = []byte("archive_purged") // seq → seq of its tombstone
	bucketArchiveTime  = []byte("archive_time")   // time (8, see timeKey) + seq (8) → empty
	bucketArchiveHolds = []byte("archive_holds")  // client → Hold JSON
	keyArchiveValidity = []byte("archive_uidvalidity")
)

// archiveChain is the archive's hash chain.
var archiveChain = chain{name: "archive", tag: "mailnet-archive-1", bucket: bucketArchive}

// archiveVersion is the first byte of an encoded archive entry.
const archiveVersion = 1

// Directions of archived messages, and the kind of a tombstone entry.
const (
	// DirectionIn: received from outside (MX).
	DirectionIn = "in"
	// DirectionOut: submitted by a user, for at least one remote recipient.
	DirectionOut = "out"
	// DirectionInternal: submitted by a user, for local recipients only.
	DirectionInternal = "internal"
	// DirectionNotice: a notice before expiry to a client, or an alert to
	// a manager, made by the server.
	DirectionNotice = "notice"
	// DirectionAck: an acknowledgement of receipt made by the server.
	DirectionAck = "ack"
	// DirectionDSN: a delivery status notification made by the queue.
	DirectionDSN = "dsn"
	// DirectionTombstone marks an entry that records the purge of an
	// earlier entry's content (ArchiveEntry.Purged); it has no body.
	DirectionTombstone = "tombstone"
)

// Directions lists the directions of archived messages (not tombstones),
// which are also the retention categories.
var Directions = []string{DirectionIn, DirectionOut, DirectionInternal, DirectionNotice, DirectionAck, DirectionDSN}

// ArchiveInfo asks Deliver to archive a message, and says what the archive
// records of it.
type ArchiveInfo struct {
	// Direction is one of the Direction constants (not tombstone).
	Direction string
	// From is the envelope sender ("" for a DSN).
	From string
	// To are the envelope recipients.
	To []string
	// Client is the PES identifier of the client the message is
	// exchanged with, "" when none is known. It puts the message in the
	// client's case (CaseBox).
	Client string
	// Counsellor is the address of the client's personal counsellor, when
	// known.
	Counsellor string
}

// ArchiveEntry is one entry of the archive: an archived message, or a
// tombstone recording that an earlier entry's content was purged.
type ArchiveEntry struct {
	// Seq is the entry's place in the chain, from 1; for messages with a
	// client it is also the UID in the client's case.
	Seq uint64 `json:"seq"`
	// Time is when the message was accepted (its internal date), or the
	// purge time of a tombstone.
	Time       time.Time `json:"time"`
	Direction  string    `json:"direction"`
	From       string    `json:"from,omitempty"`
	To         []string  `json:"to,omitempty"`
	Client     string    `json:"client,omitempty"`
	Counsellor string    `json:"counsellor,omitempty"`
	// Blob is the SHA-256 of the message and Size its length in bytes
	// (zero for a tombstone).
	Blob Hash  `json:"blob"`
	Size int64 `json:"size"`
	// Purged is, for a tombstone, the sequence number of the entry whose
	// content it removed; Reason says why ("retention of dsn: 365d").
	Purged uint64 `json:"purged,omitempty"`
	Reason string `json:"reason,omitempty"`
	// Prev is the previous entry's hash, Hash this entry's (see
	// docs/storage.md).
	Prev Hash `json:"prev"`
	Hash Hash `json:"hash"`
	// PurgedBy, not part of the chained entry, is the tombstone's sequence
	// number when this message's content was purged.
	PurgedBy uint64 `json:"purged_by,omitempty"`
}

func (e *ArchiveEntry) encode() []byte {
	var w canonWriter
	w.byte1(archiveVersion)
	w.time(e.Time)
	w.string(e.Direction)
	w.string(e.From)
	w.strings(e.To)
	w.string(e.Client)
	w.string(e.Counsellor)
	w.b = append(w.b, e.Blob[:]...)
	w.uint64(uint64(e.Size))
	w.uint64(e.Purged)
	w.string(e.Reason)
	return w.b
}

func decodeArchive(l link) (ArchiveEntry, error) {
	r := canonReader{b: l.body}
	if v := r.byte1(); r.err == nil && v != archiveVersion {
		return ArchiveEntry{}, fmt.Errorf("archive entry %d: unknown version %d", l.seq, v)
	}
	e := ArchiveEntry{Seq: l.seq, Prev: l.prev, Hash: l.hash}
	e.Time = r.time()
	e.Direction = r.string()
	e.From = r.string()
	e.To = r.strings()
	e.Client = r.string()
	e.Counsellor = r.string()
	copy(e.Blob[:], r.take(len(Hash{})))
	e.Size = int64(r.uint64())
	e.Purged = r.uint64()
	e.Reason = r.string()
	if err := r.done(); err != nil {
		return ArchiveEntry{}, fmt.Errorf("archive entry %d: %w", l.seq, err)
	}
	return e, nil
}

func validDirection(d string) bool {
	for _, v := range Directions {
		if d == v {
			return true
		}
	}
	return false
}

// archiveMessage appends an archive entry for the message raw (hash h) in
// w's transaction, taking a reference on its body, and indexes it in its
// client's case. It returns the entry's sequence number.
func archiveMessage(w *writeTx, info ArchiveInfo, h Hash, raw, summary []byte, date time.Time) (uint64, error) {
	if !validDirection(info.Direction) {
		return 0, fmt.Errorf("%w: direction %q", ErrInvalidEntry, info.Direction)
	}
	ref, err := refBlob(w.tx, h, raw, summary)
	if err != nil {
		return 0, err
	}
	e := ArchiveEntry{Time: date.UTC(), Direction: info.Direction, From: info.From, To: info.To,
		Client: info.Client, Counsellor: info.Counsellor, Blob: h, Size: int64(len(raw))}
	seq, _, _, err := archiveChain.append(w, func(uint64, Hash) []byte { return e.encode() })
	if err != nil {
		return 0, err
	}
	if err := archiveByTime.put(w.tx, e.Time, seq); err != nil {
		return 0, err
	}
	if info.Client == "" {
		return seq, nil
	}
	if seq > math.MaxUint32 {
		return 0, fmt.Errorf("%w: archive sequence %d exceeds the UID space", ErrInvalidEntry, seq)
	}
	cases, err := wBucket(w, bucketArchiveCases)
	if err != nil {
		return 0, err
	}
	v := make([]byte, 16)
	binary.BigEndian.PutUint64(v, uint64(len(raw)))
	binary.BigEndian.PutUint64(v[8:], ref.id)
	if err := cases.Put(caseKey(info.Client, seq), v); err != nil {
		return 0, err
	}
	w.emit(Event{Kind: EventAppended, Case: info.Client, UIDs: []uint32{uint32(seq)}})
	return seq, nil
}

// archiveAck archives a message queued by the server (an acknowledgement
// or a notice) for one recipient.
func archiveAck(w *writeTx, direction string, a *preparedAck, client, counsellor string, now time.Time) error {
	info := ArchiveInfo{Direction: direction, From: a.From, To: []string{a.To}, Client: client, Counsellor: counsellor}
	_, err := archiveMessage(w, info, a.hash, a.Raw, a.summary, now)
	return err
}

func caseKey(client string, seq uint64) []byte {
	k := make([]byte, 0, len(client)+9)
	k = append(k, client...)
	k = append(k, 0)
	return binary.BigEndian.AppendUint64(k, seq)
}

// archiveUIDValidity returns the UIDVALIDITY of every case view.
func archiveUIDValidity(tx *bolt.Tx) (uint32, error) {
	v := getUint64(tx.Bucket(bucketMeta), keyArchiveValidity)
	if v == 0 {
		return 0, fmt.Errorf("archive UIDVALIDITY: %w", ErrNotFound)
	}
	return uint32(v), nil
}

// initArchive gives a store its case views' UIDVALIDITY, once, from the
// store-wide counter (initSchema calls it at every Open).
func initArchive(tx *bolt.Tx) error {
	if err := archiveByTime.build(tx); err != nil {
		return err
	}
	meta := tx.Bucket(bucketMeta)
	if getUint64(meta, keyArchiveValidity) != 0 {
		return nil
	}
	v, err := nextSeq(tx, keyUIDValidity)
	if err != nil {
		return err
	}
	return putUint64(meta, keyArchiveValidity, v)
}

// archiveByTime is the archive's time index.
var archiveByTime = timeIndex{bucket: bucketArchiveTime, chain: archiveChain, timeOf: func(l link) (time.Time, error) {
	e, err := decodeArchive(l)
	return e.Time, err
}}

// ArchiveFilter selects archive entries. Zero fields select everything.
type ArchiveFilter struct {
	// Client keeps the entries of one client: its messages, purged ones
	// included, and their tombstones.
	Client string `json:"client,omitempty"`
	// Direction keeps the entries of one direction (DirectionTombstone
	// for the tombstones).
	Direction string `json:"direction,omitempty"`
	// From and To keep the entries with From <= Time < To.
	From time.Time `json:"from,omitzero"`
	To   time.Time `json:"to,omitzero"`
	// Limit, if positive, returns at most that many entries (the first
	// ones that match).
	Limit int `json:"limit,omitempty"`
}

func (f ArchiveFilter) match(e ArchiveEntry) bool {
	return (f.Client == "" || e.Client == f.Client) &&
		(f.Direction == "" || e.Direction == f.Direction) &&
		(f.From.IsZero() || !e.Time.Before(f.From)) &&
		(f.To.IsZero() || e.Time.Before(f.To))
}

// ArchiveEntries returns the entries f selects (messages and tombstones),
// in sequence order, with PurgedBy set on purged messages.
func (db *DB) ArchiveEntries(ctx context.Context, f ArchiveFilter) ([]ArchiveEntry, error) {
	var out []ArchiveEntry
	err := db.view(ctx, func(tx *bolt.Tx) error {
		return walkArchive(tx, f, func(e ArchiveEntry) error {
			out = append(out, e)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("archive entries: %w", err)
	}
	return out, nil
}

// errStopWalk ends walkArchive early without an error.
var errStopWalk = errors.New("stop")

// walkArchive calls fn with each entry f selects, in order, up to
// f.Limit.
func walkArchive(tx *bolt.Tx, f ArchiveFilter, fn func(ArchiveEntry) error) error {
	b := tx.Bucket(bucketArchive)
	if b == nil {
		return nil
	}
	purged := tx.Bucket(bucketArchivePurge)
	n := 0
	visit := func(k, v []byte) error {
		l, ok := splitLink(k, v)
		if !ok {
			return &ChainError{Chain: archiveChain.name, Reason: "malformed entry"}
		}
		e, err := decodeArchive(l)
		if err != nil {
			return err
		}
		if !f.match(e) {
			return nil
		}
		if purged != nil {
			if p := purged.Get(k); len(p) == 8 {
				e.PurgedBy = binary.BigEndian.Uint64(p)
			}
		}
		if err := fn(e); err != nil {
			return err
		}
		if n++; f.Limit > 0 && n == f.Limit {
			return errStopWalk
		}
		return nil
	}
	// Without a period the whole chain is read, even for one client: the
	// case index only holds the messages still kept, and a client's
	// export or history must show the purged ones and their tombstones
	// too. With a period, the time index gives its entries.
	err := archiveByTime.walk(tx, f.From, f.To, visit)
	if errors.Is(err, errStopWalk) {
		return nil
	}
	return err
}

// walkCase calls fn with the sequence number and index value of each
// message in client's case, in order.
func walkCase(tx *bolt.Tx, client string, fn func(seq uint64, v []byte) error) error {
	cases := tx.Bucket(bucketArchiveCases)
	if cases == nil {
		return nil
	}
	prefix := append([]byte(client), 0)
	cur := cases.Cursor()
	for k, v := cur.Seek(prefix); k != nil && len(k) == len(prefix)+8 && string(k[:len(prefix)]) == string(prefix); k, v = cur.Next() {
		if err := fn(binary.BigEndian.Uint64(k[len(prefix):]), v); err != nil {
			return err
		}
	}
	return nil
}

// WalkArchive calls fn with each entry f selects, in order, in one read
// snapshot, with the message's content (nil for a tombstone or a purged
// message). raw is fn's to keep. fn runs inside a read transaction: it may
// take its time (the writer goes on) but must not call write methods.
func (db *DB) WalkArchive(ctx context.Context, f ArchiveFilter, fn func(e ArchiveEntry, raw []byte) error) error {
	err := db.view(ctx, func(tx *bolt.Tx) error {
		return walkArchive(tx, f, func(e ArchiveEntry) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			var raw []byte
			if e.Direction != DirectionTombstone && e.PurgedBy == 0 {
				var err error
				if raw, err = archivedRaw(tx, e.Seq); err != nil {
					return fmt.Errorf("entry %d: %w", e.Seq, err)
				}
			}
			return fn(e, raw)
		})
	})
	if err != nil {
		return fmt.Errorf("archive walk: %w", err)
	}
	return nil
}

// ArchiveHead returns the sequence number and hash of the archive's last
// entry (0 and the zero hash when it is empty).
func (db *DB) ArchiveHead(ctx context.Context) (uint64, Hash, error) {
	var seq uint64
	var h Hash
	err := db.view(ctx, func(tx *bolt.Tx) error {
		var err error
		seq, h, err = archiveChain.head(tx)
		return err
	})
	return seq, h, err
}

// ComputeHash returns the hash e must have in the chain: SHA-256 over the
// chain's tag, Seq, Prev and the canonical encoding of the other chained
// fields (not PurgedBy). It needs no store, so an export can be checked
// offline: an entry is intact when ComputeHash equals its Hash.
func (e ArchiveEntry) ComputeHash() Hash {
	return archiveChain.linkHash(e.Seq, e.Prev, e.encode())
}

// ArchiveEntry returns entry seq (message or tombstone), with PurgedBy
// set, or ErrNotFound.
func (db *DB) ArchiveEntry(ctx context.Context, seq uint64) (ArchiveEntry, error) {
	var e ArchiveEntry
	err := db.view(ctx, func(tx *bolt.Tx) error {
		b := tx.Bucket(bucketArchive)
		if b == nil {
			return ErrNotFound
		}
		l, ok := splitLink(u64(seq), b.Get(u64(seq)))
		if !ok {
			return ErrNotFound
		}
		var err error
		if e, err = decodeArchive(l); err != nil {
			return err
		}
		if p := tx.Bucket(bucketArchivePurge); p != nil && len(p.Get(u64(seq))) == 8 {
			e.PurgedBy = binary.BigEndian.Uint64(p.Get(u64(seq)))
		}
		return nil
	})
	if err != nil {
		return ArchiveEntry{}, fmt.Errorf("archive entry %d: %w", seq, err)
	}
	return e, nil
}

// ArchivedMessage returns the raw content of archive entry seq, or
// ErrNotFound if there is no such message or its content was purged.
func (db *DB) ArchivedMessage(ctx context.Context, seq uint64) ([]byte, error) {
	var raw []byte
	err := db.view(ctx, func(tx *bolt.Tx) error {
		var err error
		raw, err = archivedRaw(tx, seq)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("archived message %d: %w", seq, err)
	}
	return raw, nil
}

// archivedRaw returns a copy of the content of entry seq.
func archivedRaw(tx *bolt.Tx, seq uint64) ([]byte, error) {
	b := tx.Bucket(bucketArchive)
	if b == nil {
		return nil, ErrNotFound
	}
	l, ok := splitLink(u64(seq), b.Get(u64(seq)))
	if !ok {
		return nil, ErrNotFound
	}
	e, err := decodeArchive(l)
	if err != nil {
		return nil, err
	}
	if p := tx.Bucket(bucketArchivePurge); e.Direction == DirectionTombstone || (p != nil && p.Get(u64(seq)) != nil) {
		return nil, ErrNotFound
	}
	id := tx.Bucket(bucketBlobIDs).Get(e.Blob[:])
	if len(id) != 8 {
		return nil, ErrNotFound
	}
	raw := blobRaw(tx, binary.BigEndian.Uint64(id))
	if raw == nil {
		return nil, ErrNotFound
	}
	return raw, nil
}
