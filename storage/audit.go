package storage

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// bucketAudit holds the audit log: a chain (see chain) keyed by sequence
// number, created with its first entry.
var bucketAudit = []byte("audit")

// auditChain is the audit log's hash chain.
var auditChain = chain{name: "audit", tag: "mailnet-audit-1", bucket: bucketAudit}

// auditByTime is the audit log's time index (bucket "audit_time").
var auditByTime = timeIndex{bucket: []byte("audit_time"), chain: auditChain, timeOf: func(l link) (time.Time, error) {
	e, err := decodeAudit(l)
	return e.Time, err
}}

// auditVersion is the first byte of an encoded audit entry.
const auditVersion = 1

// AuditEntry is one access by a user to mail that is not their own.
type AuditEntry struct {
	// Seq is assigned by Audit, from 1, never reused.
	Seq uint64 `json:"seq"`
	// Time is when the access happened; Audit sets it from the store's
	// clock when zero. It is kept to the nanosecond, in UTC.
	Time time.Time `json:"time"`
	// Actor is the reader's account address.
	Actor string `json:"actor"`
	// Action says what was done: "select", "fetch", "export",
	// "web-view", ….
	Action string `json:"action"`
	// Mailbox is what was read, e.g. "Shared/ana@pes.test/INBOX" or
	// "Cases/J1 Dupont".
	Mailbox string `json:"mailbox"`
	// Owner is the mailbox owner's address, "" for a case view.
	Owner string `json:"owner,omitempty"`
	// Client is the client id when known.
	Client string `json:"client,omitempty"`
	// UIDs are the messages read, when relevant.
	UIDs []uint32 `json:"uids,omitempty"`
	// Remote is the reader's IP address.
	Remote string `json:"remote,omitempty"`
	// Prev is the hash of the previous entry (zero for the first one) and
	// Hash this entry's: SHA-256 over the chain tag, Seq, Prev and the
	// canonical encoding of the other fields (docs/storage.md).
	Prev Hash `json:"prev"`
	Hash Hash `json:"hash"`
}

func (e *AuditEntry) encode() []byte {
	var w canonWriter
	w.byte1(auditVersion)
	w.time(e.Time)
	w.string(e.Actor)
	w.string(e.Action)
	w.string(e.Mailbox)
	w.string(e.Owner)
	w.string(e.Client)
	w.uint32s(e.UIDs)
	w.string(e.Remote)
	return w.b
}

func decodeAudit(l link) (AuditEntry, error) {
	r := canonReader{b: l.body}
	if v := r.byte1(); r.err == nil && v != auditVersion {
		return AuditEntry{}, fmt.Errorf("audit entry %d: unknown version %d", l.seq, v)
	}
	e := AuditEntry{Seq: l.seq, Prev: l.prev, Hash: l.hash}
	e.Time = r.time()
	e.Actor = r.string()
	e.Action = r.string()
	e.Mailbox = r.string()
	e.Owner = r.string()
	e.Client = r.string()
	e.UIDs = r.uint32s()
	e.Remote = r.string()
	if err := r.done(); err != nil {
		return AuditEntry{}, fmt.Errorf("audit entry %d: %w", l.seq, err)
	}
	return e, nil
}

// Audit appends e to the audit log and returns it with Seq, Time (when it
// was zero), Prev and Hash set. It returns once the entry is durably
// committed. The Seq, Prev and Hash given are ignored.
func (db *DB) Audit(ctx context.Context, e AuditEntry) (AuditEntry, error) {
	if e.Actor == "" || e.Action == "" {
		return AuditEntry{}, fmt.Errorf("audit: %w: actor and action are required", ErrInvalidEntry)
	}
	if e.Time.IsZero() {
		e.Time = db.now()
	}
	e.Time = e.Time.UTC()
	err := db.write(ctx, func(w *writeTx) error {
		return appendAudit(w, &e)
	})
	if err != nil {
		return AuditEntry{}, fmt.Errorf("audit: %w", err)
	}
	return e, nil
}

// appendAudit appends e in w's transaction and sets its chain fields.
func appendAudit(w *writeTx, e *AuditEntry) error {
	body := e.encode()
	seq, prev, h, err := auditChain.append(w, func(uint64, Hash) []byte { return body })
	if err != nil {
		return err
	}
	e.Seq, e.Prev, e.Hash = seq, prev, h
	return auditByTime.put(w.tx, e.Time, seq)
}

// AuditFilter selects audit entries. Zero fields select everything.
type AuditFilter struct {
	// Actor keeps the entries of one reader (case-insensitive).
	Actor string `json:"actor,omitempty"`
	// Client keeps the entries about one client.
	Client string `json:"client,omitempty"`
	// Since keeps the entries at or after this time.
	Since time.Time `json:"since,omitzero"`
	// Limit, if positive, returns at most that many entries (the oldest
	// ones that match).
	Limit int `json:"limit,omitempty"`
}

func (f AuditFilter) match(e AuditEntry) bool {
	return (f.Actor == "" || strings.EqualFold(f.Actor, e.Actor)) &&
		(f.Client == "" || f.Client == e.Client) &&
		(f.Since.IsZero() || !e.Time.Before(f.Since))
}

// AuditEntries returns the entries f selects, in sequence order.
func (db *DB) AuditEntries(ctx context.Context, f AuditFilter) ([]AuditEntry, error) {
	var out []AuditEntry
	err := db.view(ctx, func(tx *bolt.Tx) error {
		err := auditByTime.walk(tx, f.Since, time.Time{}, func(k, v []byte) error {
			l, ok := splitLink(k, v)
			if !ok {
				return &ChainError{Chain: auditChain.name, Reason: "malformed entry"}
			}
			e, err := decodeAudit(l)
			if err != nil {
				return err
			}
			if !f.match(e) {
				return nil
			}
			out = append(out, e)
			if f.Limit > 0 && len(out) == f.Limit {
				return errStopWalk
			}
			return nil
		})
		if errors.Is(err, errStopWalk) {
			return nil
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("audit entries: %w", err)
	}
	return out, nil
}

// VerifyAudit walks the whole audit log and checks every link of its hash
// chain, and that every entry decodes. It returns nil when the log is
// intact, a *ChainError naming the first broken entry otherwise (wrapped:
// use errors.As). progress, if not nil, is called now and then with the
// entries checked and the total. It reads one consistent snapshot, so the
// server can keep appending meanwhile.
func (db *DB) VerifyAudit(ctx context.Context, progress func(done, total uint64)) error {
	err := db.view(ctx, func(tx *bolt.Tx) error {
		_, _, err := auditChain.verify(tx, func(l link) (string, error) {
			if _, err := decodeAudit(l); err != nil {
				return err.Error(), nil
			}
			return "", nil
		}, progress)
		return err
	})
	if err != nil {
		return fmt.Errorf("audit verify: %w", err)
	}
	return nil
}
