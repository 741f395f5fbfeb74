package storage

import (
	"context"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// TestArchivePeriodUsesTimeIndex: entries archived at scattered times
// (internal dates need not grow with the sequence), selected by a period,
// are exactly those a full scan selects, in sequence order, tombstones
// included; and a store whose index is missing rebuilds it at open.
func TestArchivePeriodUsesTimeIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mailnet.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	acc := newTestAccount(t, db, "marie@pes.test")
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 60 {
		at := base.Add(time.Duration(rng.IntN(30*24)) * time.Hour)
		_, err := db.Deliver(ctx, Incoming{Raw: testMessage("m" + string(rune('A'+i%26)) + at.String()), InternalDate: at,
			Deliveries: []Delivery{{Account: acc.ID, Mailbox: "INBOX"}},
			Archive:    &ArchiveInfo{Direction: DirectionIn, Client: "J1", Counsellor: "marie@pes.test"}})
		if err != nil {
			t.Fatal(err)
		}
	}
	periods := []ArchiveFilter{
		{From: base.Add(5 * 24 * time.Hour), To: base.Add(12 * 24 * time.Hour)},
		{From: base.Add(20 * 24 * time.Hour)},
		{To: base.Add(3 * 24 * time.Hour)},
		{From: base.Add(5 * 24 * time.Hour), To: base.Add(12 * 24 * time.Hour), Limit: 3},
		{From: base.Add(-time.Hour), To: base},
	}
	check := func(db *DB) {
		t.Helper()
		all, err := db.ArchiveEntries(ctx, ArchiveFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range periods {
			got, err := db.ArchiveEntries(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var want []uint64
			for _, e := range all {
				if f.match(e) && (f.Limit == 0 || len(want) < f.Limit) {
					want = append(want, e.Seq)
				}
			}
			var seqs []uint64
			for _, e := range got {
				seqs = append(seqs, e.Seq)
			}
			if !slices.Equal(seqs, want) {
				t.Fatalf("period %+v: %v, want %v", f, seqs, want)
			}
		}
	}
	check(db)
	// The store as it was before the index: drop it, reopen, same answers.
	if err := db.bolt.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketArchiveTime) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check(db)
}

// TestAuditSinceUsesTimeIndex: the audit log's --since selection through
// its time index equals a full scan's, before and after a rebuild.
func TestAuditSinceUsesTimeIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mailnet.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	base := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 40 {
		at := base.Add(time.Duration(rng.IntN(30*24)) * time.Hour)
		actor := []string{"ana@pes.test", "bob@pes.test"}[i%2]
		if _, err := db.Audit(ctx, AuditEntry{Time: at, Actor: actor, Action: "fetch", Mailbox: "Cases/J1"}); err != nil {
			t.Fatal(err)
		}
	}
	check := func(db *DB) {
		t.Helper()
		all, err := db.AuditEntries(ctx, AuditFilter{})
		if err != nil || len(all) != 40 {
			t.Fatalf("all entries: %d, %v", len(all), err)
		}
		for _, f := range []AuditFilter{{Since: base.Add(10 * 24 * time.Hour)}, {Since: base.Add(10 * 24 * time.Hour), Actor: "bob@pes.test", Limit: 4}} {
			got, err := db.AuditEntries(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			var want, seqs []uint64
			for _, e := range all {
				if f.match(e) && (f.Limit == 0 || len(want) < f.Limit) {
					want = append(want, e.Seq)
				}
			}
			for _, e := range got {
				seqs = append(seqs, e.Seq)
			}
			if !slices.Equal(seqs, want) {
				t.Fatalf("filter %+v: %v, want %v", f, seqs, want)
			}
		}
	}
	check(db)
	if err := db.bolt.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(auditByTime.bucket) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if db, err = Open(path, Options{}); err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check(db)
	if err := db.VerifyAudit(ctx, nil); err != nil {
		t.Fatalf("VerifyAudit: %v", err)
	}
}
