package storage

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Absence is a period during which a substitute receives a counsellor's
// mail. It covers the half-open interval [From, To): a counsellor absent
// from 09:00 to 17:00 is covered at 09:00:00 and at 16:59:59, and back at
// 17:00:00. Times are stored in UTC at the precision given; callers that
// work at the minute pass whole minutes.
type Absence struct {
	// ID is assigned by SetAbsence and never reused.
	ID         uint64    `json:"id"`
	Counsellor string    `json:"counsellor"`
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	// Substitute is the counsellor who receives the mail meanwhile.
	Substitute string `json:"substitute"`
	// SetBy is who set the absence (a manager of the team; package auth
	// checks that, storage only records it).
	SetBy string `json:"set_by"`
	// Created is set by SetAbsence; among overlapping absences the latest
	// created one wins.
	Created time.Time `json:"created"`
}

// Covers reports whether the absence covers the instant at: From <= at < To.
func (a Absence) Covers(at time.Time) bool { return !at.Before(a.From) && at.Before(a.To) }

func absenceIndexKey(counsellor string, id uint64) []byte {
	k := make([]byte, 0, len(counsellor)+9)
	k = append(k, counsellor...)
	k = append(k, 0)
	return binary.BigEndian.AppendUint64(k, id)
}

// SetAbsence stores a new absence and returns its ID. Counsellor and
// Substitute must be different counsellors (ErrNotFound if unknown), From
// must be before To, SetBy must be set (ErrInvalidCaseload). a.ID and
// a.Created are assigned here.
func (db *DB) SetAbsence(ctx context.Context, a Absence) (uint64, error) {
	a.Counsellor, a.Substitute = strings.ToLower(a.Counsellor), strings.ToLower(a.Substitute)
	a.From, a.To = a.From.UTC(), a.To.UTC()
	if !a.From.Before(a.To) || a.SetBy == "" || a.Counsellor == a.Substitute {
		return 0, fmt.Errorf("set absence of %s: %w", a.Counsellor, ErrInvalidCaseload)
	}
	err := db.write(ctx, func(w *writeTx) error {
		for _, who := range []string{a.Counsellor, a.Substitute} {
			var c Counsellor
			if err := getCaseJSON(w.tx, bucketCounsellors, []byte(who), &c); err != nil {
				return fmt.Errorf("counsellor %s: %w", who, err)
			}
		}
		abs, err := wBucket(w, bucketAbsences)
		if err != nil {
			return err
		}
		idx, err := wBucket(w, bucketAbsenceBy)
		if err != nil {
			return err
		}
		id, err := nextSeq(w.tx, keyAbsenceSeq)
		if err != nil {
			return err
		}
		b := a
		b.ID, b.Created = id, db.now().UTC()
		if err := putJSON(abs, u64(id), b); err != nil {
			return err
		}
		if err := idx.Put(absenceIndexKey(b.Counsellor, id), nil); err != nil {
			return err
		}
		a = b
		return db.logChange(w, &Change{Actor: a.SetBy, Action: "absence.set", Subject: a.Counsellor,
			Detail: fmt.Sprintf("absence %d from %s to %s, substitute %s", id,
				a.From.Format(time.RFC3339), a.To.Format(time.RFC3339), a.Substitute)})
	})
	if err != nil {
		return 0, fmt.Errorf("set absence of %s: %w", a.Counsellor, err)
	}
	return a.ID, nil
}

// EndAbsence ends absence id at the instant at (To becomes at, or From if
// at is earlier, which cancels it). An absence that already ended before at
// is left as it is. The change is logged under actor.
func (db *DB) EndAbsence(ctx context.Context, id uint64, at time.Time, actor string) error {
	at = at.UTC()
	err := db.write(ctx, func(w *writeTx) error {
		var a Absence
		if err := getCaseJSON(w.tx, bucketAbsences, u64(id), &a); err != nil {
			return err
		}
		if !at.Before(a.To) {
			return nil
		}
		a.To = at
		if at.Before(a.From) {
			a.To = a.From
		}
		if err := putJSON(w.tx.Bucket(bucketAbsences), u64(id), a); err != nil {
			return err
		}
		return db.logChange(w, &Change{Actor: actor, Action: "absence.end", Subject: a.Counsellor,
			Detail: fmt.Sprintf("absence %d ends %s", id, a.To.Format(time.RFC3339))})
	})
	if err != nil {
		return fmt.Errorf("end absence %d: %w", id, err)
	}
	return nil
}

// Absences returns the absences of counsellor (every absence when
// counsellor is empty), ordered by ID, past ones included.
func (db *DB) Absences(ctx context.Context, counsellor string) ([]Absence, error) {
	if counsellor == "" {
		var out []Absence
		err := db.view(ctx, func(tx *bolt.Tx) (err error) {
			out, err = listCaseJSON[Absence](tx, bucketAbsences)
			return err
		})
		return out, err
	}
	var out []Absence
	err := db.view(ctx, func(tx *bolt.Tx) error {
		return forCounsellorAbsences(tx, strings.ToLower(counsellor), func(a Absence) {
			out = append(out, a)
		})
	})
	return out, err
}

func forCounsellorAbsences(tx *bolt.Tx, counsellor string, fn func(Absence)) error {
	idx, abs := caseBucket(tx, bucketAbsenceBy), caseBucket(tx, bucketAbsences)
	if idx == nil || abs == nil {
		return nil
	}
	prefix := append([]byte(counsellor), 0)
	c := idx.Cursor()
	for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
		var a Absence
		if err := getJSON(abs, k[len(prefix):], &a); err != nil {
			return err
		}
		fn(a)
	}
	return nil
}

// ActiveAbsence returns the absence of counsellor that covers at, or
// ErrNotFound. When several overlap, the latest created one wins (ties go
// to the higher ID): a manager's newer decision replaces an older one for
// the time they share.
func (db *DB) ActiveAbsence(ctx context.Context, counsellor string, at time.Time) (Absence, error) {
	var best Absence
	err := db.view(ctx, func(tx *bolt.Tx) error {
		return forCounsellorAbsences(tx, strings.ToLower(counsellor), func(a Absence) {
			if !a.Covers(at) {
				return
			}
			if best.ID == 0 || a.Created.After(best.Created) ||
				(a.Created.Equal(best.Created) && a.ID > best.ID) {
				best = a
			}
		})
	})
	if err == nil && best.ID == 0 {
		err = ErrNotFound
	}
	return best, err
}
