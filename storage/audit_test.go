package storage

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// TestAuditAppendAndList appends entries and reads them back with each
// filter; the chain fields link every entry to the previous one.
func TestAuditAppendAndList(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)
	in := []AuditEntry{
		{Time: t0, Actor: "marc@pes.test", Action: "select", Mailbox: "Shared/ana@pes.test/INBOX", Owner: "ana@pes.test", Remote: "192.0.2.1"},
		{Time: t0.Add(time.Hour), Actor: "marc@pes.test", Action: "fetch", Mailbox: "Cases/J1 Dupont", Client: "J1", UIDs: []uint32{3, 7}},
		{Actor: "Lea@pes.test", Action: "export", Mailbox: "Cases/J2", Client: "J2"},
	}
	var got []AuditEntry
	for _, e := range in {
		out, err := db.Audit(ctx, e)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, out)
	}
	for i, e := range got {
		if e.Seq != uint64(i+1) {
			t.Errorf("entry %d: seq %d", i, e.Seq)
		}
		if i > 0 && e.Prev != got[i-1].Hash {
			t.Errorf("entry %d: prev %s, want %s", i, e.Prev, got[i-1].Hash)
		}
		if e.Hash == (Hash{}) || e.Time.IsZero() {
			t.Errorf("entry %d: hash or time not set: %+v", i, e)
		}
	}
	if got[0].Prev != (Hash{}) {
		t.Errorf("first prev %s, want zero", got[0].Prev)
	}
	tests := []struct {
		name string
		f    AuditFilter
		want []uint64
	}{
		{"all", AuditFilter{}, []uint64{1, 2, 3}},
		{"actor", AuditFilter{Actor: "MARC@pes.test"}, []uint64{1, 2}},
		{"client", AuditFilter{Client: "J1"}, []uint64{2}},
		{"since", AuditFilter{Since: t0.Add(time.Minute)}, []uint64{2, 3}},
		{"limit", AuditFilter{Limit: 2}, []uint64{1, 2}},
		{"none", AuditFilter{Actor: "nobody@pes.test"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			es, err := db.AuditEntries(ctx, tc.f)
			if err != nil {
				t.Fatal(err)
			}
			var seqs []uint64
			for _, e := range es {
				seqs = append(seqs, e.Seq)
			}
			if !slices.Equal(seqs, tc.want) {
				t.Fatalf("got %v, want %v", seqs, tc.want)
			}
		})
	}
	all, err := db.AuditEntries(ctx, AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if !all[1].Time.Equal(in[1].Time) || !slices.Equal(all[1].UIDs, in[1].UIDs) || all[0].Remote != "192.0.2.1" || all[1].Hash != got[1].Hash {
		t.Fatalf("entry read back differs: %+v", all[1])
	}
	var calls int
	if err := db.VerifyAudit(ctx, func(done, total uint64) {
		calls++
		if total != 3 {
			t.Errorf("progress total %d", total)
		}
	}); err != nil {
		t.Fatal(err)
	}
	if calls == 0 {
		t.Error("progress never called")
	}
}

// TestAuditRejectsIncomplete: an entry without actor or action is refused.
func TestAuditRejectsIncomplete(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	if _, err := db.Audit(context.Background(), AuditEntry{Action: "fetch"}); err == nil {
		t.Fatal("entry without actor accepted")
	}
}

// TestAuditTamper changes one byte of an entry in the bbolt file and
// sees VerifyAudit name that entry.
func TestAuditTamper(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "mailnet.db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, actor := range []string{"one@pes.test", "tamper-me@pes.test", "three@pes.test"} {
		if _, err := db.Audit(ctx, AuditEntry{Actor: actor, Action: "fetch", Mailbox: "Cases/J1"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.VerifyAudit(ctx, nil); err != nil {
		t.Fatalf("intact log: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	flipInFile(t, path, []byte("tamper-me@pes.test"))
	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	err = db.VerifyAudit(ctx, nil)
	var ce *ChainError
	if !errors.As(err, &ce) || ce.Chain != "audit" || ce.Seq != 2 {
		t.Fatalf("verify after tampering: %v, want a broken link at audit entry 2", err)
	}
}

// flipInFile changes one byte in every copy of needle in the file at path
// (bbolt may keep stale copies of a page in free pages: all are changed
// so the live one surely is). It fails the test if needle is absent.
func flipInFile(t *testing.T, path string, needle []byte) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for i := 0; ; {
		j := bytes.Index(data[i:], needle)
		if j < 0 {
			break
		}
		data[i+j+len(needle)/2] ^= 0x01
		i += j + len(needle)
		n++
	}
	if n == 0 {
		t.Fatalf("%q not found in %s", needle, path)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
