package smtpd

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-sasl"

	"mailnet/routing"
	"mailnet/storage"
)

// AuthMechanisms lists the SASL mechanisms to advertise: the
// Authenticator's on a submission connection under TLS, none otherwise.
func (s *session) AuthMechanisms() []string {
	if s.srv.cfg.Mode != ModeSubmission || s.srv.auth == nil || s.tls == nil {
		return nil
	}
	return s.srv.auth.Mechanisms()
}

// Auth starts a SASL exchange. go-smtp already refuses AUTH without TLS
// on submission (523); the check here keeps that true whatever go-smtp
// does.
func (s *session) Auth(mech string) (sasl.Server, error) {
	switch {
	case s.srv.cfg.Mode != ModeSubmission || s.srv.auth == nil:
		return nil, s.reply(s.log, "auth refused", errAuthNotEnabled, "mech", mech)
	case s.tls == nil:
		return nil, s.reply(s.log, "auth refused", errEncryptionRequired, "mech", mech)
	}
	srv, err := s.srv.auth.SASL(s.ctx, mech, s.conn.remote, s.loggedIn)
	if err != nil {
		s.srv.obs.Login(false)
		return nil, s.reply(s.log, "auth refused", err, "mech", mech)
	}
	return &saslServer{next: srv, s: s, mech: strings.ToUpper(mech)}, nil
}

// loggedIn records the account of a successful AUTH.
func (s *session) loggedIn(a storage.Account) {
	s.mu.Lock()
	s.account = &a
	s.mu.Unlock()
	s.log.Info("login", "account", a.Address)
	s.srv.obs.Login(true)
}

// saslServer maps the errors of an Authenticator's SASL server to replies:
// go-smtp would send their text, under a 454 code, to the client. It never
// logs the client's responses, which hold the password.
type saslServer struct {
	next sasl.Server
	s    *session
	mech string
}

// Next passes response to the mechanism.
func (a *saslServer) Next(response []byte) ([]byte, bool, error) {
	// RFC 4616 §2: authzid NUL authcid NUL passwd. go-sasl reports a bad
	// count with an error that has no sentinel to match.
	if a.mech == sasl.Plain && response != nil && bytes.Count(response, []byte{0}) != 2 {
		a.s.srv.obs.Login(false)
		return nil, false, a.s.reply(a.s.log, "login failed", errMalformedAuth, "mech", a.mech)
	}
	challenge, done, err := a.next.Next(response)
	if err != nil {
		a.s.srv.obs.Login(false)
		return nil, false, a.s.reply(a.s.log, "login failed", err, "mech", a.mech)
	}
	return challenge, done, nil
}

// checkSender returns nil if the authenticated account may use from as
// its envelope sender: its own address, or that of an absent colleague it
// substitutes for, during the absence (routing.SenderAllowed); s.mu must be
// held.
func (s *session) checkSender(from string) error {
	if s.account == nil {
		return errAuthRequired
	}
	if from == "" {
		return fmt.Errorf("%w: null sender", errSenderNotOwned)
	}
	_, ok, err := s.srv.router.SenderAllowed(s.ctx, *s.account, from, s.srv.now())
	switch {
	case errors.Is(err, routing.ErrBadAddress) || (err == nil && !ok):
		return fmt.Errorf("%w: %q is not %s", errSenderNotOwned, from, s.account.Address)
	case err != nil:
		return err
	}
	return nil
}

// prepareSubmission completes a submitted message before it is stored and
// sent: Date and Message-ID when missing (RFC 6409 §8), a From field the
// account may use, with Sender: naming the account when it writes as an
// absent colleague (RFC 5322 §3.6.2), then our DKIM signatures.
func (s *session) prepareSubmission(raw []byte, id string, when time.Time, envFrom string, account storage.Account) ([]byte, error) {
	raw = completeHeader(raw, when, messageID(id, when, s.srv.cfg.Hostname))
	from := headerFrom(raw)
	if from == "" {
		return nil, fmt.Errorf("%w: no single From address", errSenderNotOwned)
	}
	sender, ok, err := s.srv.router.SenderAllowed(s.ctx, account, from, when)
	switch {
	case errors.Is(err, routing.ErrBadAddress) || (err == nil && !ok):
		return nil, fmt.Errorf("%w: From %q is not %s", errSenderNotOwned, from, account.Address)
	case err != nil:
		return nil, err
	}
	if sender != "" {
		raw = append([]byte("Sender: "+sender+"\r\n"), raw...)
	}
	return s.sign(raw, envFrom)
}

// messageID returns a Message-ID for a message we give the ID id:
// "<20261128224500.id@hostname>".
func messageID(id string, when time.Time, hostname string) string {
	return "<" + when.UTC().Format("20060102150405") + "." + id + "@" + hostname + ">"
}

// completeHeader adds a Date and a Message-ID field (msgID) at the end of
// msg's header section when it lacks them, as a submission server may
// (RFC 6409 §8.3, §8.4). msg has CRLF line endings. A header section that
// runs into a line which is not a field gets the empty line that separates
// it from the body.
func completeHeader(msg []byte, date time.Time, msgID string) []byte {
	h := scanHeader(msg)
	if h.hasDate && h.hasMessageID {
		return msg
	}
	var add []byte
	if h.end == len(msg) && len(msg) > 0 && !bytes.HasSuffix(msg, []byte("\r\n")) {
		add = append(add, "\r\n"...) // the last field lacks its line end
	}
	if !h.hasDate {
		add = append(add, "Date: "+date.Format(time.RFC1123Z)+"\r\n"...)
	}
	if !h.hasMessageID {
		add = append(add, "Message-ID: "+msgID+"\r\n"...)
	}
	if !h.separated && h.end < len(msg) {
		add = append(add, "\r\n"...)
	}
	out := make([]byte, 0, len(msg)+len(add))
	out = append(out, msg[:h.end]...)
	out = append(out, add...)
	return append(out, msg[h.end:]...)
}

// headerScan is what scanHeader finds.
type headerScan struct {
	end          int  // offset of the end of the header section
	separated    bool // an empty line follows the section
	hasDate      bool
	hasMessageID bool
}

// scanHeader reads the header section of msg (RFC 5322 §2.2): fields and
// their folded continuation lines, up to an empty line, a line that is not
// a field, or the end of msg.
func scanHeader(msg []byte) headerScan {
	var h headerScan
	for pos := 0; pos < len(msg); {
		line := msg[pos:]
		if i := bytes.Index(line, []byte("\r\n")); i >= 0 {
			line = line[:i+2]
		}
		switch {
		case string(line) == "\r\n":
			h.end, h.separated = pos, true
			return h
		case line[0] == ' ' || line[0] == '\t':
			// continuation of the previous field
		default:
			name, ok := fieldName(line)
			if !ok {
				h.end = pos
				return h
			}
			h.hasDate = h.hasDate || strings.EqualFold(name, "Date")
			h.hasMessageID = h.hasMessageID || strings.EqualFold(name, "Message-ID")
		}
		pos += len(line)
	}
	h.end = len(msg)
	return h
}

// fieldName returns the name of the field that starts line, if line is a
// field: printable ASCII other than colon, then a colon (RFC 5322 §3.6.8).
func fieldName(line []byte) (string, bool) {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return "", false
	}
	for _, c := range line[:colon] {
		if c < 33 || c > 126 {
			return "", false
		}
	}
	return string(line[:colon]), true
}
