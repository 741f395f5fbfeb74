package e2e

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestArchiveEndToEnd delivers mail to a running server, verifies and
// exports its archive through the control socket, checks the export
// offline, then restores a backup into an empty directory and finds the
// archive and the audit log intact there.
func TestArchiveEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, testTimeout)
	s := startServer(t)
	marie := "marie.dupont@" + testDomain
	s.addUser(t, ctx, marie, "correct horse battery")
	for _, subject := range []string{"Premier", "Second"} {
		msg := testMessage{From: "jean@" + remoteDomain, To: marie, Subject: subject, Text: "Bonjour.\nFrom the start of a line."}
		if err := s.deliverMX(t, ctx, "jean@"+remoteDomain, []string{marie}, msg.bytes()); err != nil {
			t.Fatal(err)
		}
	}
	out, err := s.mailnet(ctx, "", "archive", "verify", "--data", s.dataDir)
	if err != nil || !strings.Contains(out, "archive intact: 2 entries, 2 messages kept") {
		t.Fatalf("archive verify while serving: %q, %v", out, err)
	}
	dir := filepath.Join(t.TempDir(), "export")
	if out, err := s.mailnet(ctx, "", "archive", "export", dir, "--data", s.dataDir); err != nil || !strings.Contains(out, "exported 2 entries") {
		t.Fatalf("archive export: %q, %v", out, err)
	}
	if out, err := s.mailnet(ctx, "", "archive", "verify", "--export", dir); err != nil || !strings.Contains(out, "export intact: 2 entries, 2 messages") {
		t.Fatalf("archive verify --export: %q, %v", out, err)
	}
	if out, err := s.mailnet(ctx, "", "audit", "list", "--data", s.dataDir); err != nil || !strings.Contains(out, "export") {
		t.Fatalf("audit list: %q, %v", out, err)
	}
	backup := filepath.Join(t.TempDir(), "backup.db")
	if out, err := s.mailnet(ctx, "", "backup", backup, "--data", s.dataDir); err != nil {
		t.Fatalf("backup: %q, %v", out, err)
	}
	restored := filepath.Join(t.TempDir(), "restored")
	out, err = s.mailnet(ctx, "", "restore", backup, "--data", restored)
	if err != nil || !strings.Contains(out, "archive intact: 2 entries, 2 messages kept; audit log intact") {
		t.Fatalf("restore: %q, %v", out, err)
	}
	if _, err := s.mailnet(ctx, "", "restore", backup, "--data", s.dataDir); err == nil {
		t.Fatal("restore into the live data directory succeeded")
	}
}
