package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"mailnet/storage"
)

// TestAuditCommands lists and verifies the audit log through a running
// server's socket, then directly on the data directory.
func TestAuditCommands(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	db, err := storage.Open(filepath.Join(data, dbFile), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, e := range []storage.AuditEntry{
		{Actor: "marc@pes.test", Action: "select", Mailbox: "Shared/ana@pes.test/INBOX", Owner: "ana@pes.test", Remote: "192.0.2.7"},
		{Actor: "lea@pes.test", Action: "fetch", Mailbox: "Cases/J1 Dupont", Client: "J1", UIDs: []uint32{4, 9}},
	} {
		if _, err := db.Audit(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	check := func(t *testing.T) {
		out, err := runCLI(t, "", "audit", "list", "--data", data)
		if err != nil || !strings.Contains(out, "marc@pes.test") || !strings.Contains(out, "4,9") {
			t.Fatalf("audit list:\n%s%v", out, err)
		}
		out, err = runCLI(t, "", "audit", "list", "--client", "J1", "--data", data)
		if err != nil || strings.Contains(out, "marc@pes.test") || !strings.Contains(out, "lea@pes.test") {
			t.Fatalf("audit list --client J1:\n%s%v", out, err)
		}
		out, err = runCLI(t, "", "audit", "list", "--user", "nobody@pes.test", "--since", "2026-01-01", "--data", data)
		if err != nil || !strings.Contains(out, "no audit entries") {
			t.Fatalf("audit list --user nobody:\n%s%v", out, err)
		}
		out, err = runCLI(t, "", "audit", "verify", "--data", data)
		if err != nil || !strings.Contains(out, "intact: 2 entries") {
			t.Fatalf("audit verify:\n%s%v", out, err)
		}
	}
	t.Run("direct", check)
	t.Run("socket", func(t *testing.T) {
		serveControl(t, data)
		check(t)
	})
}
