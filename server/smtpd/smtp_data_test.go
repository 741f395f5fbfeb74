package smtpd

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

func TestDataSizeParameterOverLimit(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{cfg: Config{MaxMessageBytes: 1000}})
	c := dialRaw(t, ts.addr)
	c.expect("EHLO client.example.org", "250")
	c.expect("MAIL FROM:<a@example.org> SIZE=1001", "552 5.3.4")
	c.expect("MAIL FROM:<a@example.org> SIZE=1000", "250")
}

func TestDataOverLimitStoresNothing(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{cfg: Config{MaxMessageBytes: 1000}})
	c := dialGreeted(t, ts.addr)
	big := "Subject: big\r\n\r\n" + strings.Repeat("0123456789abcdef\r\n", 100)
	_, err := send(c, "a@example.org", []string{marie}, big)
	wantReply(t, err, 552, smtp.EnhancedCode{5, 3, 4})
	if n := len(ts.inbox(t, marie)); n != 0 {
		t.Fatalf("marie has %d messages after a refused one", n)
	}
	// The session goes on.
	if _, err := send(c, "a@example.org", []string{marie}, testMessage); err != nil {
		t.Fatal(err)
	}
	if n := len(ts.inbox(t, marie)); n != 1 {
		t.Fatalf("marie has %d messages, want 1", n)
	}
}

func TestDataOverLimitOnceNormalised(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{cfg: Config{MaxMessageBytes: 1000}})
	c := dialRaw(t, ts.addr)
	c.envelope("a@example.org", marie)
	c.expect("DATA", "354")
	// 700 bytes on the wire, 1300 once every bare LF is a CRLF.
	c.write("Subject: x\r\n\r\n" + strings.Repeat("x\n", 340) + "\r\n.\r\n")
	c.expectReply("552 5.3.4")
	if n := len(ts.inbox(t, marie)); n != 0 {
		t.Fatalf("marie has %d messages", n)
	}
}

func TestBDATDelivery(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{})
	c := dialRaw(t, ts.addr)
	c.envelope("a@example.org", marie, paul)
	part1 := "Subject: chunked\r\n\r\nfirst part, "
	part2 := "bare LF\nhere\r\n"
	c.write(fmt.Sprintf("BDAT %d\r\n%s", len(part1), part1))
	c.expectReply("250")
	c.write(fmt.Sprintf("BDAT %d LAST\r\n%s", len(part2), part2))
	c.expectReply("250 2.0.0 Ok: queued as ")
	for _, addr := range []string{marie, paul} {
		msgs := ts.inbox(t, addr)
		if len(msgs) != 1 {
			t.Fatalf("%s has %d messages", addr, len(msgs))
		}
		raw := string(msgs[0].Raw)
		if want := "Subject: chunked\r\n\r\nfirst part, bare LF\r\nhere\r\n"; !strings.HasSuffix(raw, want) {
			t.Fatalf("stored %q, want it to end with %q", raw, want)
		}
	}
	// The session goes on with DATA.
	c.expect("MAIL FROM:<a@example.org>", "250")
	c.expect("RCPT TO:<lea@mailnet.test>", "250")
	c.expect("DATA", "354")
	c.write(testMessage + ".\r\n")
	c.expectReply("250")
}

func TestBDATOverLimitStoresNothing(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{cfg: Config{MaxMessageBytes: 1000}})
	c := dialRaw(t, ts.addr)
	c.envelope("a@example.org", marie)
	chunk := strings.Repeat("x", 600)
	c.write(fmt.Sprintf("BDAT %d\r\n%s", len(chunk), chunk))
	c.expectReply("250")
	c.write(fmt.Sprintf("BDAT %d LAST\r\n%s", len(chunk), chunk))
	c.expectReply("552 5.3.4")
	c.expect("NOOP", "250")
	if n := len(ts.inbox(t, marie)); n != 0 {
		t.Fatalf("marie has %d messages", n)
	}
}

func TestBDATResetStoresNothing(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{})
	c := dialRaw(t, ts.addr)
	c.envelope("a@example.org", marie)
	c.write("BDAT 10\r\n0123456789")
	c.expectReply("250")
	c.expect("RSET", "250")
	c.expect("RCPT TO:<marie@mailnet.test>", "502") // the transaction is gone
	c.expect("QUIT", "221")
	ts.waitNoConnections(t)
	if n := len(ts.inbox(t, marie)); n != 0 {
		t.Fatalf("marie has %d messages", n)
	}
}

func TestReceivedField(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 28, 22, 45, 0, 0, time.FixedZone("CET", 3600))
	ts := startServer(t, testOptions{tls: true, now: func() time.Time { return now }})
	c := ts.dialTLS(t, false)
	text, err := send(c, "a@example.org", []string{"MARIE@mailnet.test"}, testMessage)
	if err != nil {
		t.Fatal(err)
	}
	id := strings.TrimPrefix(text, "Ok: queued as ")
	raw := withoutRoute(t, string(ts.inbox(t, marie)[0].Raw))
	want := regexp.MustCompile(`^Received: from client\.example\.org \(\[127\.0\.0\.1\]\)\r\n` +
		`\t\(using TLSv1\.3 with cipher TLS_[A-Z0-9_]+\)\r\n` +
		`\tby localhost with ESMTPS id ` + id + `\r\n` +
		`\tfor <marie@mailnet\.test>; Sat, 28 Nov 2026 22:45:00 \+0100\r\n` +
		`From: sender@example\.org\r\n`)
	if !want.MatchString(raw) {
		t.Fatalf("Received field wrong:\n%s", raw)
	}
}

func TestReceivedFieldPlainMXAndOddHelo(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{})
	c := dialRaw(t, ts.addr)
	c.expect("EHLO (evil;for<x>", "250")
	c.expect("MAIL FROM:<a@example.org>", "250")
	c.expect("RCPT TO:<marie@mailnet.test>", "250")
	c.expect("DATA", "354")
	c.write(testMessage + ".\r\n")
	c.expectReply("250")
	raw := withoutRoute(t, string(ts.inbox(t, marie)[0].Raw))
	if !strings.HasPrefix(raw, "Received: from unknown ([127.0.0.1])\r\n\tby localhost with ESMTP id ") {
		t.Fatalf("Received field wrong:\n%s", raw)
	}
}

// TestDataClientVanishes writes half a message and closes the socket:
// nothing may be stored, and the server must go on serving.
func TestDataClientVanishes(t *testing.T) {
	t.Parallel()
	for _, bdat := range []bool{false, true} {
		t.Run(fmt.Sprintf("bdat=%v", bdat), func(t *testing.T) {
			t.Parallel()
			ts := startServer(t, testOptions{})
			c := dialRaw(t, ts.addr)
			c.envelope("a@example.org", marie)
			if bdat {
				c.write("BDAT 1000 LAST\r\nSubject: half\r\n\r\nThis message never")
			} else {
				c.expect("DATA", "354")
				c.write("Subject: half\r\n\r\nThis message never")
			}
			if err := c.conn.Close(); err != nil {
				t.Fatal(err)
			}
			ts.waitNoConnections(t)

			other := dialGreeted(t, ts.addr)
			if _, err := send(other, "b@example.org", []string{paul}, testMessage); err != nil {
				t.Fatal(err)
			}
			if n := len(ts.inbox(t, marie)); n != 0 {
				t.Fatalf("marie has %d messages from a vanished client", n)
			}
			if n := len(ts.inbox(t, paul)); n != 1 {
				t.Fatalf("paul has %d messages, want 1", n)
			}
		})
	}
}

// TestBDATClientClosesTLSInsideChunk is the same as the BDAT case of
// TestDataClientVanishes, with a client that ends TLS properly
// (close_notify) in the middle of the last chunk.
func TestBDATClientClosesTLSInsideChunk(t *testing.T) {
	t.Parallel()
	t.Skip("go-smtp v0.25.1 handleBdat copies the chunk with io.Copy from an io.LimitReader and " +
		"takes TLS close_notify inside it for its end; the TCP end of stream is caught (trackedConn.eof), " +
		"this one is not visible outside go-smtp. Remove the skip once go-smtp checks the chunk length.")
	ts := startServer(t, testOptions{tls: true})
	c := dialRaw(t, ts.addr)
	c.expect("EHLO client.example.org", "250")
	c.expect("STARTTLS", "220")
	c.startTLS(ts.clientTLS)
	c.envelope("a@example.org", marie)
	c.write("BDAT 1000 LAST\r\nSubject: half\r\n\r\nThis message never")
	if err := c.conn.Close(); err != nil {
		t.Fatal(err)
	}
	ts.waitNoConnections(t)
	if n := len(ts.inbox(t, marie)); n != 0 {
		t.Fatalf("marie has %d messages from a vanished client", n)
	}
}

func TestDataTimeoutStoresNothing(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{cfg: Config{DataTimeout: 100 * time.Millisecond}})
	c := dialRaw(t, ts.addr)
	c.envelope("a@example.org", marie)
	c.expect("DATA", "354")
	c.write("Subject: slow\r\n\r\n")
	c.expectReply("451 4.4.2")
	if n := len(ts.inbox(t, marie)); n != 0 {
		t.Fatalf("marie has %d messages", n)
	}
}
