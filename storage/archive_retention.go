package storage

import (
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Hold is a legal hold on a client's archived mail: while it lasts, no
// purge removes any of it.
type Hold struct {
	Client string    `json:"client"`
	Since  time.Time `json:"since"`
	By     string    `json:"by"`
}

// SetHold puts client's archived mail under legal hold (on) or releases
// it. by names who did it. Holding a client already held, or releasing one
// that is not, changes nothing and is not an error.
func (db *DB) SetHold(ctx context.Context, client string, on bool, by string) error {
	if client == "" {
		return fmt.Errorf("hold: %w: no client", ErrInvalidEntry)
	}
	err := db.write(ctx, func(w *writeTx) error {
		b, err := wBucket(w, bucketArchiveHolds)
		if err != nil {
			return err
		}
		switch {
		case !on:
			return b.Delete([]byte(client))
		case b.Get([]byte(client)) != nil:
			return nil
		}
		return putJSON(b, []byte(client), Hold{Client: client, Since: db.now().UTC(), By: by})
	})
	if err != nil {
		return fmt.Errorf("hold %s: %w", client, err)
	}
	return nil
}

// Holds lists the clients under legal hold, by client.
func (db *DB) Holds(ctx context.Context) ([]Hold, error) {
	var out []Hold
	err := db.view(ctx, func(tx *bolt.Tx) error {
		var err error
		out, err = listCaseJSON[Hold](tx, bucketArchiveHolds)
		return err
	})
	return out, err
}

// PurgeRequest says what PurgeArchive removes.
type PurgeRequest struct {
	// Retention is the period of each direction (Directions); a missing
	// or zero period keeps that direction forever.
	Retention map[string]time.Duration
	// Now is the reference time; zero means the store's clock.
	Now time.Time
	// DryRun counts what would be purged and changes nothing.
	DryRun bool
}

// PurgeReport counts what a purge removed (or would remove).
type PurgeReport struct {
	// Purged is the number of messages whose content was removed, Bytes
	// their total size, ByDirection the count per direction.
	Purged      uint64            `json:"purged"`
	Bytes       int64             `json:"bytes"`
	ByDirection map[string]uint64 `json:"by_direction,omitempty"`
	// Held counts the messages past their period kept for a legal hold.
	Held uint64 `json:"held"`
}

// purgeBatch is how many messages one purge transaction removes, so a
// large purge never holds the writer for long.
const purgeBatch = 256

// PurgeArchive removes the content of every archived message older than
// its direction's retention period, except for clients under legal hold.
// Each removal appends a tombstone entry to the chain (Purged names the
// message, Reason the rule), drops the archive's reference on the body
// (which goes with its last reference), takes the message out of its
// client's case (EventExpunged with Case) and leaves the message's own
// entry in place, so the chain still verifies and proves what was there
// and when it went. Work is committed in batches; progress, if not nil,
// is called after each.
func (db *DB) PurgeArchive(ctx context.Context, req PurgeRequest, progress func(done, total uint64)) (PurgeReport, error) {
	if req.Now.IsZero() {
		req.Now = db.now()
	}
	rep := PurgeReport{ByDirection: map[string]uint64{}}
	var due []uint64
	err := db.view(ctx, func(tx *bolt.Tx) error {
		holds := tx.Bucket(bucketArchiveHolds)
		return walkArchive(tx, ArchiveFilter{}, func(e ArchiveEntry) error {
			if !expired(e, req) {
				return nil
			}
			if holds != nil && e.Client != "" && holds.Get([]byte(e.Client)) != nil {
				rep.Held++
				return nil
			}
			due = append(due, e.Seq)
			if req.DryRun {
				rep.count(e)
			}
			return nil
		})
	})
	if err != nil || req.DryRun {
		return rep, wrapPurge(err)
	}
	var done uint64
	for chunk := range slices.Chunk(due, purgeBatch) {
		var part PurgeReport
		err := db.write(ctx, func(w *writeTx) error {
			part = PurgeReport{ByDirection: map[string]uint64{}}
			return purgeEntries(w, chunk, req, &part)
		})
		if err != nil {
			return rep, wrapPurge(err)
		}
		rep.Purged += part.Purged
		rep.Bytes += part.Bytes
		rep.Held += part.Held // held since the scan
		for d, n := range part.ByDirection {
			rep.ByDirection[d] += n
		}
		if done += uint64(len(chunk)); progress != nil {
			progress(done, uint64(len(due)))
		}
	}
	return rep, nil
}

func wrapPurge(err error) error {
	if err != nil {
		return fmt.Errorf("archive purge: %w", err)
	}
	return nil
}

func (r *PurgeReport) count(e ArchiveEntry) {
	r.Purged++
	r.Bytes += e.Size
	r.ByDirection[e.Direction]++
}

// expired reports whether message entry e, not purged yet, is past its
// retention period.
func expired(e ArchiveEntry, req PurgeRequest) bool {
	period := req.Retention[e.Direction]
	return e.Direction != DirectionTombstone && e.PurgedBy == 0 && period > 0 && !e.Time.Add(period).After(req.Now)
}

// purgeEntries purges the given entries in w's transaction, checking each
// again (a hold or another purge may have come since they were chosen).
func purgeEntries(w *writeTx, seqs []uint64, req PurgeRequest, rep *PurgeReport) error {
	purged, err := wBucket(w, bucketArchivePurge)
	if err != nil {
		return err
	}
	holds := w.tx.Bucket(bucketArchiveHolds)
	for _, seq := range seqs {
		l, ok := splitLink(u64(seq), w.tx.Bucket(bucketArchive).Get(u64(seq)))
		if !ok {
			return fmt.Errorf("entry %d: %w", seq, ErrNotFound)
		}
		e, err := decodeArchive(l)
		if err != nil {
			return err
		}
		if purged.Get(u64(seq)) != nil || !expired(e, req) {
			continue
		}
		if holds != nil && e.Client != "" && holds.Get([]byte(e.Client)) != nil {
			rep.Held++
			continue
		}
		if err := purgeEntry(w, e, req, purged); err != nil {
			return err
		}
		rep.count(e)
	}
	return nil
}

// purgeEntry appends e's tombstone and removes its content.
func purgeEntry(w *writeTx, e ArchiveEntry, req PurgeRequest, purged *bolt.Bucket) error {
	t := ArchiveEntry{Time: req.Now.UTC(), Direction: DirectionTombstone, Client: e.Client, Counsellor: e.Counsellor,
		Purged: e.Seq, Reason: fmt.Sprintf("retention of %s: %dd", e.Direction, req.Retention[e.Direction]/(24*time.Hour))}
	tomb, _, _, err := archiveChain.append(w, func(uint64, Hash) []byte { return t.encode() })
	if err != nil {
		return err
	}
	if err := archiveByTime.put(w.tx, t.Time, tomb); err != nil {
		return err
	}
	if err := purged.Put(u64(e.Seq), u64(tomb)); err != nil {
		return err
	}
	if id := w.tx.Bucket(bucketBlobIDs).Get(e.Blob[:]); len(id) == 8 {
		if err := unrefBlob(w.tx, blobRef{id: binary.BigEndian.Uint64(id), hash: e.Blob}); err != nil {
			return err
		}
	}
	if e.Client == "" {
		return nil
	}
	if cases := w.tx.Bucket(bucketArchiveCases); cases != nil {
		if err := cases.Delete(caseKey(e.Client, e.Seq)); err != nil {
			return err
		}
	}
	w.emit(Event{Kind: EventExpunged, Case: e.Client, UIDs: []uint32{uint32(e.Seq)}})
	return nil
}
