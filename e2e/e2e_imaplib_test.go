package e2e

import (
	"bufio"
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// imaplibChecks are the "ok" lines testdata/imap_check.py prints, in order,
// when every check passes.
var imaplibChecks = []string{
	"login_disabled_before_tls", "starttls_login", "imaps_login",
	"list_special_use", "select_inbox", "search_subject", "search_text",
	"fetch_attachment", "store_flags", "append_drafts", "idle", "logout",
}

// TestIMAPLib runs Python's imaplib against both IMAP ports: logins over
// STARTTLS and implicit TLS, special-use folders, a binary attachment
// fetched and compared byte for byte, SEARCH, STORE, APPEND, and IDLE
// seeing a message that arrives by SMTP meanwhile.
func TestIMAPLib(t *testing.T) {
	t.Parallel()
	python := requireTool(t, "python3", "python3")
	ctx := testContext(t, testTimeout)
	s := startServer(t)
	user, password := "marie.dupont@"+testDomain, "imaplib e2e password"
	s.addUser(t, ctx, user, password)

	attachment, content := filepath.Join(t.TempDir(), "rapport-2025.bin"), binaryFile(1, 150_000)
	if err := os.WriteFile(attachment, content, 0o600); err != nil {
		t.Fatal(err)
	}
	const subject, word = "Rapport annuel avec annexe", "xylophonique"
	msgs := []testMessage{
		{Subject: "Bonjour", Text: "Un premier message sans annexe."},
		{Subject: subject, Text: "Voici le rapport " + word + " en annexe.", AttachmentName: filepath.Base(attachment), Attachment: content},
		{Subject: "Rappel", Text: "Un dernier message."},
	}
	for _, m := range msgs {
		m.From, m.To = "sender@"+remoteDomain, user
		if err := s.deliverMX(t, ctx, m.From, []string{user}, m.bytes()); err != nil {
			t.Fatalf("deliver %q: %v", m.Subject, err)
		}
	}

	const idleSubject = "Arrived during IDLE"
	cmd := exec.CommandContext(ctx, python, filepath.Join("testdata", "imap_check.py"),
		"--imap-port", s.port("imap"), "--imaps-port", s.port("imaps"),
		"--cafile", s.certFile(), "--user", user,
		"--inbox-count", strconv.Itoa(len(msgs)),
		"--subject", subject, "--text", word, "--attachment", attachment,
		"--idle-subject", idleSubject, "--timeout", "20")
	cmd.Env = append(os.Environ(), "IMAP_PASSWORD="+password)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.WaitDelay = time.Second
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}

	var passed []string
	var transcript strings.Builder
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		line := sc.Text()
		transcript.WriteString(line + "\n")
		switch {
		case line == "IDLING":
			m := testMessage{From: "sender@" + remoteDomain, To: user, Subject: idleSubject, Text: "Hello, idler."}
			if err := s.deliverMX(t, ctx, m.From, []string{user}, m.bytes()); err != nil {
				t.Errorf("deliver during IDLE: %v", err)
			}
		case strings.HasPrefix(line, "ok "):
			passed = append(passed, strings.TrimPrefix(line, "ok "))
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("imap_check.py: %v", err)
	}
	if !slices.Equal(passed, imaplibChecks) {
		t.Errorf("imap_check.py passed %v, want %v", passed, imaplibChecks)
	}
	if t.Failed() {
		t.Logf("imap_check.py output:\n%s\nstderr:\n%s", transcript.String(), stderr.String())
	}
}
