package queue

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/emersion/go-smtp"

	"mailnet/storage"
)

// A saved reply (storage.QueueRecipient.Reply) has one of two forms:
//
//   - a remote server's reply, "550 5.1.1 text", or "550 text" when the
//     server gave no enhanced status code (RFC 3463);
//   - our own finding, "5.1.2 text": DNS, network and limits.
//
// Both are printable ASCII on one line, at most maxReply bytes, so they can
// go into a DSN's Diagnostic-Code as they are. replyStatus and
// isRemoteReply read them back when the DSN is written, possibly after a
// restart.

// maxReply bounds a saved reply, in bytes.
const maxReply = 400

// failure is a reason not to deliver that we found ourselves, as opposed to
// a remote server's reply.
type failure struct {
	status string // RFC 3463 code, e.g. "5.1.2"
	text   string
}

func (f *failure) Error() string { return f.status + " " + f.text }

// permanent reports whether f is a 5.x.x failure.
func (f *failure) permanent() bool { return strings.HasPrefix(f.status, "5.") }

// remoteReply formats a remote server's reply for saving.
func remoteReply(e *smtp.SMTPError) string {
	s := strconv.Itoa(e.Code)
	if c := e.EnhancedCode; c != smtp.EnhancedCodeNotSet && c != smtp.NoEnhancedCode {
		s += fmt.Sprintf(" %d.%d.%d", c[0], c[1], c[2])
	}
	if e.Message != "" {
		s += " " + e.Message
	}
	return clean(s)
}

// outcome says what err, met while delivering to a host, means for the
// recipients it concerns: their new state and saved reply, and whether the
// next host should be tried. Connection failures and 421 (the server is
// closing) mean the host gave no answer; other replies are answers.
func outcome(err error) (state storage.RecipientState, reply string, next bool) {
	var se *smtp.SMTPError
	var f *failure
	switch {
	case errors.As(err, &se):
		reply = remoteReply(se)
		switch {
		case se.Code == 421:
			return storage.RecipientPending, reply, true
		case se.Code >= 500 && se.Code < 600:
			return storage.RecipientFailed, reply, false
		}
		return storage.RecipientPending, reply, false
	case errors.As(err, &f):
		if f.permanent() {
			return storage.RecipientFailed, clean(f.Error()), false
		}
		return storage.RecipientPending, clean(f.Error()), true
	}
	// RFC 3463 X.4.2: bad connection.
	return storage.RecipientPending, clean("4.4.2 " + err.Error()), true
}

// replyStatus returns the RFC 3463 status of a saved reply: its enhanced
// code when it has a valid one, else X.0.0 from the reply code's class.
func replyStatus(reply string) string {
	first, rest, _ := strings.Cut(reply, " ")
	if isRemoteReply(reply) {
		code := first
		if st, _, _ := strings.Cut(rest, " "); validStatus(st) && st[0] == code[0] {
			return st
		}
		if code[0] == '4' || code[0] == '5' {
			return code[:1] + ".0.0"
		}
		return "4.0.0"
	}
	if validStatus(first) {
		return first
	}
	return "5.0.0"
}

// isRemoteReply reports whether a saved reply came from a remote server:
// it starts with a three-digit reply code.
func isRemoteReply(reply string) bool {
	code, _, _ := strings.Cut(reply, " ")
	if len(code) != 3 {
		return false
	}
	for i := range 3 {
		if code[i] < '0' || code[i] > '9' {
			return false
		}
	}
	return true
}

// validStatus reports whether s is an RFC 3463 status code: class 2, 4 or
// 5, then subject and detail of one to three digits.
func validStatus(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 3 || len(parts[0]) != 1 || !strings.ContainsAny(parts[0], "245") {
		return false
	}
	for _, p := range parts[1:] {
		if len(p) < 1 || len(p) > 3 || strings.Trim(p, "0123456789") != "" {
			return false
		}
	}
	return true
}

// clean makes s a saved reply: control characters and line breaks become
// spaces, other bytes outside printable ASCII '?', runs of spaces one, and
// the result is cut to maxReply bytes.
func clean(s string) string {
	var b strings.Builder
	space := false
	for i := 0; i < len(s) && b.Len() < maxReply; i++ {
		c := s[i]
		switch {
		case c < ' ' || c == ' ':
			space = b.Len() > 0
			continue
		case c > '~':
			c = '?'
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteByte(c)
	}
	out := b.String()
	if len(out) > maxReply {
		out = strings.TrimRight(out[:maxReply], " ")
	}
	return out
}

// isNotFound reports whether err is a DNS "no such host" answer (NXDOMAIN,
// or no records of the type asked for).
func isNotFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}
