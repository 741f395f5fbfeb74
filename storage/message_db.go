package storage

import (
	"context"
	"fmt"
	"slices"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// Want says which heavy parts Messages should read besides the record.
type Want struct {
	Summary bool
	Raw     bool
}

func messagesBucket(tx *bolt.Tx, mailbox uint64) (*bolt.Bucket, error) {
	b := tx.Bucket(bucketMessages).Bucket(u64(mailbox))
	if b == nil {
		return nil, fmt.Errorf("mailbox %d: %w", mailbox, ErrNotFound)
	}
	return b, nil
}

// UIDs returns the UIDs of a mailbox in ascending order.
func (db *DB) UIDs(ctx context.Context, mailbox uint64) ([]uint32, error) {
	var out []uint32
	err := db.view(ctx, func(tx *bolt.Tx) error {
		b, err := messagesBucket(tx, mailbox)
		if err != nil {
			return err
		}
		out = make([]uint32, 0, b.Stats().KeyN)
		return b.ForEach(func(k, _ []byte) error {
			out = append(out, beUint32(k))
			return nil
		})
	})
	return out, err
}

// Messages reads the entries with the given UIDs, in the order given, in
// one consistent snapshot. UIDs that no longer exist are skipped. The
// returned values are copies, valid after return.
func (db *DB) Messages(ctx context.Context, mailbox uint64, uids []uint32, want Want) ([]Message, error) {
	out := make([]Message, 0, len(uids))
	err := db.view(ctx, func(tx *bolt.Tx) error {
		b, err := messagesBucket(tx, mailbox)
		if err != nil {
			return err
		}
		for _, uid := range uids {
			v := b.Get(u32(uid))
			if v == nil {
				continue
			}
			rec, err := decodeRecord(v)
			if err != nil {
				return fmt.Errorf("uid %d: %w", uid, err)
			}
			m := rec.message(uid)
			if want.Summary {
				m.Summary = blobSummary(tx, rec.blob.id)
			}
			if want.Raw {
				m.Raw = blobRaw(tx, rec.blob.id)
			}
			out = append(out, m)
		}
		return nil
	})
	return out, err
}

// FlagOp says how StoreFlags combines the given flags with the current ones.
type FlagOp int

// The STORE operations of RFC 9051 §6.4.6.
const (
	FlagsSet FlagOp = iota
	FlagsAdd
	FlagsRemove
)

// FlagChange is a message's flag set after StoreFlags.
type FlagChange struct {
	UID   uint32
	Flags []string
}

// StoreFlags changes the flags of the given messages and returns the new
// flag set of each existing one. Missing UIDs are skipped.
func (db *DB) StoreFlags(ctx context.Context, mailbox uint64, uids []uint32, op FlagOp, flags []string) ([]FlagChange, error) {
	var out []FlagChange
	err := db.write(ctx, func(w *writeTx) error {
		out = out[:0]
		m, err := getMailboxByID(w.tx, mailbox)
		if err != nil {
			return err
		}
		b, err := messagesBucket(w.tx, mailbox)
		if err != nil {
			return err
		}
		ev := Event{Kind: EventFlags, MailboxID: mailbox}
		for _, uid := range uids {
			v := b.Get(u32(uid))
			if v == nil {
				continue
			}
			rec, err := decodeRecord(v)
			if err != nil {
				return err
			}
			wasSeen := rec.seen()
			rec.setFlags(combineFlags(rec.flags(), op, flags))
			switch {
			case wasSeen && !rec.seen():
				m.Unseen++
			case !wasSeen && rec.seen():
				m.Unseen--
			}
			if err := b.Put(u32(uid), rec.encode()); err != nil {
				return err
			}
			out = append(out, FlagChange{UID: uid, Flags: rec.flags()})
			ev.UIDs = append(ev.UIDs, uid)
			ev.Flags = append(ev.Flags, rec.flags())
		}
		if len(ev.UIDs) > 0 {
			w.emit(ev)
		}
		return putMailbox(w.tx, m)
	})
	return out, err
}

func combineFlags(cur []string, op FlagOp, flags []string) []string {
	switch op {
	case FlagsAdd:
		return append(cur, flags...)
	case FlagsRemove:
		return slices.DeleteFunc(cur, func(f string) bool {
			return slices.ContainsFunc(flags, func(r string) bool { return strings.EqualFold(f, r) })
		})
	default:
		return flags
	}
}

// Transfer reports the UIDs a COPY or MOVE gave the messages in the
// destination (RFC 4315 COPYUID).
type Transfer struct {
	UIDValidity uint32
	Source      []uint32
	Dest        []uint32
}

// CopyMessages copies the given messages (with their flags and internal
// dates) from one mailbox to another, possibly of another account.
func (db *DB) CopyMessages(ctx context.Context, from uint64, uids []uint32, to uint64) (Transfer, error) {
	return db.transfer(ctx, copyMessages, from, uids, to)
}

// MoveMessages moves messages atomically: they appear in to and are
// expunged from from in the same transaction (RFC 6851).
func (db *DB) MoveMessages(ctx context.Context, from uint64, uids []uint32, to uint64) (Transfer, error) {
	return db.transfer(ctx, moveMessages, from, uids, to)
}

type transferFunc func(w *writeTx, from uint64, uids []uint32, to uint64) (Transfer, error)

func (db *DB) transfer(ctx context.Context, fn transferFunc, from uint64, uids []uint32, to uint64) (Transfer, error) {
	var t Transfer
	err := db.write(ctx, func(w *writeTx) error {
		var err error
		t, err = fn(w, from, uids, to)
		return err
	})
	return t, err
}

func copyMessages(w *writeTx, from uint64, uids []uint32, to uint64) (Transfer, error) {
	src, err := messagesBucket(w.tx, from)
	if err != nil {
		return Transfer{}, err
	}
	dst, err := getMailboxByID(w.tx, to)
	if err != nil {
		return Transfer{}, err
	}
	t := Transfer{UIDValidity: dst.UIDValidity}
	for _, uid := range uids {
		v := src.Get(u32(uid))
		if v == nil {
			continue
		}
		rec, err := decodeRecord(v)
		if err != nil {
			return Transfer{}, err
		}
		if err := addRefs(w.tx, rec.blob, 1); err != nil {
			return Transfer{}, err
		}
		nuid, err := putNewRecord(w, &dst, &rec)
		if err != nil {
			return Transfer{}, err
		}
		t.Source = append(t.Source, uid)
		t.Dest = append(t.Dest, nuid)
	}
	return t, putMailbox(w.tx, dst)
}

func moveMessages(w *writeTx, from uint64, uids []uint32, to uint64) (Transfer, error) {
	if from == to {
		return Transfer{}, fmt.Errorf("move into the same mailbox: %w", ErrInvalidName)
	}
	t, err := copyMessages(w, from, uids, to)
	if err != nil {
		return Transfer{}, err
	}
	_, err = expunge(w, from, t.Source)
	return t, err
}

// Expunge removes the given messages from a mailbox; with uids nil it
// removes every message flagged \Deleted. It returns the removed UIDs in
// ascending order.
func (db *DB) Expunge(ctx context.Context, mailbox uint64, uids []uint32) ([]uint32, error) {
	var out []uint32
	err := db.write(ctx, func(w *writeTx) error {
		var err error
		out, err = expunge(w, mailbox, uids)
		return err
	})
	return out, err
}

// ExpungeDeleted removes those of uids that are flagged \Deleted (UID
// EXPUNGE, RFC 4315), or every \Deleted message when uids is nil.
func (db *DB) ExpungeDeleted(ctx context.Context, mailbox uint64, uids []uint32) ([]uint32, error) {
	var out []uint32
	err := db.write(ctx, func(w *writeTx) error {
		b, err := messagesBucket(w.tx, mailbox)
		if err != nil {
			return err
		}
		var deleted []uint32
		check := func(k, v []byte) error {
			rec, err := decodeRecord(v)
			if err != nil {
				return err
			}
			if rec.sys&(1<<3) != 0 {
				deleted = append(deleted, beUint32(k))
			}
			return nil
		}
		if uids == nil {
			err = b.ForEach(check)
		} else {
			for _, uid := range uids {
				if v := b.Get(u32(uid)); v != nil {
					if err = check(u32(uid), v); err != nil {
						break
					}
				}
			}
		}
		if err != nil {
			return err
		}
		out, err = expunge(w, mailbox, deleted)
		return err
	})
	return out, err
}

func expunge(w *writeTx, mailbox uint64, uids []uint32) ([]uint32, error) {
	m, err := getMailboxByID(w.tx, mailbox)
	if err != nil {
		return nil, err
	}
	b, err := messagesBucket(w.tx, mailbox)
	if err != nil {
		return nil, err
	}
	uids = slices.Clone(uids)
	slices.Sort(uids)
	uids = slices.Compact(uids)
	var removed []uint32
	for _, uid := range uids {
		v := b.Get(u32(uid))
		if v == nil {
			continue
		}
		rec, err := decodeRecord(v)
		if err != nil {
			return nil, err
		}
		if err := b.Delete(u32(uid)); err != nil {
			return nil, err
		}
		if err := unrefBlob(w.tx, rec.blob); err != nil {
			return nil, err
		}
		m.Messages--
		m.Size -= rec.size
		if !rec.seen() {
			m.Unseen--
		}
		removed = append(removed, uid)
	}
	if len(removed) > 0 {
		w.emit(Event{Kind: EventExpunged, MailboxID: mailbox, UIDs: removed})
	}
	return removed, putMailbox(w.tx, m)
}
