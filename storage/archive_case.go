package storage

import (
	"context"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// CaseBox describes the read-only view of a client's archived exchange.
// Its UIDs are archive sequence numbers, so they only grow and are never
// reused; UIDValidity is one store-wide value, the same for every client.
type CaseBox struct {
	Client      string
	UIDValidity uint32
	// UIDNext is one more than the case's highest UID (1 when empty): any
	// message archived later for the client gets a higher UID.
	UIDNext uint32
	// Messages and Size count the messages whose content is kept (purged
	// ones leave the view).
	Messages uint32
	Size     int64
}

// CaseBox returns the view of client's case. A client with no archived
// message has zero counts; that is not an error.
func (db *DB) CaseBox(ctx context.Context, client string) (CaseBox, error) {
	box := CaseBox{Client: client, UIDNext: 1}
	err := db.view(ctx, func(tx *bolt.Tx) error {
		var err error
		if box.UIDValidity, err = archiveUIDValidity(tx); err != nil {
			return err
		}
		return walkCase(tx, client, func(seq uint64, v []byte) error {
			box.Messages++
			box.Size += int64(binary.BigEndian.Uint64(v))
			box.UIDNext = uint32(seq) + 1
			return nil
		})
	})
	if err != nil {
		return CaseBox{}, fmt.Errorf("case %s: %w", client, err)
	}
	return box, nil
}

// CaseUIDs returns the UIDs of client's case in ascending order.
func (db *DB) CaseUIDs(ctx context.Context, client string) ([]uint32, error) {
	var out []uint32
	err := db.view(ctx, func(tx *bolt.Tx) error {
		return walkCase(tx, client, func(seq uint64, _ []byte) error {
			out = append(out, uint32(seq))
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", client, err)
	}
	return out, nil
}

// CaseMessages returns the messages of client's case with the given UIDs,
// like Messages: Flags is empty (a reader's \Seen is kept elsewhere),
// InternalDate is the archive time, Summary and Raw are set as asked;
// UIDs not in the case are skipped.
func (db *DB) CaseMessages(ctx context.Context, client string, uids []uint32, want Want) ([]Message, error) {
	out := make([]Message, 0, len(uids))
	err := db.view(ctx, func(tx *bolt.Tx) error {
		cases, chainB := tx.Bucket(bucketArchiveCases), tx.Bucket(bucketArchive)
		if cases == nil || chainB == nil {
			return nil
		}
		for _, uid := range uids {
			v := cases.Get(caseKey(client, uint64(uid)))
			if len(v) != 16 {
				continue
			}
			l, ok := splitLink(u64(uint64(uid)), chainB.Get(u64(uint64(uid))))
			if !ok {
				return fmt.Errorf("uid %d: %w", uid, ErrNotFound)
			}
			// Only the time and hash are needed: read them without a
			// full decode.
			r := canonReader{b: l.body}
			r.byte1()
			date := r.time()
			m := Message{UID: uid, InternalDate: date, Size: int64(binary.BigEndian.Uint64(v))}
			blob := binary.BigEndian.Uint64(v[8:])
			if info := tx.Bucket(bucketBlobInfo).Get(u64(blob)); len(info) >= blobInfoFixed {
				copy(m.Blob[:], info[8:blobInfoFixed])
			}
			if want.Summary {
				m.Summary = blobSummary(tx, blob)
			}
			if want.Raw {
				m.Raw = blobRaw(tx, blob)
			}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("case %s: %w", client, err)
	}
	return out, nil
}
