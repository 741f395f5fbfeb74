package main

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mailnet/conf"
)

// runCLI runs one command line and returns its standard output.
func runCLI(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, strings.NewReader(stdin), &out, &errOut)
	return out.String(), err
}

func TestConfigDefaultChecksClean(t *testing.T) {
	t.Parallel()
	out, err := runCLI(t, "", "config", "default")
	if err != nil || !strings.Contains(out, "hostname") {
		t.Fatalf("config default: %v", err)
	}
	path := filepath.Join(t.TempDir(), "mailnet.toml")
	if err := os.WriteFile(path, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := runCLI(t, "", "config", "check", path); err != nil || !strings.Contains(out, "ok") {
		t.Fatalf("config check of the default: %q, %v", out, err)
	}
	bad := filepath.Join(t.TempDir(), "bad.toml")
	os.WriteFile(bad, []byte("colour = 1\n[limits]\nrecipients = 0\n"), 0o600)
	_, err = runCLI(t, "", "config", "check", bad)
	if err == nil || !strings.Contains(err.Error(), "colour") || !strings.Contains(err.Error(), "limits.recipients") {
		t.Fatalf("config check of a bad file: %v", err)
	}
}

// TestUserCommandsWithoutServer exercises the direct-store path; the
// control-socket path is covered end to end in e2e.
func TestUserCommandsWithoutServer(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	out, err := runCLI(t, "", "user", "add", "Marie.Dupont@mailnet.test", "--name", "Marie Dupont", "--data", data)
	if err != nil || !strings.Contains(out, "created marie.dupont@mailnet.test (counsellor)") || !strings.Contains(out, "password: ") {
		t.Fatalf("user add: %q, %v", out, err)
	}
	if _, err := runCLI(t, "a long enough password\n", "user", "add", "sophie@mailnet.test", "--role", "manager", "--password-stdin", "--data", data); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "", "user", "add", "marie.dupont@mailnet.test", "--data", data); err == nil {
		t.Fatal("duplicate user accepted")
	}
	if _, err := runCLI(t, "", "user", "disable", "sophie@mailnet.test", "--data", data); err != nil {
		t.Fatal(err)
	}
	out, err = runCLI(t, "", "user", "list", "--data", data)
	if err != nil || !strings.Contains(out, "sophie@mailnet.test        manager     disabled") {
		t.Fatalf("user list:\n%s%v", out, err)
	}
	if _, err := runCLI(t, "", "user", "frobnicate"); !errors.Is(err, errUsage) {
		t.Fatalf("unknown subcommand: %v", err)
	}
}

func TestQueueCommandsWithoutServer(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	if out, err := runCLI(t, "", "queue", "list", "--data", data); err != nil || !strings.Contains(out, "queue is empty") {
		t.Fatalf("queue list: %q, %v", out, err)
	}
	if _, err := runCLI(t, "", "queue", "show", "7", "--data", data); err == nil || !strings.Contains(err.Error(), "no such queue entry") {
		t.Fatalf("queue show of a missing entry: %v", err)
	}
	if _, err := runCLI(t, "", "queue", "retry", "x", "--data", data); !errors.Is(err, errUsage) {
		t.Fatalf("queue retry x: %v", err)
	}
}

// TestUsageListsEveryCommand guards the usage text against losing a
// command when several are added at once.
func TestUsageListsEveryCommand(t *testing.T) {
	t.Parallel()
	for _, cmd := range []string{"serve", "config check", "user add", "queue show", "queue retry", "queue drop",
		"dkim keygen", "dkim list", "caseload import", "caseload show", "absence set", "case link"} {
		if !strings.Contains(usage, cmd+" ") {
			t.Errorf("usage does not list %q", cmd)
		}
	}
}

// TestDemoTwice: --demo creates the team, its caseload and the logins
// once; a second start prints the same logins and changes nothing.
func TestDemoTwice(t *testing.T) {
	t.Parallel()
	cfg := conf.Default()
	cfg.DataDir = t.TempDir()
	db, err := openDB(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var first, second bytes.Buffer
	if err := setUpDemo(context.Background(), cfg, db, &first); err != nil {
		t.Fatal(err)
	}
	if err := setUpDemo(context.Background(), cfg, db, &second); err != nil {
		t.Fatal(err)
	}
	if first.String() != second.String() || !strings.Contains(first.String(), "marie.dupont@mailnet.test") {
		t.Fatalf("demo output changed or incomplete:\n%s\n---\n%s", first.String(), second.String())
	}
	c, err := db.ClientByEmail(context.Background(), "jean.demo@example.org")
	if err != nil || c.Counsellor != "marie.dupont@mailnet.test" {
		t.Fatalf("demo client = %+v, %v", c, err)
	}
	changes, err := db.Changes(context.Background(), 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	n := len(changes)
	if err := setUpDemo(context.Background(), cfg, db, &second); err != nil {
		t.Fatal(err)
	}
	if again, _ := db.Changes(context.Background(), 0, 0); len(again) != n {
		t.Fatalf("a third demo start logged %d more changes", len(again)-n)
	}
}

// TestBackupCommand: the copy opens as a store and holds the accounts.
func TestBackupCommand(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	if _, err := runCLI(t, "", "user", "add", "marie@mailnet.test", "--data", data); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "backup.db")
	if out, err := runCLI(t, "", "backup", dest, "--data", data); err != nil || !strings.Contains(out, "backup written") {
		t.Fatalf("backup: %q, %v", out, err)
	}
	restored := t.TempDir()
	copyFile(t, dest, filepath.Join(restored, dbFile))
	out, err := runCLI(t, "", "user", "list", "--data", restored)
	if err != nil || !strings.Contains(out, "marie@mailnet.test") {
		t.Fatalf("user list on the restored copy: %q, %v", out, err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
