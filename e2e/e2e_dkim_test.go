package e2e

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// debianPython is Debian's interpreter, which has the python3-dkim and
// python3-nacl packages (a python3 first on PATH may be another one).
const debianPython = "/usr/bin/python3"

// TestDKIMVerifiedByDkimpy creates Ed25519 and RSA keys with `mailnet dkim
// keygen`, submits a message with swaks, and has dkimpy — an independent
// implementation — verify both signatures of the delivered copy against
// the DNS records exactly as keygen printed them.
func TestDKIMVerifiedByDkimpy(t *testing.T) {
	t.Parallel()
	bin := requireSwaks(t)
	if err := exec.Command(debianPython, "-c", "import dkim, nacl").Run(); err != nil {
		missingTool(t, "dkimpy with PyNaCl not importable by "+debianPython, "python3-dkim python3-nacl")
	}
	ctx := testContext(t, testTimeout)
	s := newServer(t)
	records := map[string]string{}
	for _, algo := range []string{"ed25519", "rsa"} {
		out, err := s.mailnet(ctx, "", "dkim", "keygen", testDomain, "--algo", algo, "--data", s.dataDir)
		if err != nil {
			t.Fatal(err)
		}
		name, value := zoneTXT(t, out)
		records[name] = value
	}
	s.launch(t) // keys are loaded at start
	marie, paul := "marie.dupont@"+testDomain, "paul.martin@"+testDomain
	s.addUser(t, ctx, marie, "marie dkim password")
	s.addUser(t, ctx, paul, "paul dkim password")

	sw := swaks{bin: bin, s: s}
	sw.run(t, ctx, "submission", "marie dkim password", sw.tls("-tls", "--auth", "PLAIN", "--auth-user", marie,
		"--from", marie, "--to", paul, "--header", "Subject: Rendez-vous du 3 décembre",
		"--body", "Bonjour,\nvotre rendez-vous est confirmé.\n")...,
	).expect(t, swaksOK, []string{`^<~  250 .*queued`}, nil)

	c := s.imapLogin(t, ctx, paul, "paul dkim password")
	msgs := waitForMessages(t, ctx, c, "INBOX", 1)
	dir := t.TempDir()
	msgFile, recFile := filepath.Join(dir, "message.eml"), filepath.Join(dir, "records.json")
	if err := os.WriteFile(msgFile, msgs[0].Raw, 0o600); err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(records)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(recFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(ctx, debianPython, "testdata/dkim_verify.py", msgFile, recFile).CombinedOutput()
	if err != nil {
		t.Fatalf("dkimpy: %v\n%s\nmessage:\n%s", err, out, msgs[0].Raw)
	}
	if n := strings.Count(string(out), "pass "+testDomain); n != 2 {
		t.Fatalf("dkimpy passed %d signatures, want 2:\n%s", n, out)
	}
}

// zoneTXT finds the zone-file line that keygen prints and returns the
// record name and its value (the quoted strings joined).
func zoneTXT(t *testing.T, out string) (name, value string) {
	t.Helper()
	line := regexp.MustCompile(`(?m)^(\S+)\. \d+ IN TXT (.+)$`).FindStringSubmatch(out)
	if line == nil {
		t.Fatalf("no zone-file line in:\n%s", out)
	}
	for _, q := range regexp.MustCompile(`"((?:[^"\\]|\\.)*)"`).FindAllStringSubmatch(line[2], -1) {
		value += q[1]
	}
	return line[1], value
}
