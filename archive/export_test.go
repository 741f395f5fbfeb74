package archive

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"mailnet/storage"
)

var exportNow = time.Date(2027, 1, 4, 9, 0, 0, 0, time.UTC)

// newArchive returns a store holding five archived messages: J1's first,
// third and fifth (the third with lines that need mboxrd quoting), an
// internal note, and J2's.
func newArchive(t *testing.T) *storage.DB {
	t.Helper()
	db, err := storage.Open(filepath.Join(t.TempDir(), "mailnet.db"), storage.Options{Now: func() time.Time { return exportNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	msgs := []struct {
		body   string
		client string
		dir    string
	}{
		{"Bonjour,\r\nune question.\r\n", "J1", storage.DirectionIn},
		{"Note interne.\r\n", "", storage.DirectionInternal},
		{"From the start\r\n>From quoted\r\nFrom: not a header\r\n", "J1", storage.DirectionOut},
		{"Autre client.\r\n", "J2", storage.DirectionIn},
		{"Merci.", "J1", storage.DirectionIn}, // no final line end
	}
	for i, m := range msgs {
		raw := "From: jean@example.org\r\nSubject: m" + string(rune('0'+i)) + "\r\n\r\n" + m.body
		in := storage.Incoming{Raw: []byte(raw), InternalDate: exportNow.Add(-time.Duration(10-i) * 24 * time.Hour),
			Archive: &storage.ArchiveInfo{Direction: m.dir, From: "jean@example.org", To: []string{"marie@mailnet.test"}, Client: m.client}}
		if _, err := db.Deliver(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestExportVerifies(t *testing.T) {
	t.Parallel()
	db := newArchive(t)
	ctx := context.Background()
	tests := []struct {
		name     string
		f        storage.ArchiveFilter
		messages uint64
	}{
		{"all", storage.ArchiveFilter{}, 5},
		{"client", storage.ArchiveFilter{Client: "J1"}, 3},
		{"period", storage.ArchiveFilter{From: exportNow.Add(-9 * 24 * time.Hour), To: exportNow.Add(-7 * 24 * time.Hour)}, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "export")
			m, err := Export(ctx, db, tc.f, dir, exportNow, nil)
			if err != nil {
				t.Fatal(err)
			}
			if m.Messages != tc.messages || m.HeadSeq != 5 {
				t.Fatalf("manifest: %d messages, head %d", m.Messages, m.HeadSeq)
			}
			got, err := VerifyExport(dir, nil)
			if err != nil || got.Messages != tc.messages {
				t.Fatalf("verify: %+v, %v", got, err)
			}
		})
	}
	t.Run("not empty", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "x"), nil, 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := Export(ctx, db, storage.ArchiveFilter{}, dir, exportNow, nil); !errors.Is(err, ErrNotEmpty) {
			t.Fatalf("export into a non-empty directory: %v", err)
		}
	})
}

// TestExportMboxrd: the mbox separates messages and quotes From lines.
func TestExportMboxrd(t *testing.T) {
	t.Parallel()
	db := newArchive(t)
	dir := filepath.Join(t.TempDir(), "export")
	if _, err := Export(context.Background(), db, storage.ArchiveFilter{Client: "J1"}, dir, exportNow, nil); err != nil {
		t.Fatal(err)
	}
	mbox, err := os.ReadFile(filepath.Join(dir, MboxFile))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"\n>From the start\r\n", "\n>>From quoted\r\n", "\nFrom: not a header\r\n", "\nMerci.\n\n"} {
		if !bytes.Contains(mbox, []byte(want)) {
			t.Errorf("mbox lacks %q:\n%s", want, mbox)
		}
	}
	if n := bytes.Count(mbox, []byte("\nFrom jean@example.org ")) + 1; !bytes.HasPrefix(mbox, []byte("From jean@example.org ")) || n != 3 {
		t.Errorf("mbox has %d From_ lines, want 3", n)
	}
}

// TestExportTamper changes one byte of a message in the mbox, or one field
// of an entry in the manifest, and sees VerifyExport fail.
func TestExportTamper(t *testing.T) {
	t.Parallel()
	db := newArchive(t)
	tests := []struct {
		name, file, old, new string
	}{
		{"message", MboxFile, "une question", "une questioN"},
		{"quoted line", MboxFile, ">>From quoted", ">From quoted"},
		{"entry", ManifestFile, `"client": "J2"`, `"client": "J3"`},
		{"dropped entry", ManifestFile, `"seq": 2,`, `"seq": 22,`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "export")
			if _, err := Export(context.Background(), db, storage.ArchiveFilter{}, dir, exportNow, nil); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, tc.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Contains(data, []byte(tc.old)) {
				t.Fatalf("%s lacks %q", tc.file, tc.old)
			}
			data = bytes.Replace(data, []byte(tc.old), []byte(tc.new), 1)
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := VerifyExport(dir, nil); !errors.Is(err, ErrBadExport) {
				t.Fatalf("verify after tampering: %v, want ErrBadExport", err)
			}
		})
	}
}

// TestExportAfterPurge: purged messages are exported as entries with
// their tombstones, without content, and the export still verifies.
func TestExportAfterPurge(t *testing.T) {
	t.Parallel()
	db := newArchive(t)
	ctx := context.Background()
	rep, err := db.PurgeArchive(ctx, storage.PurgeRequest{Retention: map[string]time.Duration{storage.DirectionIn: 7 * 24 * time.Hour}}, nil)
	if err != nil || rep.Purged != 2 {
		t.Fatalf("purge: %+v, %v", rep, err)
	}
	dir := filepath.Join(t.TempDir(), "export")
	m, err := Export(ctx, db, storage.ArchiveFilter{}, dir, exportNow, nil)
	if err != nil || m.Messages != 3 || len(m.Entries) != 7 {
		t.Fatalf("export: %d messages, %d entries, %v", m.Messages, len(m.Entries), err)
	}
	if _, err := VerifyExport(dir, nil); err != nil {
		t.Fatal(err)
	}
}

func TestQuoteRoundTrip(t *testing.T) {
	t.Parallel()
	for _, in := range []string{"", "From x", "a\nFrom b\n>From c\n>>From d\nFromage\n", "\r\nFrom \r\n", ">From"} {
		q := quote([]byte(in))
		if got := string(unquote(q)); got != in {
			t.Errorf("unquote(quote(%q)) = %q", in, got)
		}
		for _, line := range bytes.SplitAfter(q, []byte("\n")) {
			if bytes.HasPrefix(line, []byte("From ")) {
				t.Errorf("quote(%q) leaves a From_ line: %q", in, q)
			}
		}
	}
}

// TestExportClientAfterPurge: a client's export keeps its purged messages
// (without content) and their tombstones.
func TestExportClientAfterPurge(t *testing.T) {
	t.Parallel()
	db := newArchive(t)
	ctx := context.Background()
	if _, err := db.PurgeArchive(ctx, storage.PurgeRequest{Retention: map[string]time.Duration{storage.DirectionIn: 9 * 24 * time.Hour}}, nil); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "export")
	m, err := Export(ctx, db, storage.ArchiveFilter{Client: "J1"}, dir, exportNow, nil)
	if err != nil || m.Messages != 2 || len(m.Entries) != 4 || m.Entries[0].PurgedBy != 6 || m.Entries[3].Purged != 1 {
		t.Fatalf("export: %+v, %v", m, err)
	}
	if _, err := VerifyExport(dir, nil); err != nil {
		t.Fatal(err)
	}
}
