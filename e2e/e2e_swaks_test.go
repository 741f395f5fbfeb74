package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"net/mail"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// swaks exit codes (swaks(1), EXIT CODES) the tests expect.
const (
	swaksOK       = 0
	swaksMailFail = 23 // error in MAIL transaction
	swaksNoRcpt   = 24 // no RCPTs accepted
	swaksAuthFail = 28 // error in AUTH transaction
)

// swaksTimeout bounds one swaks run.
const swaksTimeout = 40 * time.Second

// swaks runs the swaks program against one server.
type swaks struct {
	bin string
	s   *server
}

// requireSwaks returns the path of swaks after checking that it can do
// TLS, which needs the Perl module Net::SSLeay (only recommended by the
// Debian package).
func requireSwaks(t *testing.T) string {
	t.Helper()
	bin := requireTool(t, "swaks", "swaks")
	ctx, cancel := context.WithTimeout(t.Context(), swaksTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "--support").CombinedOutput()
	if err != nil {
		t.Fatalf("swaks --support: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "=== TLS supported") {
		missingTool(t, "swaks has no TLS support", "libnet-ssleay-perl")
	}
	return bin
}

// swaksRun is one swaks invocation and what came of it.
type swaksRun struct {
	args       []string
	transcript string // swaks prints the SMTP dialogue: "<-" server, "->" client, "~" under TLS
	code       int
}

// run runs swaks against a listener of the server. password, when set,
// is passed in the environment rather than on the command line.
func (sw swaks) run(t *testing.T, ctx context.Context, proto, password string, args ...string) swaksRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, swaksTimeout)
	defer cancel()
	args = append([]string{"--server", "127.0.0.1", "--port", sw.s.port(proto), "--helo", "client.example", "--timeout", "20"}, args...)
	cmd := exec.CommandContext(ctx, sw.bin, args...)
	// No ~/.swaksrc and no SWAKS_OPT_* from the caller's environment.
	cmd.Env = []string{"HOME=" + t.TempDir(), "PATH=" + os.Getenv("PATH")}
	if password != "" {
		cmd.Env = append(cmd.Env, "SWAKS_OPT_auth_password="+password)
	}
	cmd.WaitDelay = time.Second
	out, err := cmd.CombinedOutput()
	run := swaksRun{args: args, transcript: string(out)}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		run.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("swaks %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return run
}

// expect checks the exit code and that the transcript matches every
// pattern in want and none in notWant (multi-line regular expressions).
func (r swaksRun) expect(t *testing.T, code int, want, notWant []string) {
	t.Helper()
	bad := r.code != code
	if bad {
		t.Errorf("swaks exited with %d, want %d", r.code, code)
	}
	for _, w := range want {
		if !regexp.MustCompile("(?m)" + w).MatchString(r.transcript) {
			t.Errorf("swaks transcript has no match for %s", w)
			bad = true
		}
	}
	for _, w := range notWant {
		if regexp.MustCompile("(?m)" + w).MatchString(r.transcript) {
			t.Errorf("swaks transcript matches %s", w)
			bad = true
		}
	}
	if bad {
		t.Logf("swaks %s\n%s", strings.Join(r.args, " "), r.transcript)
	}
}

// tls returns the options that make swaks verify the server's
// certificate against the generated one, followed by args.
func (sw swaks) tls(args ...string) []string {
	return append([]string{"--tls-verify", "--tls-ca-path", sw.s.certFile()}, args...)
}

// TestSwaksMXDelivery delivers to a local account on the MX port, as
// another mail server would, in plain text with an attachment and over
// STARTTLS, then finds both messages by IMAP.
func TestSwaksMXDelivery(t *testing.T) {
	t.Parallel()
	bin := requireSwaks(t)
	ctx := testContext(t, testTimeout)
	s := startServer(t)
	sw := swaks{bin: bin, s: s}
	user, password := "marie.dupont@"+testDomain, "swaks mx password"
	s.addUser(t, ctx, user, password)

	attachment, content := filepath.Join(t.TempDir(), "bilan.pdf"), binaryFile(2, 80_000)
	if err := os.WriteFile(attachment, content, 0o600); err != nil {
		t.Fatal(err)
	}
	sw.run(t, ctx, "smtp", "", "--from", "sender@"+remoteDomain, "--to", user,
		"--header", "Subject: Bilan avec annexe", "--body", "Le bilan est en annexe.",
		"--attach", "@"+attachment,
	).expect(t, swaksOK, []string{`^<-  250 .*queued`}, nil)
	sw.run(t, ctx, "smtp", "", sw.tls("-tls", "--from", "sender@"+remoteDomain, "--to", user,
		"--header", "Subject: Over STARTTLS")...,
	).expect(t, swaksOK, []string{`^<~  250 .*queued`}, nil)

	c := s.imapLogin(t, ctx, user, password)
	msgs := waitForMessages(t, ctx, c, "INBOX", 2)
	withFile := findBySubject(t, msgs, "Bilan avec annexe")
	name, data := attachmentOf(t, withFile.Raw)
	if name != filepath.Base(attachment) {
		t.Errorf("attachment named %q, want %q", name, filepath.Base(attachment))
	}
	if !bytes.Equal(data, content) {
		t.Errorf("attachment differs from the file sent (%d bytes, want %d)", len(data), len(content))
	}
	for _, m := range msgs {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
		if err != nil {
			t.Fatal(err)
		}
		if len(msg.Header["Received"]) == 0 {
			t.Errorf("message %q has no Received field (RFC 5321 §4.4)", msg.Header.Get("Subject"))
		}
	}
	findBySubject(t, msgs, "Over STARTTLS")
}

// TestSwaksSubmission sends from a local user's own address with AUTH
// PLAIN and LOGIN, over STARTTLS and implicit TLS: local recipients get the
// mail, the remote one is queued.
func TestSwaksSubmission(t *testing.T) {
	t.Parallel()
	bin := requireSwaks(t)
	ctx := testContext(t, testTimeout)
	s := startServer(t)
	sw := swaks{bin: bin, s: s}
	marie, karim := "marie.dupont@"+testDomain, "karim.benali@"+testDomain
	const mariePW, karimPW = "marie submission pw", "karim submission pw"
	s.addUser(t, ctx, marie, mariePW)
	s.addUser(t, ctx, karim, karimPW)
	remote := "friend@" + remoteDomain

	authOK := `^<~  235 `
	sw.run(t, ctx, "submission", mariePW, sw.tls("-tls", "--auth", "PLAIN", "--auth-user", marie,
		"--from", marie, "--to", karim, "--header", "Subject: PLAIN over STARTTLS")...,
	).expect(t, swaksOK, []string{`^<~  250-AUTH .*PLAIN`, `^ ~> AUTH PLAIN `, authOK, `^<~  250 .*queued`}, nil)
	sw.run(t, ctx, "submission", mariePW, sw.tls("-tls", "--auth", "LOGIN", "--auth-user", marie,
		"--from", marie, "--to", karim+","+remote, "--header", "Subject: LOGIN over STARTTLS")...,
	).expect(t, swaksOK, []string{`^<~  250-AUTH .*LOGIN`, `^ ~> AUTH LOGIN`, authOK, `^<~  250 .*queued`}, nil)
	sw.run(t, ctx, "submissions", mariePW, sw.tls("--tls-on-connect", "--auth", "PLAIN", "--auth-user", marie,
		"--from", marie, "--to", karim, "--header", "Subject: PLAIN over implicit TLS")...,
	).expect(t, swaksOK, []string{authOK, `^<~  250 .*queued`}, nil)

	c := s.imapLogin(t, ctx, karim, karimPW)
	msgs := waitForMessages(t, ctx, c, "INBOX", 3)
	if len(msgs) != 3 {
		t.Errorf("karim's INBOX holds %d messages, want 3", len(msgs))
	}
	for _, subject := range []string{"PLAIN over STARTTLS", "LOGIN over STARTTLS", "PLAIN over implicit TLS"} {
		findBySubject(t, msgs, subject)
	}

	out, err := s.mailnet(ctx, "", "queue", "list", "--data", s.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !regexp.MustCompile(`\s`+regexp.QuoteMeta(marie)+`\s+`+regexp.QuoteMeta(remote)+`$`).MatchString(lines[1]) {
		t.Errorf("queue list:\n%s\nwant one entry from %s to %s only", out, marie, remote)
	}
}

// TestSwaksRefusals checks what the server must refuse: relaying and
// unknown users on the MX port; on submission, AUTH without TLS, a wrong
// password, and a sender that is not the authenticated user.
func TestSwaksRefusals(t *testing.T) {
	t.Parallel()
	bin := requireSwaks(t)
	ctx := testContext(t, testTimeout)
	s := startServer(t)
	sw := swaks{bin: bin, s: s}
	marie, karim := "marie.dupont@"+testDomain, "karim.benali@"+testDomain
	const password = "marie refusals pw"
	s.addUser(t, ctx, marie, password)
	s.addUser(t, ctx, karim, "karim refusals pw")
	anyAuth := `^<~?  250[- ]AUTH\b`

	t.Run("MXRelayRefused", func(t *testing.T) {
		sw.run(t, ctx, "smtp", "", "--from", "sender@"+remoteDomain, "--to", "friend@"+remoteDomain).
			expect(t, swaksNoRcpt, []string{`^<\*\* 554 5\.7\.1 `}, nil)
	})
	t.Run("MXUnknownUser", func(t *testing.T) {
		sw.run(t, ctx, "smtp", "", "--from", "sender@"+remoteDomain, "--to", "nobody@"+testDomain).
			expect(t, swaksNoRcpt, []string{`^<\*\* 550 5\.1\.1 `}, nil)
	})
	t.Run("MXOffersNoAuth", func(t *testing.T) {
		sw.run(t, ctx, "smtp", "", sw.tls("-tls", "--quit-after", "EHLO")...).
			expect(t, swaksOK, []string{`^<~  250 `}, []string{anyAuth})
	})
	t.Run("AuthWithoutTLS", func(t *testing.T) {
		sw.run(t, ctx, "submission", password, "--auth", "PLAIN", "--auth-user", marie, "--from", marie, "--to", karim).
			expect(t, swaksAuthFail, []string{`^<-  250-STARTTLS`}, []string{anyAuth, `^<-  235 `, `^ -> AUTH`})
		// swaks will not send AUTH unless offered: send it anyway.
		checkAuthBeforeTLS(t, ctx, s, marie, password)
	})
	t.Run("WrongPassword", func(t *testing.T) {
		for _, mech := range []string{"PLAIN", "LOGIN"} {
			sw.run(t, ctx, "submission", "not the password", sw.tls("-tls", "--auth", mech, "--auth-user", marie,
				"--from", marie, "--to", karim)...,
			).expect(t, swaksAuthFail, []string{`^<~\* 535 5\.7\.8 `}, []string{`^<~  235 `})
		}
	})
	t.Run("ForeignSender", func(t *testing.T) {
		sw.run(t, ctx, "submission", password, sw.tls("-tls", "--auth", "PLAIN", "--auth-user", marie,
			"--from", karim, "--to", marie)...,
		).expect(t, swaksMailFail, []string{`^<~  235 `, `^<~\* 553 5\.7\.1 `}, nil)
	})
}

// checkAuthBeforeTLS sends AUTH PLAIN with good credentials on the
// submission port without STARTTLS, which no well-behaved client does: the
// server must refuse it, and the session must stay unauthenticated.
func checkAuthBeforeTLS(t *testing.T, ctx context.Context, s *server, user, password string) {
	t.Helper()
	conn, err := s.dial(ctx, "submission")
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	tp := textproto.NewConn(conn)
	if _, _, err := tp.ReadResponse(220); err != nil {
		t.Fatalf("greeting: %v", err)
	}
	send := func(line string) int {
		t.Helper()
		if _, err := tp.Cmd("%s", line); err != nil {
			t.Fatal(err)
		}
		code, msg, err := tp.ReadResponse(0) // 0: any code
		if err != nil {
			t.Fatalf("reply to %.10s…: %v", line, err)
		}
		t.Logf("%.10s… before STARTTLS: %d %s", line, code, msg)
		return code
	}
	if code := send("EHLO client.example"); code != 250 {
		t.Fatalf("EHLO: %d", code)
	}
	resp := base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + password))
	if code := send("AUTH PLAIN " + resp); code/100 != 5 {
		t.Errorf("AUTH PLAIN before STARTTLS got %d, want a 5xx refusal", code)
	}
	if code := send("MAIL FROM:<" + user + ">"); code != 530 {
		t.Errorf("MAIL FROM after a refused AUTH got %d, want 530 (authentication required)", code)
	}
}
