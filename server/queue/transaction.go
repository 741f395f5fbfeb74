package queue

import (
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-smtp"

	"mailnet/storage"
)

// rcptResult is what one host, or DNS, said about one recipient.
type rcptResult struct {
	state storage.RecipientState
	reply string
}

// hostResult is the outcome of trying one host for one domain's
// recipients.
type hostResult struct {
	// rcpts has an entry for each recipient that got an answer.
	rcpts map[string]rcptResult
	// tls is the session's TLS state, tlsNone when none was opened.
	tls string
	// next is set when the host gave no answer: try the next one.
	next bool
}

// all sets the same result for every recipient.
func (r *hostResult) all(rcpts []string, state storage.RecipientState, reply string) {
	for _, rc := range rcpts {
		r.rcpts[rc] = rcptResult{state, reply}
	}
}

// summary describes r for the attempt history and the log.
func (r *hostResult) summary() string {
	var delivered, failed, deferred int
	var last string
	for _, res := range r.rcpts {
		switch res.state {
		case storage.RecipientDelivered:
			delivered++
		case storage.RecipientFailed:
			failed++
			last = res.reply
		default:
			deferred++
			last = res.reply
		}
	}
	parts := make([]string, 0, 3)
	for _, p := range []struct {
		n    int
		word string
	}{{delivered, "delivered"}, {failed, "failed"}, {deferred, "deferred"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", p.word, p.n))
		}
	}
	s := strings.Join(parts, ", ")
	if last != "" {
		s += ": " + last
	}
	return s
}

// send runs one mail transaction for rcpts (RFC 5321 §3.3): MAIL (with
// SIZE when advertised), one RCPT per recipient, then DATA with raw as it
// is, if any recipient was accepted.
func (s *session) send(from string, rcpts []string, raw []byte) hostResult {
	res := hostResult{rcpts: make(map[string]rcptResult, len(rcpts)), tls: s.tls}
	if limit, ok := s.c.MaxMessageSize(); ok && limit > 0 && len(raw) > limit {
		// RFC 1870 §6.2: the server will refuse it; do not send.
		res.all(rcpts, storage.RecipientFailed,
			fmt.Sprintf("5.3.4 message of %d bytes exceeds the remote limit of %d bytes", len(raw), limit))
		return res
	}
	opts := &smtp.MailOptions{Size: int64(len(raw))}
	if !isASCII(from) || !allASCII(rcpts) {
		if ok, _ := s.c.Extension("SMTPUTF8"); !ok {
			// RFC 6531 §3.2: no downgrade; the address cannot be sent.
			res.all(rcpts, storage.RecipientFailed, "5.6.7 the remote server does not support non-ASCII addresses (SMTPUTF8)")
			return res
		}
		opts.UTF8 = true
	}
	if err := s.c.Mail(from, opts); err != nil {
		state, reply, next := outcome(err)
		res.all(rcpts, state, reply)
		res.next = next
		return res
	}
	var accepted []string
	for i, rc := range rcpts {
		err := s.c.Rcpt(rc, nil)
		if err == nil {
			accepted = append(accepted, rc)
			continue
		}
		state, reply, next := outcome(err)
		if !next {
			res.rcpts[rc] = rcptResult{state, reply}
			continue
		}
		// The session is lost: nothing was sent, so every recipient
		// without an answer may go to the next host.
		res.all(accepted, state, reply)
		res.all(rcpts[i:], state, reply)
		res.next = true
		return res
	}
	if len(accepted) == 0 {
		return res
	}
	return s.data(res, accepted, raw)
}

// data sends raw to the accepted recipients and records the reply.
func (s *session) data(res hostResult, accepted []string, raw []byte) hostResult {
	wc, err := s.c.Data()
	if err != nil {
		state, reply, next := outcome(err)
		res.all(accepted, state, reply)
		res.next = next
		return res
	}
	if _, err := wc.Write(raw); err != nil {
		// No final dot was sent: the server cannot have accepted it.
		state, reply, next := outcome(err)
		res.all(accepted, state, reply)
		res.next = next
		return res
	}
	resp, err := wc.CloseWithResponse()
	if err != nil {
		state, reply, _ := outcome(err)
		var se *smtp.SMTPError
		if !errors.As(err, &se) {
			// The dot was sent and the reply lost: the server may
			// have accepted the message. Retry later, not elsewhere
			// at once (RFC 1047).
			reply = clean("4.4.2 connection lost after the end of data: " + err.Error())
		}
		res.all(accepted, state, reply)
		return res
	}
	res.all(accepted, storage.RecipientDelivered, clean("250 "+resp.StatusText))
	return res
}

// isASCII reports whether s is all ASCII.
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// allASCII reports whether every string in ss is ASCII.
func allASCII(ss []string) bool {
	for _, s := range ss {
		if !isASCII(s) {
			return false
		}
	}
	return true
}
