package smtpd

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

func TestMXDeliversToOneRecipient(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{})
	c := dialGreeted(t, ts.addr)
	text, err := send(c, "sender@example.org", []string{"Marie@MailNet.Test"}, testMessage)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(text, "Ok: queued as ") {
		t.Fatalf("250 text = %q, want our message ID", text)
	}
	msgs := ts.inbox(t, marie)
	if len(msgs) != 1 {
		t.Fatalf("marie has %d messages, want 1", len(msgs))
	}
	raw := withoutRoute(t, string(msgs[0].Raw))
	id := strings.TrimPrefix(text, "Ok: queued as ")
	if !strings.HasPrefix(raw, "Received: ") || !strings.Contains(raw, " id "+id+"\r\n") {
		t.Fatalf("message does not start with our Received field naming %s:\n%s", id, raw)
	}
	if !strings.HasSuffix(raw, testMessage) {
		t.Fatalf("content changed:\n%s", raw)
	}
}

func TestMXDeliversToThreeRecipientsInOneTransaction(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{})
	c := dialGreeted(t, ts.addr)
	if _, err := send(c, "sender@example.org", []string{marie, paul, lea}, testMessage); err != nil {
		t.Fatal(err)
	}
	var blob string
	for _, addr := range []string{marie, paul, lea} {
		msgs := ts.inbox(t, addr)
		if len(msgs) != 1 {
			t.Fatalf("%s has %d messages, want 1", addr, len(msgs))
		}
		if blob == "" {
			blob = msgs[0].Blob.String()
		} else if msgs[0].Blob.String() != blob {
			t.Fatalf("%s has blob %s, want the shared %s", addr, msgs[0].Blob, blob)
		}
		if strings.Contains(string(msgs[0].Raw), "\tfor <") {
			t.Fatalf("Received names a recipient of a multi-recipient message:\n%s", msgs[0].Raw)
		}
	}
	if q := ts.queue(t); len(q) != 0 {
		t.Fatalf("MX queued %d messages", len(q))
	}
}

func TestMXRecipientChecks(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{cfg: Config{MaxRecipients: 2}})
	tests := []struct {
		name string
		rcpt []string // the last one is checked
		code int
		enh  smtp.EnhancedCode
	}{
		{"unknown user", []string{"nobody@mailnet.test"}, 550, smtp.EnhancedCode{5, 1, 1}},
		{"relay", []string{"someone@example.org"}, 554, smtp.EnhancedCode{5, 7, 1}},
		{"relay to subdomain", []string{"marie@sub.mailnet.test"}, 554, smtp.EnhancedCode{5, 7, 1}},
		{"bad syntax", []string{"marie@mailnet..test"}, 501, smtp.EnhancedCode{5, 1, 3}},
		{"too many", []string{marie, paul, lea}, 452, smtp.EnhancedCode{4, 5, 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := dialGreeted(t, ts.addr)
			if err := c.Mail("sender@example.org", nil); err != nil {
				t.Fatal(err)
			}
			last := len(tc.rcpt) - 1
			for _, r := range tc.rcpt[:last] {
				if err := c.Rcpt(r, nil); err != nil {
					t.Fatal(err)
				}
			}
			se := wantReply(t, c.Rcpt(tc.rcpt[last], nil), tc.code, tc.enh)
			if strings.Contains(se.Message, "routing") || strings.Contains(se.Message, "smtpd") {
				t.Fatalf("reply names internals: %q", se.Message)
			}
		})
	}
}

func TestMXTooManyRecipientsText(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{cfg: Config{MaxRecipients: 1}})
	c := dialRaw(t, ts.addr)
	c.envelope("a@example.org", marie)
	c.expect("RCPT TO:<paul@mailnet.test>", "452 4.5.3 Too many recipients")
	// The accepted recipient still gets the message.
	c.expect("DATA", "354")
	c.write(testMessage + ".\r\n")
	c.expectReply("250 2.0.0 Ok: queued as ")
	if len(ts.inbox(t, marie)) != 1 || len(ts.inbox(t, paul)) != 0 {
		t.Fatal("wrong deliveries")
	}
}

func TestMXRefusesRelayEvenAfterAuthAttempt(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{tls: true})
	c := ts.dialTLS(t, false)
	if ok, _ := c.Extension("AUTH"); ok {
		t.Fatal("MX advertises AUTH")
	}
	err := c.Auth(sasl.NewPlainClient("", marie, testPassword))
	wantReply(t, err, 503, smtp.EnhancedCode{5, 5, 1})
	if err := c.Mail(marie, nil); err != nil {
		t.Fatal(err)
	}
	wantReply(t, c.Rcpt("someone@example.org", nil), 554, smtp.EnhancedCode{5, 7, 1})
	if q := ts.queue(t); len(q) != 0 {
		t.Fatalf("queue has %d entries", len(q))
	}

	// Without TLS too.
	raw := dialRaw(t, ts.addr)
	raw.expect("EHLO client.example.org", "250")
	raw.expect("AUTH PLAIN AG1hcmllQG1haWxuZXQudGVzdABjb3JyZWN0IGhvcnNlIGJhdHRlcnkgc3RhcGxl", "503 5.5.1")
	raw.expect("MAIL FROM:<marie@mailnet.test>", "250")
	raw.expect("RCPT TO:<someone@example.org>", "554 5.7.1")
}

func TestMXAcceptsNullSender(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{})
	c := dialRaw(t, ts.addr)
	c.envelope("", marie)
	c.expect("DATA", "354")
	c.write("Subject: bounce\r\n\r\nundeliverable\r\n.\r\n")
	c.expectReply("250 2.0.0")
	if n := len(ts.inbox(t, marie)); n != 1 {
		t.Fatalf("marie has %d messages", n)
	}
}

func TestMXAdvertisesExtensions(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{tls: true, cfg: Config{MaxMessageBytes: 12345}})
	c := dialRaw(t, ts.addr)
	ehlo := c.expect("EHLO client.example.org", "250")
	for _, ext := range []string{"PIPELINING", "8BITMIME", "SMTPUTF8", "CHUNKING", "ENHANCEDSTATUSCODES", "SIZE 12345", "STARTTLS"} {
		if !strings.Contains(ehlo, "\n"+ext) {
			t.Errorf("EHLO lacks %s:\n%s", ext, ehlo)
		}
	}
	if strings.Contains(ehlo, "AUTH") {
		t.Errorf("MX advertises AUTH:\n%s", ehlo)
	}
	c.expect("STARTTLS", "220")
	c.startTLS(ts.clientTLS)
	ehlo = c.expect("EHLO client.example.org", "250")
	if strings.Contains(ehlo, "STARTTLS") || strings.Contains(ehlo, "AUTH") {
		t.Errorf("EHLO after TLS:\n%s", ehlo)
	}
}

func TestMXNoSTARTTLSWithoutTLSConfig(t *testing.T) {
	t.Parallel()
	addr, _ := newTestMX(t)
	c := dialRaw(t, addr)
	if ehlo := c.expect("EHLO client.example.org", "250"); strings.Contains(ehlo, "STARTTLS") {
		t.Fatalf("STARTTLS advertised without a certificate:\n%s", ehlo)
	}
	c.expect("STARTTLS", "502")
}

func TestMXGarbageCommandsKeepSession(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{})
	c := dialRaw(t, ts.addr)
	c.expect("MAIL FROM:<a@example.org>", "502") // before EHLO
	c.expect("EHLO client.example.org", "250")
	c.expect("XYZZ plugh", "500 5.5.2")
	c.expect("XYZZY", "501 5.5.2")
	c.expect("MAIL FROM:nonsense", "501")
	c.expect("MAIL FROM:<a@example.org> FOO=BAR", "500 5.5.4")
	c.expect("RCPT TO:<marie@mailnet.test>", "502") // before MAIL
	c.expect("MAIL FROM:<a@example.org>", "250")
	c.expect("MAIL FROM:<b@example.org>", "503 5.5.1") // nested
	c.expect("RCPT TO:<>", "501")
	c.expect("BDAT x", "501")
	c.expect("RCPT TO:<marie@mailnet.test>", "250")
	c.expect("DATA", "354")
	c.write(testMessage + ".\r\n")
	c.expectReply("250")
	c.expect("QUIT", "221")
	if n := len(ts.inbox(t, marie)); n != 1 {
		t.Fatalf("marie has %d messages", n)
	}
}

func TestMXClosesAfterTooManyProtocolErrors(t *testing.T) {
	t.Parallel()
	addr, _ := newTestMX(t)
	c := dialRaw(t, addr)
	for range 3 {
		c.expect("FOOB", "500")
	}
	c.write("FOOB\r\n")
	c.expectReply("500")
	c.expectReply("500 5.5.1") // too many errors
	if err := c.conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := c.conn.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Fatalf("connection still open: %v", err)
	}
}

func TestMXConnectionLimitPerIP(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{cfg: Config{MaxConnectionsPerIP: 2}})
	first := dialRaw(t, ts.addr)
	dialRaw(t, ts.addr)
	conn, err := net.Dial("tcp", ts.addr)
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
		t.Fatalf("third connection got %q", got)
	}
	// A slot frees when a connection ends.
	first.expect("QUIT", "221")
	deadline := time.Now().Add(5 * time.Second)
	for ts.srv.conns.open() > 1 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	c := dialRaw(t, ts.addr)
	c.expect("EHLO client.example.org", "250")
}

// TestMXSTARTTLSDropsPipelinedCommands checks that commands sent in clear
// text after STARTTLS, in the same packet, are not run inside the TLS
// session (CVE-2011-0411).
func TestMXSTARTTLSDropsPipelinedCommands(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{tls: true})
	c := dialRaw(t, ts.addr)
	c.expect("EHLO client.example.org", "250")
	c.write("STARTTLS\r\nMAIL FROM:<injected@example.org>\r\n")
	c.expectReply("220")
	c.startTLS(ts.clientTLS)
	c.expect("EHLO client.example.org", "250")
	c.expect("RCPT TO:<marie@mailnet.test>", "502") // no MAIL in effect
}

func TestMXShutdownClosesIdleSessions(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{})
	idle := dialRaw(t, ts.addr)
	idle.expect("EHLO client.example.org", "250")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("Shutdown took %v with one idle session", d)
	}
	idle.expectReply("421")
	if err := ts.srv.Shutdown(ctx); !errors.Is(err, smtp.ErrServerClosed) {
		t.Fatalf("second Shutdown: %v", err)
	}
	if _, err := net.Dial("tcp", ts.addr); err == nil {
		t.Fatal("still accepting connections")
	}
}

func TestMXShutdownLetsTransactionFinish(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{})
	c := dialRaw(t, ts.addr)
	c.envelope("a@example.org", marie)
	c.expect("DATA", "354")
	c.write("Subject: half")
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		done <- ts.srv.Shutdown(ctx)
	}()
	time.Sleep(100 * time.Millisecond) // Shutdown is waking idle sessions
	c.write("\r\n\r\nbody\r\n.\r\n")
	c.expectReply("250")
	c.write("QUIT\r\n")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(ts.inbox(t, marie)); n != 1 {
		t.Fatalf("marie has %d messages", n)
	}
}

func TestMXShutdownDeadlineCutsSessions(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{})
	c := dialRaw(t, ts.addr)
	c.envelope("a@example.org", marie)
	c.expect("DATA", "354")
	c.write("Subject: never finished\r\n")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Shutdown = %v, want deadline exceeded", err)
	}
	ts.waitNoConnections(t)
	if n := len(ts.inbox(t, marie)); n != 0 {
		t.Fatalf("marie has %d messages", n)
	}
}

func TestServeAfterShutdown(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{})
	if err := ts.srv.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.srv.Serve(l); !errors.Is(err, smtp.ErrServerClosed) {
		t.Fatalf("Serve after Shutdown = %v", err)
	}
	if _, err := net.Dial("tcp", l.Addr().String()); err == nil {
		t.Fatal("listener left open")
	}
}
