package storage

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// ArchiveReport sums up a verified archive.
type ArchiveReport struct {
	// Entries is the length of the chain, tombstones included.
	Entries uint64 `json:"entries"`
	// Messages counts the message entries whose content is kept and was
	// checked; Bytes is their total size.
	Messages uint64 `json:"messages"`
	Bytes    int64  `json:"bytes"`
	// Purged counts the tombstones.
	Purged uint64 `json:"purged"`
	// Head is the hash of the last entry: whoever keeps it can later prove
	// that the archive was neither changed nor cut short.
	Head Hash `json:"head"`
}

// VerifyArchive checks the whole archive in one read snapshot: every link
// of the hash chain (as VerifyAudit does), that every entry decodes with
// a known direction, that each tombstone names an earlier message purged
// once, and that the body of every message not purged is stored and still
// has the recorded SHA-256 and size. The first problem is returned as a
// *ChainError (wrapped: use errors.As) naming the entry. progress, if not
// nil, is called now and then with the work done and the total: the chain
// counts once, the bodies once more.
func (db *DB) VerifyArchive(ctx context.Context, progress func(done, total uint64)) (ArchiveReport, error) {
	var rep ArchiveReport
	err := db.view(ctx, func(tx *bolt.Tx) error {
		var err error
		rep, err = verifyArchive(ctx, tx, progress)
		return err
	})
	if err != nil {
		return ArchiveReport{}, fmt.Errorf("archive verify: %w", err)
	}
	return rep, nil
}

func verifyArchive(ctx context.Context, tx *bolt.Tx, progress func(done, total uint64)) (ArchiveReport, error) {
	var rep ArchiveReport
	total := 2 * archiveChain.count(tx)
	purged := make(map[uint64]bool)
	n, head, err := archiveChain.verify(tx, func(l link) (string, error) {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		e, err := decodeArchive(l)
		if err != nil {
			return err.Error(), nil
		}
		switch {
		case e.Direction == DirectionTombstone:
			if e.Purged == 0 || e.Purged >= e.Seq || !isMessageEntry(tx, e.Purged) {
				return fmt.Sprintf("tombstone for entry %d, which is no earlier message", e.Purged), nil
			}
			if purged[e.Purged] {
				return fmt.Sprintf("second tombstone for entry %d", e.Purged), nil
			}
			purged[e.Purged] = true
			rep.Purged++
		case validDirection(e.Direction):
		default:
			return fmt.Sprintf("unknown direction %q", e.Direction), nil
		}
		return "", nil
	}, func(done, _ uint64) {
		if progress != nil {
			progress(done, total)
		}
	})
	if err != nil {
		return ArchiveReport{}, err
	}
	rep.Entries, rep.Head = n, head
	b := tx.Bucket(bucketArchive)
	if b == nil {
		return rep, nil
	}
	cur := b.Cursor()
	for k, v := cur.First(); k != nil; k, v = cur.Next() {
		l, _ := splitLink(k, v) // checked by the walk above
		e, err := decodeArchive(l)
		if err != nil {
			return ArchiveReport{}, err
		}
		if e.Direction != DirectionTombstone && !purged[e.Seq] {
			if reason := checkBody(tx, e); reason != "" {
				return ArchiveReport{}, &ChainError{Chain: archiveChain.name, Seq: e.Seq, Reason: reason}
			}
			rep.Messages++
			rep.Bytes += e.Size
		}
		if progress != nil && (e.Seq%256 == 0 || e.Seq == n) {
			if err := ctx.Err(); err != nil {
				return ArchiveReport{}, err
			}
			progress(n+e.Seq, total)
		}
	}
	return rep, nil
}

// checkBody finds the body of message entry e by its hash and checks its
// content; it returns what is wrong, or "".
func checkBody(tx *bolt.Tx, e ArchiveEntry) string {
	id := tx.Bucket(bucketBlobIDs).Get(e.Blob[:])
	if len(id) != 8 {
		return fmt.Sprintf("body %s is missing", e.Blob)
	}
	body := tx.Bucket(bucketBlobs).Bucket(id)
	if body == nil {
		return fmt.Sprintf("body %s (blob %d) is missing", e.Blob, binary.BigEndian.Uint64(id))
	}
	raw := body.Get(rawKey)
	if int64(len(raw)) != e.Size {
		return fmt.Sprintf("body %s has %d bytes, %d recorded", e.Blob, len(raw), e.Size)
	}
	if Hash(sha256.Sum256(raw)) != e.Blob {
		return fmt.Sprintf("body %s does not match its SHA-256", e.Blob)
	}
	return ""
}

// isMessageEntry reports whether archive entry seq is a message (not a
// tombstone). Entries before the current one are already verified.
func isMessageEntry(tx *bolt.Tx, seq uint64) bool {
	l, ok := splitLink(u64(seq), tx.Bucket(bucketArchive).Get(u64(seq)))
	if !ok {
		return false
	}
	e, err := decodeArchive(l)
	return err == nil && e.Direction != DirectionTombstone
}
