package imapd

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
)

// cmdConn sits between a TLS connection and go-imap. It hands go-imap
// one command line at a time (with the literals that belong to it), so
// that when the next line is a command go-imap does not know, go-imap has
// finished every earlier command and is waiting for input: the session
// then answers that command itself, in order, on the same connection.
//
// This is how the ACL commands of RFC 4314 are served: go-imap v2
// beta.8 has no hook for extra commands. Remove this layer's command
// handling when upstream lands one (emersion/go-imap#730).
type cmdConn struct {
	net.Conn
	br *bufio.Reader

	pending []byte // bytes of the current line not yet read by go-imap
	midLine bool   // the current line continues past pending
	tail    []byte // last bytes of the current line, to find a literal marker

	wmu          sync.Mutex
	literal      int64 // literal bytes still to pass through
	awaiting     bool  // a synchronizing literal waits for go-imap's continuation
	awaitSize    int64 // its size
	dropGreeting bool  // drop go-imap's greeting: ours was sent before TLS

	mu   sync.Mutex
	ext  extension
	last string // name of the last command given to go-imap

	extraCaps []byte // appended to go-imap's capability lists; guarded by wmu
}

// extension answers the commands that go-imap does not know.
type extension interface {
	// handles reports whether the command named name (upper case) is
	// answered by the extension in the current state.
	handles(name string) bool
	// run answers one command and returns the response lines, without
	// CRLF, the tagged status line last. args are the command's
	// arguments, strings already unquoted.
	run(tag, name string, args []string) []string
}

const (
	// cmdReadBuffer is the read buffer; longer lines pass through in
	// pieces.
	cmdReadBuffer = 64 << 10
	// maxExtLiteral bounds a literal argument of an extension command.
	maxExtLiteral = 4096
	// maxExtArgs bounds the arguments of an extension command.
	maxExtArgs = 8
)

func newCmdConn(c net.Conn, afterSTARTTLS bool) *cmdConn {
	return &cmdConn{Conn: c, br: bufio.NewReaderSize(c, cmdReadBuffer), dropGreeting: afterSTARTTLS}
}

// setExtension installs the session's command handler and the
// capabilities it adds (go-imap advertises only those it knows).
func (c *cmdConn) setExtension(e extension, caps []string) {
	c.mu.Lock()
	c.ext = e
	c.mu.Unlock()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	for _, cp := range caps {
		c.extraCaps = append(append(c.extraCaps, ' '), cp...)
	}
}

// lastCommand is the name of the command go-imap is running or ran last
// ("UID" for the UID commands).
func (c *cmdConn) lastCommand() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// Read gives go-imap the next bytes of the client's input, never past the
// end of the current command line or literal.
func (c *cmdConn) Read(p []byte) (int, error) {
	for {
		if len(c.pending) > 0 {
			n := copy(p, c.pending)
			c.pending = c.pending[n:]
			return n, nil
		}
		if n, err, ok := c.readLiteral(p); ok {
			return n, err
		}
		line, err := c.br.ReadSlice('\n')
		if len(line) == 0 {
			return 0, err
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			err = nil
		}
		startsCommand := !c.midLine
		c.midLine = line[len(line)-1] != '\n'
		if startsCommand && !c.midLine && c.answer(line) {
			continue
		}
		if startsCommand {
			c.noteCommand(line)
		}
		c.tail = append(c.tail, line[max(0, len(line)-32):]...)
		c.tail = c.tail[max(0, len(c.tail)-32):]
		if !c.midLine {
			c.expectLiteral(c.tail)
			c.tail = c.tail[:0]
		}
		c.pending = append(c.pending[:0], line...)
		if err != nil {
			return 0, err
		}
	}
}

// readLiteral passes literal bytes through, if a literal is under way.
// A synchronizing literal that go-imap answered without a continuation
// request was refused: the client will not send it, and the next line is
// a new command.
func (c *cmdConn) readLiteral(p []byte) (int, error, bool) {
	c.wmu.Lock()
	if c.awaiting {
		c.awaiting, c.midLine = false, false
	}
	left := c.literal
	c.wmu.Unlock()
	if left == 0 {
		return 0, nil, false
	}
	n, err := c.br.Read(p[:min(int64(len(p)), left)])
	c.wmu.Lock()
	c.literal -= int64(n)
	c.wmu.Unlock()
	return n, err, true
}

// expectLiteral notes the literal announced at the end of a line: a
// non-synchronizing one follows at once, a synchronizing one once go-imap
// sends its continuation request.
func (c *cmdConn) expectLiteral(tail []byte) {
	size, sync, ok := literalSize(tail)
	if !ok {
		return
	}
	c.midLine = true // the command goes on after the literal
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if sync {
		c.awaiting, c.awaitSize = true, size
	} else {
		c.literal = size
	}
}

func (c *cmdConn) noteCommand(line []byte) {
	_, name, _ := splitCommandLine(string(line))
	c.mu.Lock()
	c.last = name
	c.mu.Unlock()
}

// answer runs line as an extension command if it is one, and reports
// whether it did (the line is then consumed).
func (c *cmdConn) answer(line []byte) bool {
	tag, name, rest := splitCommandLine(string(line))
	c.mu.Lock()
	ext := c.ext
	c.mu.Unlock()
	if ext == nil || tag == "" || !ext.handles(name) {
		return false
	}
	var out []string
	args, err := c.readArgs(strings.TrimRight(rest, "\r\n"))
	if err != nil {
		out = []string{tag + " BAD " + err.Error()}
	} else {
		out = ext.run(tag, name, args)
	}
	c.writeLines(out)
	return true
}

func (c *cmdConn) writeLines(lines []string) {
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString("\r\n")
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.Conn.Write(b.Bytes()) // a write error shows on the next read
}

// Write passes go-imap's output through, less its greeting on a
// connection that already had ours, and with our capabilities added to
// its capability lists.
func (c *cmdConn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if n := len(p); len(c.extraCaps) > 0 && bytes.Contains(p, capabilityMarker) {
		if _, err := c.write(withCaps(p, c.extraCaps)); err != nil {
			return 0, err
		}
		return n, nil
	}
	return c.write(p)
}

// capabilityMarker starts every capability list go-imap writes: the
// CAPABILITY response and the CAPABILITY response code.
var capabilityMarker = []byte("CAPABILITY IMAP4")

// withCaps inserts extra at the end of every capability list in p: before
// the CRLF of a "* CAPABILITY" line, before the "]" of a response code.
func withCaps(p, extra []byte) []byte {
	var out []byte
	for {
		i := bytes.Index(p, capabilityMarker)
		if i < 0 {
			return append(out, p...)
		}
		end := bytes.IndexAny(p[i:], "]\r")
		if end < 0 {
			return append(out, p...)
		}
		out = append(append(out, p[:i+end]...), extra...)
		p = p[i+end:]
	}
}

func (c *cmdConn) write(p []byte) (int, error) {
	if c.awaiting && bytes.HasPrefix(p, []byte("+")) {
		c.literal, c.awaiting = c.awaitSize, false
	}
	if c.dropGreeting {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			return len(p), nil
		}
		c.dropGreeting = false
		n, err := c.Conn.Write(p[i+1:])
		return n + i + 1, err
	}
	return c.Conn.Write(p)
}

// errArgs is the reply to an extension command with bad arguments.
var errArgs = errors.New("syntax error in arguments")

// readArgs parses the arguments of an extension command: atoms, quoted
// strings and literals (a synchronizing literal gets its continuation
// request here).
func (c *cmdConn) readArgs(rest string) ([]string, error) {
	var args []string
	for {
		rest = strings.TrimLeft(rest, " ")
		if rest == "" {
			return args, nil
		}
		if len(args) == maxExtArgs {
			return nil, errArgs
		}
		switch rest[0] {
		case '"':
			s, n, ok := unquote(rest)
			if !ok {
				return nil, errArgs
			}
			args, rest = append(args, s), rest[n:]
		case '{':
			size, sync, ok := parseLiteralMarker(rest)
			if !ok || size > maxExtLiteral {
				return nil, errArgs
			}
			if sync {
				c.writeLines([]string{"+ Ready for literal data"})
			}
			buf := make([]byte, size)
			if _, err := io.ReadFull(c.br, buf); err != nil {
				return nil, errArgs
			}
			line, err := c.br.ReadSlice('\n') // bounded by the read buffer
			if err != nil {
				return nil, errArgs
			}
			args, rest = append(args, string(buf)), strings.TrimRight(string(line), "\r\n")
		default:
			word, after, _ := strings.Cut(rest, " ")
			args, rest = append(args, word), after
		}
	}
}

// unquote reads a quoted string at the start of s and returns its value
// and the length it took.
func unquote(s string) (string, int, bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
			if i == len(s) || s[i] != '\\' && s[i] != '"' {
				return "", 0, false
			}
			b.WriteByte(s[i])
		case '"':
			return b.String(), i + 1, true
		default:
			b.WriteByte(s[i])
		}
	}
	return "", 0, false
}

// parseLiteralMarker parses a whole "{n}" or "{n+}" argument.
func parseLiteralMarker(s string) (size int64, sync, ok bool) {
	if len(s) < 3 || s[0] != '{' || s[len(s)-1] != '}' {
		return 0, false, false
	}
	digits := s[1 : len(s)-1]
	sync = true
	if strings.HasSuffix(digits, "+") {
		digits, sync = digits[:len(digits)-1], false
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n < 0 {
		return 0, false, false
	}
	return n, sync, true
}

// literalSize returns the size announced by a literal marker ("{n}",
// "{n+}", "~{n}") that ends line, whether it is synchronizing, and
// whether there is one.
func literalSize(line []byte) (size int64, sync, ok bool) {
	line = bytes.TrimRight(line, "\r\n")
	if len(line) == 0 || line[len(line)-1] != '}' {
		return 0, false, false
	}
	open := bytes.LastIndexByte(line, '{')
	if open < 0 {
		return 0, false, false
	}
	return parseLiteralMarker(string(line[open:]))
}

// quoteString renders s as an IMAP quoted string.
func quoteString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}
