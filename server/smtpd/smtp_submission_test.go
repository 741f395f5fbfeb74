package smtpd

import (
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"io"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"mailnet/auth"
)

// plainIR is the base64 AUTH PLAIN initial response for user and password.
func plainIR(user, password string) string {
	return base64.StdEncoding.EncodeToString([]byte("\x00" + user + "\x00" + password))
}

func TestSubmissionAuthRefusedBeforeTLS(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{mode: ModeSubmission})
	c := dialRaw(t, ts.addr)
	ehlo := c.expect("EHLO client.example.org", "250")
	if strings.Contains(ehlo, "AUTH") || !strings.Contains(ehlo, "STARTTLS") {
		t.Fatalf("EHLO before TLS:\n%s", ehlo)
	}
	code, _ := c.cmd("AUTH PLAIN " + plainIR(marie, testPassword))
	if code < 500 {
		t.Fatalf("AUTH before STARTTLS got %d, want a refusal", code)
	}
	c.expect("AUTH LOGIN", "5")
	c.expect("MAIL FROM:<marie@mailnet.test>", "530 5.7.0")
	if strings.Contains(ts.logs.String(), testPassword) {
		t.Fatal("password in the log")
	}
}

func TestSubmissionAuthAfterSTARTTLS(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{mode: ModeSubmission})
	c := ts.dialTLS(t, false)
	if !c.SupportsAuth("PLAIN") || !c.SupportsAuth("LOGIN") {
		t.Fatal("AUTH PLAIN and LOGIN not advertised under TLS")
	}
	if err := c.Auth(sasl.NewPlainClient("", "Marie@MailNet.test", testPassword)); err != nil {
		t.Fatal(err)
	}
	if _, err := send(c, "MARIE@mailnet.test", []string{paul}, submissionMessage); err != nil {
		t.Fatal(err)
	}
	msgs := ts.inbox(t, paul)
	if len(msgs) != 1 {
		t.Fatalf("paul has %d messages", len(msgs))
	}
	if !regexp.MustCompile(`\tby localhost with ESMTPSA id `).Match(msgs[0].Raw) {
		t.Fatalf("Received does not record the authenticated submission:\n%s", msgs[0].Raw)
	}
	if strings.Contains(ts.logs.String(), testPassword) {
		t.Fatal("password in the log")
	}
}

func TestSubmissionAuthLogin(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{mode: ModeSubmission})
	c := ts.dialTLS(t, false)
	if err := c.Auth(sasl.NewLoginClient(marie, testPassword)); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail(marie, nil); err != nil {
		t.Fatal(err)
	}
}

func TestSubmissionImplicitTLS(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{mode: ModeSubmission, implicitTLS: true})
	c := ts.dialTLS(t, true)
	if ok, _ := c.Extension("STARTTLS"); ok {
		t.Fatal("STARTTLS advertised inside TLS")
	}
	if err := c.Auth(sasl.NewPlainClient("", marie, testPassword)); err != nil {
		t.Fatal(err)
	}
	if _, err := send(c, marie, []string{lea}, submissionMessage); err != nil {
		t.Fatal(err)
	}
	if n := len(ts.inbox(t, lea)); n != 1 {
		t.Fatalf("lea has %d messages", n)
	}
	// A client that does not start TLS gets nothing it can read as SMTP.
	conn, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Write([]byte("EHLO client.example.org\r\n")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	if n, _ := conn.Read(buf); strings.HasPrefix(string(buf[:n]), "220") || strings.HasPrefix(string(buf[:n]), "250") {
		t.Fatalf("plain text client got %q", buf[:n])
	}
}

func TestSubmissionWrongPassword(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{mode: ModeSubmission})
	c := ts.dialTLS(t, false)
	err := c.Auth(sasl.NewPlainClient("", marie, "Tr0ub4dor&3"))
	se := wantReply(t, err, 535, smtp.EnhancedCode{5, 7, 8})
	if strings.Contains(se.Message, "auth:") {
		t.Fatalf("reply names internals: %q", se.Message)
	}
	// Unknown accounts get the same reply.
	err = c.Auth(sasl.NewPlainClient("", "nobody@mailnet.test", "Tr0ub4dor&3"))
	wantReply(t, err, 535, smtp.EnhancedCode{5, 7, 8})
	wantReply(t, c.Mail(marie, nil), 530, smtp.EnhancedCode{5, 7, 0})
	if strings.Contains(ts.logs.String(), "Tr0ub4dor") {
		t.Fatal("password in the log")
	}
}

func TestSubmissionMalformedAuth(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{mode: ModeSubmission})
	c := dialRaw(t, ts.addr)
	c.expect("EHLO client.example.org", "250")
	c.expect("STARTTLS", "220")
	c.startTLS(ts.clientTLS)
	c.expect("EHLO client.example.org", "250")
	c.expect("AUTH PLAIN "+base64.StdEncoding.EncodeToString([]byte("no separators")), "501 5.5.2")
	c.expect("AUTH CRAM-MD5", "504 5.5.4")
	c.expect("AUTH PLAIN !!!", "454") // go-smtp: invalid base64
	c.expect("AUTH PLAIN "+plainIR(marie, testPassword), "235")
	c.expect("MAIL FROM:<marie@mailnet.test>", "250")
}

func TestSubmissionThrottlesFailedLogins(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{mode: ModeSubmission, limits: auth.Limits{FailuresPerAccount: 3, FailuresPerIP: 100}})
	c := ts.dialTLS(t, false)
	for range 3 {
		wantReply(t, c.Auth(sasl.NewPlainClient("", marie, "guess")), 535, smtp.EnhancedCode{5, 7, 8})
	}
	// Now even the right password is refused, temporarily.
	wantReply(t, c.Auth(sasl.NewPlainClient("", marie, testPassword)), 454, smtp.EnhancedCode{4, 7, 0})
	other := ts.dialTLS(t, false)
	wantReply(t, other.Auth(sasl.NewPlainClient("", marie, testPassword)), 454, smtp.EnhancedCode{4, 7, 0})
	// Other accounts are not affected.
	if err := other.Auth(sasl.NewPlainClient("", paul, testPassword)); err != nil {
		t.Fatal(err)
	}
}

func TestSubmissionSenderChecks(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{mode: ModeSubmission})
	tests := []struct {
		name string
		from string
		code int
		enh  smtp.EnhancedCode
	}{
		{"other local user", paul, 553, smtp.EnhancedCode{5, 7, 1}},
		{"foreign address", "marie@example.org", 553, smtp.EnhancedCode{5, 7, 1}},
		{"null sender", "", 553, smtp.EnhancedCode{5, 7, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := ts.dialAuthenticated(t, marie)
			wantReply(t, c.Mail(tc.from, nil), tc.code, tc.enh)
			if err := c.Mail("Marie@MAILNET.test", nil); err != nil {
				t.Fatalf("own address in other case: %v", err)
			}
		})
	}
}

func TestSubmissionMailBeforeAuth(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{mode: ModeSubmission})
	c := ts.dialTLS(t, false)
	wantReply(t, c.Mail(marie, nil), 530, smtp.EnhancedCode{5, 7, 0})
}

func TestSubmissionQueuesRemoteRecipients(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{mode: ModeSubmission})
	c := ts.dialAuthenticated(t, marie)
	if err := c.Mail(marie, nil); err != nil {
		t.Fatal(err)
	}
	wantReply(t, c.Rcpt("nobody@mailnet.test", nil), 550, smtp.EnhancedCode{5, 1, 1})
	wantReply(t, c.Rcpt("bad@exa..mple.org", nil), 501, smtp.EnhancedCode{5, 1, 3})
	for _, rcpt := range []string{"Client.One@Example.ORG", paul, "two@example.net"} {
		if err := c.Rcpt(rcpt, nil); err != nil {
			t.Fatal(err)
		}
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write([]byte(submissionMessage)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	q := ts.queue(t)
	if len(q) != 1 {
		t.Fatalf("queue has %d entries, want 1", len(q))
	}
	if q[0].From != marie || strings.Join(q[0].Pending(), ",") != "Client.One@example.org,two@example.net" {
		t.Fatalf("queue entry %+v", q[0])
	}
	msgs := ts.inbox(t, paul)
	if len(msgs) != 1 || msgs[0].Blob != q[0].Blob {
		t.Fatalf("paul's copy and the queued one differ: %d messages", len(msgs))
	}
}

func TestSubmissionAddsDateAndMessageID(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 9, 30, 0, 0, time.UTC)
	ts := startServer(t, testOptions{mode: ModeSubmission, now: func() time.Time { return now }})
	c := ts.dialAuthenticated(t, marie)
	bare := "From: marie@mailnet.test\r\nTo: paul@mailnet.test\r\nSubject: no id\r\n\r\nHello.\r\n"
	text, err := send(c, marie, []string{paul}, bare)
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimPrefix(text, "Ok: queued as ")
	raw := string(ts.inbox(t, paul)[0].Raw)
	want := "Subject: no id\r\n" +
		"Date: Sat, 28 Nov 2026 09:30:00 +0000\r\n" +
		"Message-ID: <20261128093000." + id + "@localhost>\r\n" +
		"\r\nHello.\r\n"
	if !strings.HasSuffix(raw, want) {
		t.Fatalf("stored:\n%s\nwant it to end with:\n%s", raw, want)
	}

	// A message that has both keeps them.
	if _, err := send(c, marie, []string{lea}, submissionMessage); err != nil {
		t.Fatal(err)
	}
	raw = string(ts.inbox(t, lea)[0].Raw)
	if strings.Count(raw, "Date:") != 1 || strings.Count(raw, "Message-ID:") != 1 {
		t.Fatalf("fields duplicated:\n%s", raw)
	}
}

func TestSubmissionRequiresTLSConfig(t *testing.T) {
	t.Parallel()
	s := New(Config{Mode: ModeSubmission}, Deps{})
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Serve(l); err == nil {
		t.Fatal("submission served without TLS")
	}
}

func TestSubmissionImplicitTLSConnectionLimit(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{mode: ModeSubmission, implicitTLS: true, cfg: Config{MaxConnectionsPerIP: 1}})
	ts.dialTLS(t, true)
	conn, err := tls.Dial("tcp", ts.addr, ts.clientTLS)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "421 4.7.0 Too many connections\r\n" {
		t.Fatalf("second connection got %q", got)
	}
}

// TestSubmissionOverCallerTLSListener serves a listener that the caller
// wrapped in TLS itself, instead of setting ImplicitTLS: AUTH must still
// be offered, since the session sees TLS.
func TestSubmissionOverCallerTLSListener(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{mode: ModeSubmission})
	serverTLS, clientTLS := testTLS(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- ts.srv.Serve(tls.NewListener(l, serverTLS)) }()
	c, err := smtp.DialTLS(l.Addr().String(), clientTLS)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := c.Hello("client.example.org"); err != nil {
		t.Fatal(err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		t.Fatal("STARTTLS advertised inside TLS")
	}
	if err := c.Auth(sasl.NewPlainClient("", marie, testPassword)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ts.logs.String(), "listener yields TLS connections") {
		t.Fatal("misuse not logged")
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	if err := ts.srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-served; !errors.Is(err, smtp.ErrServerClosed) {
		t.Fatalf("Serve = %v", err)
	}
}
