package imapd

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

// rawSession is a logged-in IMAP connection spoken to by hand, for input
// no well-behaved client library would send.
type rawSession struct {
	t    *testing.T
	conn *tls.Conn
	r    *bufio.Reader
}

func (e *testEnv) raw(t *testing.T) *rawSession {
	t.Helper()
	conn, err := tls.Dial("tcp", e.tlsAddr, e.clientTLS)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(20 * time.Second))
	s := &rawSession{t: t, conn: conn, r: bufio.NewReader(conn)}
	s.line() // greeting
	s.cmd("l1", fmt.Sprintf("LOGIN %q %q", e.account.Address, testPassword))
	return s
}

func (s *rawSession) line() string {
	s.t.Helper()
	l, err := s.r.ReadString('\n')
	if err != nil {
		s.t.Fatalf("read: %v", err)
	}
	return l
}

// cmd sends a command and returns its tagged reply line.
func (s *rawSession) cmd(tag, text string) string {
	s.t.Helper()
	if _, err := io.WriteString(s.conn, tag+" "+text+"\r\n"); err != nil {
		s.t.Fatal(err)
	}
	for {
		if l := s.line(); strings.HasPrefix(l, tag+" ") {
			return l
		}
	}
}

func TestOverlongCommandLineIsRefused(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	s := env.raw(t)
	long := "a1 SELECT " + strings.Repeat("x", 200<<10) + "\r\n"
	if _, err := io.WriteString(s.conn, long); err != nil {
		t.Fatal(err)
	}
	// go-imap answers BAD or closes; either way the server survives and
	// other sessions are unaffected.
	s.conn.SetDeadline(time.Now().Add(5 * time.Second))
	line, _ := s.r.ReadString('\n')
	if line != "" && !strings.Contains(line, "BAD") && !strings.Contains(line, "NO") && !strings.HasPrefix(line, "* BYE") {
		t.Fatalf("over-long line answered %q", line)
	}
	c := env.login(t, nil)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatalf("another session after an over-long line: %v", err)
	}
}

// TestAppendGarbage appends random bytes: the server answers, stores
// whatever it acknowledged whole, and can fetch it back.
func TestAppendGarbage(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	s := env.raw(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 20 {
		data := make([]byte, 1+rng.IntN(3000))
		for j := range data {
			data[j] = byte(rng.IntN(256))
		}
		if i%2 == 0 {
			copy(data, "Subject: \x00\xff\r\n\r\n")
		}
		if _, err := fmt.Fprintf(s.conn, "g%d APPEND INBOX {%d+}\r\n", i, len(data)); err != nil {
			t.Fatal(err)
		}
		s.conn.Write(data)
		io.WriteString(s.conn, "\r\n")
		for {
			l := s.line()
			if strings.HasPrefix(l, fmt.Sprintf("g%d ", i)) {
				if !strings.Contains(l, "OK") && !strings.Contains(l, "NO") && !strings.Contains(l, "BAD") {
					t.Fatalf("garbage APPEND answered %q", l)
				}
				break
			}
		}
	}
	c := env.login(t, nil)
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages == 0 {
		return
	}
	msgs, err := c.Fetch(seqRange(1, 0), &imap.FetchOptions{Envelope: true, BodyStructure: &imap.FetchItemBodyStructure{Extended: true}, RFC822Size: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil || uint32(len(msgs)) != sel.NumMessages {
		t.Fatalf("FETCH of appended garbage: %d messages, %v", len(msgs), err)
	}
	for _, m := range msgs {
		if int64(len(m.FindBodySection(&imap.FetchItemBodySection{Peek: true}))) != m.RFC822Size {
			t.Fatalf("message %d stored partially", m.SeqNum)
		}
	}
}
