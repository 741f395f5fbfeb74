package imapd

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"
)

// The plain-text part of a STARTTLS connection is served here, not by
// go-imap: before TLS only CAPABILITY, NOOP, LOGOUT and STARTTLS do
// anything, and doing the handshake ourselves lets every connection that
// go-imap sees be TLS already, wrapped in our command layer (cmdConn) that
// adds the ACL commands go-imap lacks. go-imap is therefore told that
// authentication without TLS is fine (Options.InsecureAuth): it never sees
// a connection without TLS.

// frontCaps is the capability list before TLS.
const frontCaps = "IMAP4rev1 IMAP4rev2 STARTTLS LOGINDISABLED"

const (
	// frontTimeout bounds the whole plain-text dialogue and the handshake.
	frontTimeout = 2 * time.Minute
	// frontMaxLine bounds a command line before TLS.
	frontMaxLine = 1024
)

// preTLSCommands are the commands a client may know; before TLS they get a
// NO or BAD (or, for the four served here, BAD on bad syntax) and the
// connection stays. Any other word closes it, as
// go-imap does, against cross-protocol attacks.
var preTLSCommands = map[string]bool{
	"LOGIN": true, "AUTHENTICATE": true, "SELECT": true, "EXAMINE": true, "CREATE": true,
	"DELETE": true, "RENAME": true, "SUBSCRIBE": true, "UNSUBSCRIBE": true, "LIST": true,
	"LSUB": true, "NAMESPACE": true, "STATUS": true, "APPEND": true, "IDLE": true,
	"CLOSE": true, "UNSELECT": true, "EXPUNGE": true, "SEARCH": true, "FETCH": true,
	"STORE": true, "COPY": true, "MOVE": true, "UID": true, "ENABLE": true, "ID": true,
	"CHECK": true, "UNAUTHENTICATE": true, "MYRIGHTS": true, "GETACL": true,
	"LISTRIGHTS": true, "SETACL": true, "DELETEACL": true, "CAPABILITY": true, "NOOP": true,
	"LOGOUT": true, "STARTTLS": true,
}

// errFrontClosed ends a plain-text dialogue without TLS (LOGOUT, an
// unknown command, a timeout).
var errFrontClosed = errors.New("imap: connection closed before TLS")

// startTLS serves the plain-text dialogue of conn up to a successful
// STARTTLS and returns the TLS connection, handshake done. On any other
// outcome it closes conn and returns an error.
func startTLS(conn net.Conn, cfg *tls.Config) (*tls.Conn, error) {
	tc, err := frontDialogue(conn, cfg)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return tc, nil
}

func frontDialogue(conn net.Conn, cfg *tls.Config) (*tls.Conn, error) {
	if err := conn.SetDeadline(time.Now().Add(frontTimeout)); err != nil {
		return nil, err
	}
	br := bufio.NewReaderSize(conn, frontMaxLine)
	say := func(lines ...string) error {
		_, err := conn.Write([]byte(strings.Join(lines, "\r\n") + "\r\n"))
		return err
	}
	if err := say("* OK [CAPABILITY " + frontCaps + "] mailnet IMAP ready"); err != nil {
		return nil, err
	}
	for {
		line, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			say("* BYE Line too long")
			return nil, errFrontClosed
		}
		if err != nil {
			return nil, err
		}
		tag, name, rest := splitCommandLine(string(line))
		switch {
		case tag == "" || name == "":
			err = say("* BAD Syntax error")
		case name == "CAPABILITY" && rest == "":
			err = say("* CAPABILITY "+frontCaps, tag+" OK CAPABILITY completed")
		case name == "NOOP" && rest == "":
			err = say(tag + " OK NOOP completed")
		case name == "LOGOUT" && rest == "":
			say("* BYE Logging out", tag+" OK LOGOUT completed")
			return nil, errFrontClosed
		case name == "STARTTLS" && rest == "":
			// Bytes sent after STARTTLS and before the handshake would be
			// read as if they came over TLS (CVE-2011-0411 and kin).
			if br.Buffered() > 0 {
				say("* BYE Data after STARTTLS")
				return nil, errFrontClosed
			}
			if err := say(tag + " OK Begin TLS negotiation now"); err != nil {
				return nil, err
			}
			tc := tls.Server(conn, cfg)
			if err := tc.Handshake(); err != nil {
				return nil, fmt.Errorf("tls handshake: %w", err)
			}
			return tc, conn.SetDeadline(time.Time{})
		case name == "LOGIN" || name == "AUTHENTICATE":
			err = say(tag + " NO [PRIVACYREQUIRED] Use STARTTLS first")
		case preTLSCommands[name]:
			err = say(tag + " BAD Command not valid before STARTTLS and login")
		default:
			say("* BYE Unknown command")
			return nil, errFrontClosed
		}
		if err != nil {
			return nil, err
		}
	}
}

// splitCommandLine cuts "tag NAME rest\r\n" into its parts, NAME
// upper-cased; tag or name is empty if the line has no such shape.
func splitCommandLine(line string) (tag, name, rest string) {
	line = strings.TrimRight(line, "\r\n")
	tag, after, ok := strings.Cut(line, " ")
	if !ok || !isTag(tag) {
		return "", "", ""
	}
	name, rest, _ = strings.Cut(after, " ")
	if !isAtom(name) {
		return tag, "", ""
	}
	return tag, strings.ToUpper(name), rest
}

// isTag reports whether s is a valid command tag (RFC 9051 §9: astring
// characters except '+').
func isTag(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '+' || !isAtomChar(c) && c != ']' {
			return false
		}
	}
	return true
}

func isAtom(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAtomChar(s[i]) {
			return false
		}
	}
	return true
}

// isAtomChar reports whether c may appear in an atom (RFC 9051 §9).
func isAtomChar(c byte) bool {
	if c <= ' ' || c >= 0x7f {
		return false
	}
	return !strings.ContainsRune(`(){%*"\]`, rune(c))
}

// frontListener serves the plain-text dialogue of the connections it
// accepts, each in its own goroutine, and hands those that reached TLS to
// go-imap through Accept.
type frontListener struct {
	raw   net.Listener
	tls   *tls.Config
	ready chan net.Conn
	done  chan struct{}
	wg    sync.WaitGroup
	once  sync.Once

	mu      sync.Mutex
	pending map[net.Conn]struct{} // connections still in plain text
	err     error                 // why the accept loop stopped
}

func newFrontListener(raw net.Listener, cfg *tls.Config) *frontListener {
	l := &frontListener{raw: raw, tls: cfg, ready: make(chan net.Conn), done: make(chan struct{}), pending: map[net.Conn]struct{}{}}
	l.wg.Add(1)
	go l.acceptLoop()
	return l
}

func (l *frontListener) acceptLoop() {
	defer l.wg.Done()
	for {
		c, err := l.raw.Accept()
		if err != nil {
			l.mu.Lock()
			l.err = err
			l.mu.Unlock()
			l.Close()
			return
		}
		l.mu.Lock()
		l.pending[c] = struct{}{}
		l.mu.Unlock()
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			tc, err := startTLS(c, l.tls)
			l.mu.Lock()
			delete(l.pending, c)
			l.mu.Unlock()
			if err != nil {
				return
			}
			select {
			case l.ready <- newCmdConn(tc, true):
			case <-l.done:
				tc.Close()
			}
		}()
	}
}

// Accept returns the next connection that completed STARTTLS.
func (l *frontListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.ready:
		return c, nil
	case <-l.done:
		l.mu.Lock()
		defer l.mu.Unlock()
		if l.err != nil && !errors.Is(l.err, net.ErrClosed) {
			return nil, l.err
		}
		return nil, net.ErrClosed
	}
}

// Close stops accepting and cuts the connections still in plain text;
// Wait waits for their goroutines.
func (l *frontListener) Close() error {
	var err error
	l.once.Do(func() {
		close(l.done)
		err = l.raw.Close()
		l.mu.Lock()
		for c := range l.pending {
			c.Close()
		}
		l.mu.Unlock()
	})
	return err
}

// Wait returns when the accept loop and every plain-text dialogue have
// ended; call it after Close.
func (l *frontListener) Wait() { l.wg.Wait() }

// Addr is the listening address.
func (l *frontListener) Addr() net.Addr { return l.raw.Addr() }

// tlsListener wraps the connections of an implicit-TLS listener in our
// command layer.
type tlsListener struct{ net.Listener }

func (l tlsListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return newCmdConn(c, false), nil
}
