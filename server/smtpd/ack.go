package smtpd

import (
	"bytes"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	"mailnet/routing"
	"mailnet/routing/sla"
	"mailnet/routing/sla/texts"
	"mailnet/storage"
)

// acknowledge sets ev.Ack, the acknowledgement of receipt of a known
// client's MX message, unless RFC 3834 forbids an automatic reply to it
// (see autoReplyForbidden). It goes to the envelope sender (RFC 3834 §4)
// from the personal counsellor's address, under a null envelope sender so
// that nothing automatic ever answers it (RFC 3834 §3.3), and is
// DKIM-signed. Storage queues it only when the conversation is new or was
// last acknowledged more than a day before.
func (s *session) acknowledge(ev *storage.ConversationEvent, raw []byte, from string, d routing.Decision) error {
	if !s.srv.cfg.Acknowledge || d.Client == nil || autoReplyForbidden(raw, from, s.srv.router.IsLocal) {
		return nil
	}
	counsellor := mail.Address{Address: d.Client.Counsellor}
	for _, t := range d.Targets {
		if strings.EqualFold(t.Account.Address, counsellor.Address) && t.Account.Name != "" {
			counsellor.Name = t.Account.Name
			break
		}
	}
	msg, err := ackMessage(s.srv.cfg.AckText, ackFields{
		from: counsellor, to: from, hostname: s.srv.cfg.Hostname, id: newMessageID(),
		subject: ev.Subject, inReplyTo: ev.MessageID, client: ev.Client,
		received: ev.At, due: ev.Due, loc: s.srv.cal.Location(),
	})
	if err != nil {
		return fmt.Errorf("acknowledgement: %w", err)
	}
	signed, err := s.sign(msg, counsellor.Address)
	if err != nil {
		return fmt.Errorf("acknowledgement: %w", err)
	}
	ev.Ack = &storage.Acknowledgement{Raw: signed, To: from}
	return nil
}

// autoReplyForbidden tells whether a message must get no automatic reply
// (RFC 3834 §2): a null or one of our own envelope senders (bounces, our
// own notices: loops), a daemon or list-owner sender, or a header saying
// it is automatic (Auto-Submitted other than "no"), bulk or list mail
// (Precedence, List-*), or that asks for no auto-reply
// (X-Auto-Response-Suppress, Microsoft's extension). A header that does
// not parse forbids it too.
func autoReplyForbidden(raw []byte, from string, isLocal func(domain string) bool) bool {
	at := strings.LastIndexByte(from, '@')
	if at <= 0 || isLocal(from[at+1:]) {
		return true
	}
	local := strings.ToLower(from[:at])
	if local == "mailer-daemon" || local == "postmaster" || strings.HasPrefix(local, "owner-") || strings.HasSuffix(local, "-request") {
		return true
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return true
	}
	h := msg.Header
	if v, ok := h["Auto-Submitted"]; ok && (len(v) != 1 || !strings.EqualFold(fieldToken(v[0]), "no")) {
		return true
	}
	for _, v := range h["Precedence"] {
		switch strings.ToLower(fieldToken(v)) {
		case "bulk", "junk", "list":
			return true
		}
	}
	for _, k := range []string{"List-Id", "List-Unsubscribe", "List-Post", "List-Help", "List-Subscribe", "List-Owner", "List-Archive"} {
		if _, ok := h[textproto.CanonicalMIMEHeaderKey(k)]; ok {
			return true
		}
	}
	for _, v := range h["X-Auto-Response-Suppress"] {
		for tok := range strings.SplitSeq(v, ",") {
			switch strings.ToLower(strings.TrimSpace(tok)) {
			case "all", "autoreply":
				return true
			}
		}
	}
	return false
}

// fieldToken returns a field value's first token: before any parameter
// or comment, without surrounding space.
func fieldToken(v string) string {
	if i := strings.IndexAny(v, ";("); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v)
}

// ackFields is what an acknowledgement says.
type ackFields struct {
	from          mail.Address // the counsellor
	to            string       // the envelope sender
	hostname, id  string       // for the Message-ID
	subject       string       // decoded subject of the acknowledged message
	inReplyTo     string       // its Message-ID without brackets, or ""
	client        string       // the case reference
	received, due time.Time
	loc           *time.Location
}

// ackMessage writes the acknowledgement f with template t: CRLF line
// endings, UTF-8 text in quoted-printable, non-ASCII header text in
// RFC 2047 Q encoding.
func ackMessage(t *texts.Template, f ackFields) ([]byte, error) {
	name := f.from.Name
	if name == "" {
		name = f.from.Address
	}
	subject, text, err := t.Render(texts.Data{
		Subject:           strings.Join(strings.Fields(f.subject), " "),
		ClientID:          f.client,
		Client:            f.client,
		CounsellorName:    name,
		CounsellorAddress: f.from.Address,
		Received:          sla.FrenchDate(f.received.In(f.loc)),
		Due:               sla.FrenchDate(f.due.In(f.loc)),
	})
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	field := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	field("From", f.from.String())
	field("To", "<"+f.to+">")
	field("Subject", mime.QEncoding.Encode("utf-8", subject))
	field("Date", f.received.Format(time.RFC1123Z))
	field("Message-ID", messageID(f.id, f.received, f.hostname))
	if f.inReplyTo != "" {
		field("In-Reply-To", "<"+f.inReplyTo+">")
		field("References", "<"+f.inReplyTo+">")
	}
	field("Auto-Submitted", "auto-replied")
	field("MIME-Version", "1.0")
	field("Content-Type", "text/plain; charset=utf-8")
	field("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	w := quotedprintable.NewWriter(&b)
	// Writes to a bytes.Buffer do not fail.
	_, _ = w.Write([]byte(text))
	_ = w.Close()
	return b.Bytes(), nil
}
