package slawatch

import (
	"bytes"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	"mailnet/routing/sla"
	"mailnet/routing/sla/texts"
	"mailnet/storage"
)

// noticeFields is what a notice and its alerts say.
type noticeFields struct {
	conv       storage.Conversation
	counsellor mail.Address // From of the notice, ORGANIZER of the event
	to         string       // the client's address, "" when it has none
	clientName string
	hostname   string
	now, next  time.Time // when the notice is sent; the new contact
	loc        *time.Location
}

// counsellorName returns the counsellor's name, or address when unnamed.
func (f noticeFields) counsellorName() string {
	if f.counsellor.Name != "" {
		return f.counsellor.Name
	}
	return f.counsellor.Address
}

// data returns what the templates say about f.
func (f noticeFields) data(noticeSent bool) texts.Data {
	client := f.conv.Client
	if f.clientName != "" {
		client = f.clientName + " (" + f.conv.Client + ")"
	}
	return texts.Data{
		Subject:           strings.Join(strings.Fields(f.conv.Subject), " "),
		ClientID:          f.conv.Client,
		ClientName:        f.clientName,
		Client:            client,
		CounsellorName:    f.counsellorName(),
		CounsellorAddress: f.counsellor.Address,
		Received:          sla.FrenchDate(f.conv.Opened.In(f.loc)),
		Due:               sla.FrenchDate(f.conv.Due.In(f.loc)),
		NextContact:       sla.FrenchDate(f.next.In(f.loc)),
		ConversationID:    f.conv.ID,
		NoticeSent:        noticeSent,
	}
}

// messageID returns a Message-ID for a message of kind about f's
// conversation.
func (f noticeFields) messageID(kind string) string {
	return fmt.Sprintf("<%s.%s-%d@%s>", f.now.UTC().Format("20060102150405"), kind, f.conv.ID, f.hostname)
}

// noticeMessage writes the client notice with template t:
// multipart/mixed with the text and the new contact as an iCalendar
// invitation; CRLF line endings.
func noticeMessage(t *texts.Template, f noticeFields) ([]byte, error) {
	subject, text, err := t.Render(f.data(true))
	if err != nil {
		return nil, err
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	parts := []struct {
		header  textproto.MIMEHeader
		content string
	}{
		{textproto.MIMEHeader{
			"Content-Type":              {"text/plain; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
		}, text},
		{textproto.MIMEHeader{
			"Content-Type":              {"text/calendar; method=REQUEST; charset=utf-8"},
			"Content-Transfer-Encoding": {"quoted-printable"},
			"Content-Disposition":       {`attachment; filename="rendez-vous.ics"`},
		}, invitation(f)},
	}
	for _, p := range parts {
		pw, err := mw.CreatePart(p.header)
		if err != nil {
			return nil, err
		}
		qp := quotedprintable.NewWriter(pw)
		if _, err := qp.Write([]byte(p.content)); err != nil {
			return nil, err
		}
		if err := qp.Close(); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	field := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	field("From", f.counsellor.String())
	field("To", "<"+f.to+">")
	field("Subject", mime.QEncoding.Encode("utf-8", subject))
	field("Date", f.now.In(f.loc).Format(time.RFC1123Z))
	field("Message-ID", f.messageID("notice"))
	field("Auto-Submitted", "auto-generated")
	field("MIME-Version", "1.0")
	field("Content-Type", `multipart/mixed; boundary="`+mw.Boundary()+`"`)
	b.WriteString("\r\n")
	b.Write(body.Bytes())
	return b.Bytes(), nil
}

// icsTime is the iCalendar UTC DATE-TIME format (RFC 5545 §3.3.5).
const icsTime = "20060102T150405Z"

// invitation returns the new contact as an iCalendar REQUEST (RFC 5545,
// RFC 5546): CRLF line endings, lines folded at 75 octets.
func invitation(f noticeFields) string {
	lines := []string{
		"BEGIN:VCALENDAR",
		"PRODID:-//mailnet//notice before expiry//FR",
		"VERSION:2.0",
		"METHOD:REQUEST",
		"BEGIN:VEVENT",
		fmt.Sprintf("UID:conversation-%d@%s", f.conv.ID, f.hostname),
		"DTSTAMP:" + f.now.UTC().Format(icsTime),
		"DTSTART:" + f.next.UTC().Format(icsTime),
		"DTEND:" + f.next.Add(contactLength).UTC().Format(icsTime),
		"SUMMARY:" + icsText("Rendez-vous avec votre conseiller"),
		"DESCRIPTION:" + icsText("Référence de votre dossier : "+f.conv.Client),
		"ORGANIZER;CN=" + icsParam(f.counsellorName()) + ":mailto:" + f.counsellor.Address,
		"ATTENDEE;RSVP=TRUE;ROLE=REQ-PARTICIPANT:mailto:" + f.to,
		"SEQUENCE:0",
		"STATUS:CONFIRMED",
		"END:VEVENT",
		"END:VCALENDAR",
	}
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(fold(l))
	}
	return b.String()
}

// icsText escapes a TEXT value (RFC 5545 §3.3.11).
func icsText(s string) string {
	return strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", "").Replace(s)
}

// icsParam returns a parameter value (RFC 5545 §3.1), quoted when it
// holds ":", ";" or ","; a double quote or a control character cannot
// appear in one and is dropped.
func icsParam(s string) string {
	s = strings.Map(func(r rune) rune {
		if r == '"' || r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if strings.ContainsAny(s, ":;,") {
		return `"` + s + `"`
	}
	return s
}

// fold returns content line l ended by CRLF, folded so that no line
// exceeds 75 octets (RFC 5545 §3.1): a continuation starts with a space,
// and a UTF-8 sequence is never split.
func fold(l string) string {
	var b strings.Builder
	limit := 75
	for len(l) > limit {
		cut := limit
		for cut > 0 && l[cut]&0xC0 == 0x80 { // do not split a UTF-8 sequence
			cut--
		}
		b.WriteString(l[:cut] + "\r\n ")
		l = l[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(l + "\r\n")
	return b.String()
}

// alertMessage writes the alert to manager about f's conversation with
// template t.
func alertMessage(t *texts.Template, f noticeFields, manager string, noticeSent bool) ([]byte, error) {
	subject, text, err := t.Render(f.data(noticeSent))
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	field := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	field("From", `mailnet <postmaster@`+f.hostname+`>`)
	field("To", "<"+manager+">")
	field("Subject", mime.QEncoding.Encode("utf-8", subject))
	field("Date", f.now.In(f.loc).Format(time.RFC1123Z))
	field("Message-ID", f.messageID("alert"))
	field("Auto-Submitted", "auto-generated")
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
