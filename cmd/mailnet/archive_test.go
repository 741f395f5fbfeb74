package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailnet/archive"
	"mailnet/conf"
	"mailnet/storage"
)

// newArchiveData returns a data directory whose store archived four
// messages: two of client J1 ("in" and "out"), one "internal", and a DSN
// three years old.
func newArchiveData(t *testing.T) string {
	t.Helper()
	data := t.TempDir()
	db, err := storage.Open(filepath.Join(data, dbFile), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	now := time.Now()
	for i, m := range []struct {
		info storage.ArchiveInfo
		age  time.Duration
	}{
		{storage.ArchiveInfo{Direction: storage.DirectionIn, From: "jean@example.org", Client: "J1"}, 0},
		{storage.ArchiveInfo{Direction: storage.DirectionOut, From: "marie@mailnet.test", Client: "J1"}, 0},
		{storage.ArchiveInfo{Direction: storage.DirectionInternal, From: "marie@mailnet.test"}, 0},
		{storage.ArchiveInfo{Direction: storage.DirectionDSN, To: []string{"marie@mailnet.test"}}, 3 * 365 * 24 * time.Hour},
	} {
		raw := "From: x@example.org\r\nSubject: archived-body-" + string(rune('a'+i)) + "\r\n\r\nBonjour.\r\n"
		in := storage.Incoming{Raw: []byte(raw), InternalDate: now.Add(-m.age), Archive: &m.info}
		if _, err := db.Deliver(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return data
}

// TestArchiveCommands verifies, exports (audited), holds and releases,
// through a running server's socket and directly.
func TestArchiveCommands(t *testing.T) {
	t.Parallel()
	data := newArchiveData(t)
	check := func(t *testing.T) {
		out, err := runCLI(t, "", "archive", "verify", "--data", data)
		if err != nil || !strings.Contains(out, "archive intact: 4 entries, 4 messages kept") {
			t.Fatalf("archive verify:\n%s%v", out, err)
		}
		head := out[strings.LastIndex(out, " ")+1 : len(out)-1] // "4:<hash>"
		if out, err := runCLI(t, "", "archive", "verify", "--anchor", head, "--data", data); err != nil {
			t.Fatalf("archive verify --anchor %s:\n%s%v", head, out, err)
		}
		wrong := "4:" + strings.Repeat("0", 64)
		if _, err := runCLI(t, "", "archive", "verify", "--anchor", wrong, "--data", data); err == nil || !strings.Contains(err.Error(), "rewritten") {
			t.Fatalf("archive verify with a wrong anchor: %v", err)
		}
		dir := filepath.Join(t.TempDir(), "export")
		out, err = runCLI(t, "", "archive", "export", "--client", "J1", dir, "--data", data)
		if err != nil || !strings.Contains(out, "exported 2 entries, 2 messages") {
			t.Fatalf("archive export:\n%s%v", out, err)
		}
		out, err = runCLI(t, "", "archive", "verify", "--export", dir)
		if err != nil || !strings.Contains(out, "export intact: 2 entries, 2 messages") {
			t.Fatalf("archive verify --export:\n%s%v", out, err)
		}
		out, err = runCLI(t, "", "audit", "list", "--client", "J1", "--data", data)
		if err != nil || !strings.Contains(out, "export") || !strings.Contains(out, "Cases/J1") || !strings.Contains(out, "1,2") {
			t.Fatalf("export not audited:\n%s%v", out, err)
		}
		if out, err := runCLI(t, "", "archive", "hold", "J1", "--data", data); err != nil || !strings.Contains(out, "legal hold") {
			t.Fatalf("archive hold:\n%s%v", out, err)
		}
		if out, err := runCLI(t, "", "archive", "holds", "--data", data); err != nil || !strings.Contains(out, "J1") {
			t.Fatalf("archive holds:\n%s%v", out, err)
		}
		if out, err := runCLI(t, "", "archive", "release", "J1", "--data", data); err != nil || !strings.Contains(out, "released") {
			t.Fatalf("archive release:\n%s%v", out, err)
		}
	}
	t.Run("direct", check)
	t.Run("socket", func(t *testing.T) {
		serveControl(t, data)
		check(t)
	})
}

// TestArchivePurgeCommand purges by the configuration's retention.
func TestArchivePurgeCommand(t *testing.T) {
	t.Parallel()
	data := newArchiveData(t)
	cfg := filepath.Join(t.TempDir(), "mailnet.toml")
	if err := os.WriteFile(cfg, []byte("[archive.retention]\ndsn = \"2y\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, "", "archive", "purge", "--dry-run", "--config", cfg, "--data", data)
	if err != nil || !strings.Contains(out, "would purge 1 messages") {
		t.Fatalf("purge --dry-run:\n%s%v", out, err)
	}
	out, err = runCLI(t, "", "archive", "purge", "--config", cfg, "--data", data)
	if err != nil || !strings.Contains(out, "purged 1 messages") || !strings.Contains(out, "dsn:1") {
		t.Fatalf("purge:\n%s%v", out, err)
	}
	out, err = runCLI(t, "", "archive", "verify", "--data", data)
	if err != nil || !strings.Contains(out, "5 entries, 3 messages kept") || !strings.Contains(out, "1 purged") {
		t.Fatalf("verify after purge:\n%s%v", out, err)
	}
}

// TestArchiveVerifyFails: one byte changed in a stored body makes
// `archive verify` fail, naming the entry.
func TestArchiveVerifyFails(t *testing.T) {
	t.Parallel()
	data := newArchiveData(t)
	path := filepath.Join(data, dbFile)
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	needle := []byte("archived-body-c")
	if bytes.Count(raw, needle) == 0 {
		t.Fatal("body not found in the file")
	}
	raw = bytes.ReplaceAll(raw, needle, []byte("archived-body-C"))
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = runCLI(t, "", "archive", "verify", "--data", data)
	if err == nil || !strings.Contains(err.Error(), "archive chain broken at entry 3") {
		t.Fatalf("verify of a changed body: %v", err)
	}
}

// TestBackupRestore backs up a running server's store, restores it into
// an empty directory (not into a used one) and finds the archive intact.
func TestBackupRestore(t *testing.T) {
	t.Parallel()
	data := newArchiveData(t)
	serveControl(t, data)
	if _, err := runCLI(t, "", "archive", "hold", "J1", "--data", data); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if out, err := runCLI(t, "", "backup", backup, "--data", data); err != nil {
		t.Fatalf("backup:\n%s%v", out, err)
	}
	if _, err := runCLI(t, "", "restore", backup, "--data", data); err == nil || !strings.Contains(err.Error(), "not empty") {
		t.Fatalf("restore into the live data directory: %v", err)
	}
	restored := filepath.Join(t.TempDir(), "restored")
	out, err := runCLI(t, "", "restore", backup, "--data", restored)
	if err != nil || !strings.Contains(out, "archive intact: 4 entries, 4 messages kept") {
		t.Fatalf("restore:\n%s%v", out, err)
	}
	out, err = runCLI(t, "", "archive", "holds", "--data", restored)
	if err != nil || !strings.Contains(out, "J1") {
		t.Fatalf("holds of the restored store:\n%s%v", out, err)
	}
	junk := filepath.Join(t.TempDir(), "junk.db")
	if err := os.WriteFile(junk, bytes.Repeat([]byte("not a store "), 2000), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(t.TempDir(), "x")
	if _, err := runCLI(t, "", "restore", junk, "--data", empty); err == nil {
		t.Fatal("restore of a file that is not a store succeeded")
	}
	if names, _ := os.ReadDir(empty); len(names) != 0 {
		t.Fatalf("failed restore left %v", names)
	}
}

// TestArchiveExportRefusesUsedDir: an export never writes over files,
// through the socket too.
func TestArchiveExportRefusesUsedDir(t *testing.T) {
	t.Parallel()
	data := newArchiveData(t)
	serveControl(t, data)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "", "archive", "export", dir, "--data", data); !errors.Is(err, archive.ErrNotEmpty) {
		t.Fatalf("export into a used directory: %v, want archive.ErrNotEmpty", err)
	}
}

// TestRetentionCategoriesAreDirections: every retention key of the
// configuration names an archive direction, and every direction has one.
func TestRetentionCategoriesAreDirections(t *testing.T) {
	t.Parallel()
	got := conf.Default().Archive.Retention.ByCategory()
	if len(got) != len(storage.Directions) {
		t.Fatalf("retention categories %v, directions %v", got, storage.Directions)
	}
	for _, d := range storage.Directions {
		if _, ok := got[d]; !ok {
			t.Errorf("direction %q has no retention key", d)
		}
	}
}
