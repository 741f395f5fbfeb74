package imapd

import (
	"bufio"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// readUntilTag reads lines up to the tagged reply of tag and returns them
// all.
func (s *rawSession) readUntilTag(tag string) []string {
	s.t.Helper()
	var out []string
	for {
		l := s.line()
		out = append(out, l)
		if strings.HasPrefix(l, tag+" ") {
			return out
		}
	}
}

// TestACLCommandInsideLiteralIsData pipelines an APPEND whose literal
// holds lines that look like ACL commands, then a real MYRIGHTS: the
// literal reaches the mailbox untouched, and the replies come in order.
func TestACLCommandInsideLiteralIsData(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	s := env.raw(t)
	body := "Subject: trap\r\n\r\nx1 MYRIGHTS INBOX\r\nx2 SETACL INBOX a lr\r\n"
	for _, sync := range []bool{false, true} {
		marker := fmt.Sprintf("{%d+}", len(body))
		if sync {
			marker = fmt.Sprintf("{%d}", len(body))
		}
		io.WriteString(s.conn, "a1 APPEND INBOX "+marker+"\r\n")
		if sync {
			if l := s.line(); !strings.HasPrefix(l, "+") {
				t.Fatalf("synchronizing literal answered %q", l)
			}
		}
		io.WriteString(s.conn, body+"\r\na2 MYRIGHTS INBOX\r\n")
		lines := s.readUntilTag("a1")
		if !strings.HasPrefix(lines[len(lines)-1], "a1 OK") {
			t.Fatalf("APPEND: %q", lines)
		}
		lines = s.readUntilTag("a2")
		if len(lines) != 2 || lines[0] != "* MYRIGHTS \"INBOX\" lrswipkxtea\r\n" || !strings.HasPrefix(lines[1], "a2 OK") {
			t.Fatalf("MYRIGHTS after APPEND: %q", lines)
		}
	}
	msgs, err := env.db.Messages(t.Context(), mustBox(t, env, "INBOX").ID, []uint32{1, 2}, storageWantRaw)
	if err != nil || len(msgs) != 2 || string(msgs[0].Raw) != body || string(msgs[1].Raw) != body {
		t.Fatalf("stored: %v %v", msgs, err)
	}
}

// TestRefusedLiteralDoesNotSwallowNextCommand: go-imap refuses a
// synchronizing literal over APPENDLIMIT without a continuation request;
// the client then sends no literal, and its next command must be read as
// a command.
func TestRefusedLiteralDoesNotSwallowNextCommand(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	s := env.raw(t)
	if l := s.cmd("b1", "APPEND INBOX {99999999}"); !strings.HasPrefix(l, "b1 NO") && !strings.HasPrefix(l, "b1 BAD") {
		t.Fatalf("oversized APPEND: %q", l)
	}
	lines := s.readUntilTagAfter("b2", "MYRIGHTS INBOX")
	if !strings.HasPrefix(lines[0], "* MYRIGHTS") {
		t.Fatalf("MYRIGHTS after a refused literal: %q", lines)
	}
}

func (s *rawSession) readUntilTagAfter(tag, command string) []string {
	s.t.Helper()
	io.WriteString(s.conn, tag+" "+command+"\r\n")
	return s.readUntilTag(tag)
}

func TestACLCommandReplies(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	s := env.raw(t)
	tests := []struct{ command, want string }{
		{"MYRIGHTS {5+}\r\nINBOX", "* MYRIGHTS \"INBOX\" lrswipkxtea"},
		{"MYRIGHTS Nowhere", "c NO [NONEXISTENT]"},
		{"MYRIGHTS", "c BAD"},
		{"MYRIGHTS \"unterminated", "c BAD"},
		{"GETACL INBOX", "* ACL \"INBOX\" \"marie.dupont@mailnet.test\" lrswipkxtea"},
		{"LISTRIGHTS INBOX marie.dupont@mailnet.test", "* LISTRIGHTS \"INBOX\" \"marie.dupont@mailnet.test\" \"lrswipkxtea\""},
		{"LISTRIGHTS INBOX someone@else", "* LISTRIGHTS \"INBOX\" \"someone@else\" \"\""},
		{"SETACL INBOX anyone lr", "c NO [NOPERM]"},
		{"DELETEACL INBOX anyone", "c NO [NOPERM]"},
		{"MYRIGHTS Shared", "* MYRIGHTS \"Shared\" l"},
	}
	for _, tc := range tests {
		lines := s.readUntilTagAfter("c", tc.command)
		if !strings.HasPrefix(lines[0], tc.want) {
			t.Errorf("%s: %q, want %q first", tc.command, lines, tc.want)
		}
	}
	// Modified UTF-7 names, as IMAP4rev1 clients send them.
	if _, err := env.db.CreateMailbox(t.Context(), env.account.ID, "Réunions", ""); err != nil {
		t.Fatal(err)
	}
	lines := s.readUntilTagAfter("d", "MYRIGHTS R&AOk-unions")
	if lines[0] != "* MYRIGHTS \"R&AOk-unions\" lrswipkxtea\r\n" {
		t.Fatalf("UTF-7 name: %q", lines)
	}
}

// TestACLNotAnsweredBeforeLogin: before login an unknown command ends the
// connection (go-imap's defence against cross-protocol attacks), ACL
// commands included.
func TestACLNotAnsweredBeforeLogin(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	conn, err := tls.Dial("tcp", env.tlsAddr, env.clientTLS)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	r := bufio.NewReader(conn)
	r.ReadString('\n')
	io.WriteString(conn, "e1 MYRIGHTS INBOX\r\n")
	if l, _ := r.ReadString('\n'); !strings.HasPrefix(l, "* BYE") && !strings.HasPrefix(l, "e1 BAD") {
		t.Fatalf("MYRIGHTS before login: %q", l)
	}
}

// TestSTARTTLSFront checks the plain-text dialogue: capabilities, refusal
// of LOGIN, refusal of data pipelined after STARTTLS, one greeting only
// after the handshake.
func TestSTARTTLSFront(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	dial := func() (net.Conn, *bufio.Reader) {
		c, err := net.Dial("tcp", env.plainAddr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		c.SetDeadline(time.Now().Add(10 * time.Second))
		r := bufio.NewReader(c)
		if l, _ := r.ReadString('\n'); !strings.Contains(l, "STARTTLS LOGINDISABLED") {
			t.Fatalf("greeting %q", l)
		}
		return c, r
	}
	c, r := dial()
	io.WriteString(c, "f1 LOGIN a b\r\n")
	if l, _ := r.ReadString('\n'); !strings.HasPrefix(l, "f1 NO [PRIVACYREQUIRED]") {
		t.Fatalf("LOGIN before TLS: %q", l)
	}
	io.WriteString(c, "f2 STARTTLS\r\nf3 LOGIN injected pw\r\n")
	if l, _ := r.ReadString('\n'); !strings.HasPrefix(l, "* BYE") {
		t.Fatalf("data after STARTTLS answered %q", l)
	}

	c, r = dial()
	io.WriteString(c, "g1 STARTTLS\r\n")
	if l, _ := r.ReadString('\n'); !strings.HasPrefix(l, "g1 OK") {
		t.Fatalf("STARTTLS: %q", l)
	}
	tc := tls.Client(c, env.clientTLS)
	tr := bufio.NewReader(tc)
	io.WriteString(tc, "g2 CAPABILITY\r\n")
	first, _ := tr.ReadString('\n')
	if !strings.HasPrefix(first, "* CAPABILITY ") || strings.Contains(first, "STARTTLS") || !strings.Contains(first, "AUTH=PLAIN") || !strings.Contains(first, " ACL") {
		t.Fatalf("first line after TLS = %q, want the CAPABILITY reply (no second greeting)", first)
	}

	c, r = dial()
	io.WriteString(c, "h1 XYZZY\r\n")
	if l, _ := r.ReadString('\n'); !strings.HasPrefix(l, "* BYE") {
		t.Fatalf("unknown command before TLS: %q", l)
	}
	if _, err := r.ReadString('\n'); err == nil {
		t.Fatal("connection still open after an unknown command")
	}
}

func TestModifiedUTF7(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ utf8, utf7 string }{
		{"INBOX", "INBOX"},
		{"Réunions", "R&AOk-unions"},
		{"A&B", "A&-B"},
		{"日本語", "&ZeVnLIqe-"},
		{"Cases/J1 Hélène Dupont", "Cases/J1 H&AOk-l&AOg-ne Dupont"},
		{"~peter/mail/台北/日本語", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"},
	} {
		if got := encodeUTF7(tc.utf8); got != tc.utf7 {
			t.Errorf("encode %q = %q, want %q", tc.utf8, got, tc.utf7)
		}
		if got, err := decodeUTF7(tc.utf7); err != nil || got != tc.utf8 {
			t.Errorf("decode %q = %q, %v", tc.utf7, got, err)
		}
	}
	for _, bad := range []string{"&AOk", "&AGE-", "&Jjo!", "\x01"} {
		if _, err := decodeUTF7(bad); err == nil {
			t.Errorf("decode %q accepted", bad)
		}
	}
}
