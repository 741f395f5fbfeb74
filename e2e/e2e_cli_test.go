package e2e

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCLIWhileServing runs the administration commands against a running
// server. bbolt locks the store while `mailnet serve` holds it, so every
// data command here succeeds only through the control socket.
func TestCLIWhileServing(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, testTimeout)
	s := startServer(t)

	if fi, err := os.Stat(filepath.Join(s.dataDir, "control.sock")); err != nil || fi.Mode().Type() != os.ModeSocket {
		t.Fatalf("control socket: %v, mode %v", err, fi.Mode())
	}
	out, err := s.mailnet(ctx, "", "config", "check", s.confPath)
	if err != nil || !strings.Contains(out, ": ok") {
		t.Fatalf("config check: %q, %v", out, err)
	}

	s.addUser(t, ctx, "marie.dupont@"+testDomain, "correct horse battery")
	out, err = s.mailnet(ctx, "staple battery horse\n", "user", "add", "Karim.Benali@"+testDomain,
		"--name", "Karim Benali", "--role", "manager", "--password-stdin", "--data", s.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	if want := "created karim.benali@" + testDomain + " (manager)"; !strings.Contains(out, want) {
		t.Errorf("user add printed %q, want %q (address lower-cased, role shown)", out, want)
	}

	out, err = s.mailnet(ctx, "", "user", "list", "--data", s.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`(?m)^marie\.dupont@mailnet\.test\s+counsellor\s+active\s*$`,
		`(?m)^karim\.benali@mailnet\.test\s+manager\s+active\s+Karim Benali\s*$`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("user list has no line matching %s:\n%s", want, out)
		}
	}

	_, err = s.mailnet(ctx, "another password\n", "user", "add", "marie.dupont@"+testDomain, "--password-stdin", "--data", s.dataDir)
	if err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("second user add of the same address: %v, want an 'already exists' failure", err)
	}
	_, err = s.mailnet(ctx, "short\n", "user", "add", "short.pw@"+testDomain, "--password-stdin", "--data", s.dataDir)
	if err == nil {
		t.Errorf("user add with a 5-character password succeeded, want a refusal")
	}

	out, err = s.mailnet(ctx, "", "queue", "list", "--config", s.confPath)
	if err != nil || strings.TrimSpace(out) != "queue is empty" {
		t.Errorf("queue list: %q, %v; want \"queue is empty\"", out, err)
	}
}

// TestCLIRestartKeepsData stops a server, changes its store with the CLI
// directly (no server, no socket), and starts it again on the same data
// directory: accounts from both paths can log in, and the self-signed
// certificate is reused rather than replaced.
func TestCLIRestartKeepsData(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, testTimeout)
	s := startServer(t)
	online, offline := "online@"+testDomain, "offline@"+testDomain
	const password = "restart password 1"
	s.addUser(t, ctx, online, password)
	cert, err := os.ReadFile(s.certFile())
	if err != nil {
		t.Fatal(err)
	}

	s.stop(t)
	if t.Failed() {
		t.FailNow()
	}
	s.addUser(t, ctx, offline, password)
	out, err := s.mailnet(ctx, "", "user", "list", "--data", s.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, online) || !strings.Contains(out, offline) {
		t.Errorf("user list without a server:\n%s\nwant %s and %s", out, online, offline)
	}

	s.launch(t)
	again, err := os.ReadFile(s.certFile())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(cert, again) {
		t.Errorf("%s changed across a restart, want the certificate reused", s.certFile())
	}
	for _, addr := range []string{online, offline} {
		c := s.imapLogin(t, ctx, addr, password)
		if err := c.Logout().Wait(); err != nil {
			t.Errorf("logout %s: %v", addr, err)
		}
	}
}
