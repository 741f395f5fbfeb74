// Package texts holds the templates of the messages that the answer
// commitment sends: the acknowledgement of receipt (ack.txt), the client
// notice before expiry (notice.txt) and the manager alert (alert.txt).
//
// The defaults, in French, are embedded. [Load] reads overrides from a
// directory (the [sla] templates_dir setting): a file there named
// ack.txt, notice.txt or alert.txt replaces that default; a missing one
// keeps it.
//
// # File format
//
// A template file is UTF-8 text. Its first line is the subject,
// "Subject: " followed by a text/template; then comes one blank line;
// the rest is the body, a text/template too:
//
//	Subject: Accusé de réception : {{.Subject}}
//
//	Bonjour,
//	…
//
// Line endings may be LF or CRLF; the body is sent with CRLF. The
// rendered subject is folded to one line with single spaces. Both are
// executed with a [Data] value; see its fields for what each message
// sets. A template that does not parse, or fails to execute with sample
// data (an unknown field, say), is refused by [Load] with the file name.
package texts

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"text/template"
)

// File names of the three templates, in the defaults and in an override
// directory.
const (
	AckFile    = "ack.txt"
	NoticeFile = "notice.txt"
	AlertFile  = "alert.txt"
)

// ErrFormat reports a template file without its "Subject: " first line
// and blank second line.
var ErrFormat = errors.New(`template must start with a "Subject: " line and a blank line`)

//go:embed defaults/*.txt
var defaults embed.FS

// Data is what the templates may use. Dates are already formatted in
// French in the calendar's time zone (sla.FrenchDate), e.g. "lundi 2
// mars 2026 à 10 h 00".
type Data struct {
	// Subject is the client message's subject (the conversation's
	// subject for a notice or an alert), spaces folded.
	Subject string
	// ClientID is the case reference.
	ClientID string
	// ClientName is the client's name, "" when unknown.
	ClientName string
	// Client is "ClientName (ClientID)", or ClientID when unnamed.
	Client string
	// CounsellorName is the personal counsellor's name, or address when
	// unnamed; CounsellorAddress is the address.
	CounsellorName    string
	CounsellorAddress string
	// Received is when the client's message (the conversation's first,
	// for a notice or an alert) was received; Due is the deadline.
	Received string
	Due      string
	// NextContact is the new contact proposed by a notice; "" in an
	// acknowledgement.
	NextContact string
	// ConversationID is the conversation's number; 0 in an
	// acknowledgement.
	ConversationID uint64
	// NoticeSent, in an alert, tells whether the client was notified (it
	// was not when no address is known).
	NoticeSent bool
}

// Template is one message's subject and body.
type Template struct {
	name          string
	subject, body *template.Template
}

// Render executes t with d. The subject is one line; the body has CRLF
// line endings.
func (t *Template) Render(d Data) (subject, body string, err error) {
	var s, b bytes.Buffer
	if err := t.subject.Execute(&s, d); err != nil {
		return "", "", fmt.Errorf("%s: subject: %w", t.name, err)
	}
	if err := t.body.Execute(&b, d); err != nil {
		return "", "", fmt.Errorf("%s: body: %w", t.name, err)
	}
	text := strings.ReplaceAll(strings.ReplaceAll(b.String(), "\r\n", "\n"), "\r", "\n")
	return strings.Join(strings.Fields(s.String()), " "), strings.ReplaceAll(text, "\n", "\r\n"), nil
}

// Set is the three templates.
type Set struct {
	Ack, Notice, Alert *Template
}

// Default returns the embedded French templates. It panics only if they
// do not parse, which the package tests rule out.
func Default() *Set {
	s, err := Load("")
	if err != nil {
		panic(err)
	}
	return s
}

// Load returns the default templates with those of dir, when dir is not
// "", in their place. Each template is checked by executing it with
// sample data; an error names the file.
func Load(dir string) (*Set, error) {
	var s Set
	for _, x := range []struct {
		dst  **Template
		name string
	}{{&s.Ack, AckFile}, {&s.Notice, NoticeFile}, {&s.Alert, AlertFile}} {
		t, err := load(dir, x.name)
		if err != nil {
			return nil, err
		}
		*x.dst = t
	}
	return &s, nil
}

// load reads template name from dir, or from the defaults when dir is ""
// or has no such file, and checks it.
func load(dir, name string) (*Template, error) {
	path := "defaults/" + name
	src, err := fs.ReadFile(defaults, path)
	if err != nil {
		return nil, fmt.Errorf("default template %s: %w", name, err)
	}
	if dir != "" {
		p := filepath.Join(dir, name)
		b, err := os.ReadFile(p)
		switch {
		case err == nil:
			src, path = b, p
		case !errors.Is(err, fs.ErrNotExist):
			return nil, fmt.Errorf("template %s: %w", p, err)
		}
	}
	t, err := parse(path, string(src))
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", path, err)
	}
	for _, d := range []Data{Sample(true), Sample(false)} {
		if _, _, err := t.Render(d); err != nil {
			return nil, fmt.Errorf("template %s: %w", path, err)
		}
	}
	return t, nil
}

// parse parses a template file's text (see the package documentation).
func parse(name, src string) (*Template, error) {
	src = strings.ReplaceAll(src, "\r\n", "\n")
	first, rest, ok := strings.Cut(src, "\n")
	subject, isSubject := strings.CutPrefix(first, "Subject:")
	if !ok || !isSubject {
		return nil, ErrFormat
	}
	body, blank := strings.CutPrefix(rest, "\n")
	if !blank {
		return nil, ErrFormat
	}
	t := &Template{name: filepath.Base(name)}
	var err error
	if t.subject, err = template.New("subject").Option("missingkey=error").Parse(strings.TrimSpace(subject)); err != nil {
		return nil, err
	}
	if t.body, err = template.New("body").Option("missingkey=error").Parse(body); err != nil {
		return nil, err
	}
	return t, nil
}

// Sample returns example data, for checking templates and for tests.
func Sample(noticeSent bool) Data {
	return Data{
		Subject:           "Demande de rendez-vous",
		ClientID:          "C-0042",
		ClientName:        "Camille Martin",
		Client:            "Camille Martin (C-0042)",
		CounsellorName:    "Alice Durand",
		CounsellorAddress: "alice@example.org",
		Received:          "lundi 2 mars 2026 à 10 h 00",
		Due:               "jeudi 5 mars 2026 à 10 h 00",
		NextContact:       "vendredi 6 mars 2026 à 10 h 00",
		ConversationID:    7,
		NoticeSent:        noticeSent,
	}
}
