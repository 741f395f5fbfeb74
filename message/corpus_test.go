package message

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

// corpusEntry is a test message and what Summarize must make of it.
type corpusEntry struct {
	name string
	raw  string
	// wellFormed marks messages on which go-imap's helpers must agree with
	// Summarize (see summarize_goimap_test.go).
	wellFormed bool
	// goIMAPDiffers, if set, says why go-imap's ExtractBodyStructure gives
	// another structure for this well-formed message.
	goIMAPDiffers string
	wantErr       error
	check         func(t *testing.T, raw string, s *Summary)
}

const pdfBase64 = "JVBERi0xLjQKJcOkw7zDtsOfCjIgMCBvYmoKPDwvTGVuZ3RoIDMgMCBSL0ZpbHRlci9GbGF0ZURl\r\n" +
	"Y29kZT4+CnN0cmVhbQp4nDPQM1Qo5ypUMFAw0DMwslAwtTTVMzIxV7AwMdSzMDRSKEpVCOEK5AIA"

// forwarded is the message/rfc822 attachment of the "rfc822" entry.
const forwarded = "From: Client <client@example.com>\r\n" +
	"To: conseiller@example.fr\r\n" +
	"Subject: =?iso-8859-1?q?Demande_d'aide?=\r\n" +
	"Date: Wed, 4 Jun 2025 07:00:00 +0100\r\n" +
	"Message-ID: <orig@example.com>\r\n" +
	"In-Reply-To: <prev@example.fr> <prev2@example.fr>\r\n" +
	"\r\n" +
	"Bonjour, j'ai besoin d'aide.\r\n" +
	"Merci."

func corpus() []corpusEntry {
	return []corpusEntry{{
		name: "plain",
		raw: crlf(`From: Jean Dupont <jean.dupont@example.fr>
To: Marie Curie <marie@example.org>, paul@example.net
Cc: "Service, Emploi" <service@example.fr>
Subject: Rendez-vous lundi
Date: Mon, 02 Jun 2025 10:15:00 +0200
Message-ID: <plain-1@example.fr>

Bonjour,
A lundi.
`),
		wellFormed: true,
		check: func(t *testing.T, raw string, s *Summary) {
			wantEqual(t, "HeaderSize", s.HeaderSize, int64(strings.Index(raw, "Bonjour")))
			env := s.Envelope
			wantEqual(t, "From", env.From, []imap.Address{{Name: "Jean Dupont", Mailbox: "jean.dupont", Host: "example.fr"}})
			wantEqual(t, "To", env.To, []imap.Address{
				{Name: "Marie Curie", Mailbox: "marie", Host: "example.org"},
				{Mailbox: "paul", Host: "example.net"},
			})
			wantEqual(t, "Cc", env.Cc, []imap.Address{{Name: "Service, Emploi", Mailbox: "service", Host: "example.fr"}})
			wantEqual(t, "Sender", env.Sender, []imap.Address(nil))
			wantEqual(t, "Subject", env.Subject, "Rendez-vous lundi")
			wantEqual(t, "MessageID", env.MessageID, "plain-1@example.fr")
			wantEqual(t, "Date", env.Date, time.Date(2025, 6, 2, 10, 15, 0, 0, time.FixedZone("", 7200)))
			wantEqual(t, "search From", s.From, "Jean Dupont <jean.dupont@example.fr>")
			wantEqual(t, "search To", s.To, "Marie Curie <marie@example.org>, paul@example.net")
			wantEqual(t, "search MessageID", s.MessageID, "<plain-1@example.fr>")
			wantEqual(t, "search Date", s.Date, env.Date)
			bs := single(t, s.Body)
			wantEqual(t, "type", bs.MediaType(), "text/plain")
			wantEqual(t, "params", bs.Params, map[string]string{"charset": "us-ascii"})
			wantEqual(t, "size", bs.Size, uint32(len("Bonjour,\r\nA lundi.\r\n")))
			wantEqual(t, "lines", bs.Text, &imap.BodyStructureText{NumLines: 2})
			wantEqual(t, "extended", bs.Extended, &imap.BodyStructureSinglePartExt{})
		},
	}, {
		name: "mixed-pdf",
		raw: crlf(`From: =?utf-8?q?Fran=C3=A7ois_L=C3=A9ger?= <francois@example.fr>
To: conseiller@example.fr
Subject: =?utf-8?b?Q1YgZXQgbGV0dHJlIGRlIG1vdGl2YXRpb24=?=
Date: Tue, 3 Jun 2025 09:00:00 +0000
Message-ID: <mixed-1@example.fr>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="b1"

This is a multi-part message in MIME format.
--b1
Content-Type: text/plain; charset=utf-8
Content-Transfer-Encoding: quoted-printable

Veuillez trouver mon CV ci-joint.
--b1
Content-Type: application/pdf; name="=?utf-8?q?CV_=C3=A9t=C3=A9.pdf?="
Content-Transfer-Encoding: base64
Content-Disposition: attachment; filename*=utf-8''CV%20%C3%A9t%C3%A9.pdf

`) + pdfBase64 + crlf(`
--b1--
epilogue
`),
		wellFormed: true,
		check: func(t *testing.T, raw string, s *Summary) {
			wantEqual(t, "From", s.Envelope.From, []imap.Address{{Name: "François Léger", Mailbox: "francois", Host: "example.fr"}})
			wantEqual(t, "search From", s.From, "François Léger <francois@example.fr>")
			wantEqual(t, "Subject", s.Subject, "CV et lettre de motivation")
			wantEqual(t, "Date", s.Date, time.Date(2025, 6, 3, 9, 0, 0, 0, time.UTC))
			mp := multi(t, s.Body, "mixed", 2)
			wantEqual(t, "mixed params", mp.Extended.Params, map[string]string{"boundary": "b1"})
			text := single(t, mp.Children[0])
			wantEqual(t, "text type", text.MediaType(), "text/plain")
			wantEqual(t, "text encoding", text.Encoding, "quoted-printable")
			wantEqual(t, "text size", text.Size, uint32(len("Veuillez trouver mon CV ci-joint.")))
			wantEqual(t, "text lines", text.Text.NumLines, int64(0))
			pdf := single(t, mp.Children[1])
			wantEqual(t, "pdf type", pdf.MediaType(), "application/pdf")
			wantEqual(t, "pdf params", pdf.Params, map[string]string{"name": "CV été.pdf"})
			wantEqual(t, "pdf encoding", pdf.Encoding, "base64")
			wantEqual(t, "pdf size", pdf.Size, uint32(len(pdfBase64)))
			wantEqual(t, "pdf text", pdf.Text, (*imap.BodyStructureText)(nil))
			wantEqual(t, "pdf disposition", pdf.Extended.Disposition, &imap.BodyStructureDisposition{
				Value: "attachment", Params: map[string]string{"filename": "CV été.pdf"},
			})
			wantEqual(t, "filename", pdf.Filename(), "CV été.pdf")
		},
	}, {
		name: "alternative-in-mixed",
		raw: crlf(`From: news@example.org
To: b@example.org
Subject: Newsletter
Date: Wed, 4 Jun 2025 18:30:00 -0400
Content-Type: multipart/mixed; boundary=outer

--outer
Content-Type: multipart/alternative; boundary="inner"

--inner
Content-Type: text/plain; charset=us-ascii

Hello
--inner
Content-Type: text/html; charset=utf-8

<p>Hello</p>
--inner--

--outer
Content-Type: image/png
Content-ID: <logo@example.org>
Content-Description: Logo
Content-Disposition: inline
Content-Language: fr, en
Content-Location: logo.png
Content-Transfer-Encoding: base64

iVBORw0KGgo=
--outer--
`),
		wellFormed: true,
		check: func(t *testing.T, raw string, s *Summary) {
			_, off := s.Date.Zone()
			wantEqual(t, "zone offset", off, -4*3600)
			mp := multi(t, s.Body, "mixed", 2)
			alt := multi(t, mp.Children[0], "alternative", 2)
			wantEqual(t, "alternative params", alt.Extended.Params, map[string]string{"boundary": "inner"})
			wantEqual(t, "plain", single(t, alt.Children[0]).MediaType(), "text/plain")
			html := single(t, alt.Children[1])
			wantEqual(t, "html", html.MediaType(), "text/html")
			wantEqual(t, "html size", html.Size, uint32(len("<p>Hello</p>")))
			png := single(t, mp.Children[1])
			wantEqual(t, "png", *png, imap.BodyStructureSinglePart{
				Type: "image", Subtype: "png", ID: "<logo@example.org>", Description: "Logo",
				Encoding: "base64", Size: uint32(len("iVBORw0KGgo=")),
				Extended: &imap.BodyStructureSinglePartExt{
					Disposition: &imap.BodyStructureDisposition{Value: "inline"},
					Language:    []string{"fr", "en"},
					Location:    "logo.png",
				},
			})
		},
	}, {
		name: "rfc822-attachment",
		raw: crlf(`From: conseiller@example.fr
To: manager@example.fr
Subject: Fwd: Demande
Date: Thu, 5 Jun 2025 08:00:00 +0200
Content-Type: multipart/mixed; boundary="fwd"

--fwd
Content-Type: text/plain

See below.
--fwd
Content-Type: message/rfc822
Content-Disposition: attachment; filename="demande.eml"

`) + forwarded + crlf(`
--fwd--
`),
		wellFormed: true,
		check: func(t *testing.T, raw string, s *Summary) {
			mp := multi(t, s.Body, "mixed", 2)
			msg := single(t, mp.Children[1])
			wantEqual(t, "type", msg.MediaType(), "message/rfc822")
			wantEqual(t, "size", msg.Size, uint32(len(forwarded)))
			m := msg.MessageRFC822
			if m == nil {
				t.Fatal("no MessageRFC822")
			}
			wantEqual(t, "lines", m.NumLines, int64(strings.Count(forwarded, "\n")))
			wantEqual(t, "nested From", m.Envelope.From, []imap.Address{{Name: "Client", Mailbox: "client", Host: "example.com"}})
			wantEqual(t, "nested Subject", m.Envelope.Subject, "Demande d'aide")
			wantEqual(t, "nested InReplyTo", m.Envelope.InReplyTo, []string{"prev@example.fr", "prev2@example.fr"})
			wantEqual(t, "nested MessageID", m.Envelope.MessageID, "orig@example.com")
			body := single(t, m.BodyStructure)
			wantEqual(t, "nested type", body.MediaType(), "text/plain")
			wantEqual(t, "nested size", body.Size, uint32(len("Bonjour, j'ai besoin d'aide.\r\nMerci.")))
			wantEqual(t, "nested lines", body.Text.NumLines, int64(1))
		},
	}, {
		name: "latin1-encoded-words",
		raw: crlf(`From: =?windows-1252?Q?Andr=E9_B=9Cuf?= <andre@example.fr>
To: =?ISO-8859-15?Q?=A4uro_Service?= <euro@example.fr>
Subject: =?ISO-8859-1?Q?R=E9union_d'=E9quipe?=
Date: Fri, 6 Jun 2025 14:00:00 +0200

Ordre du jour.
`),
		check: func(t *testing.T, raw string, s *Summary) {
			wantEqual(t, "Subject", s.Subject, "Réunion d'équipe")
			wantEqual(t, "envelope Subject", s.Envelope.Subject, "Réunion d'équipe")
			wantEqual(t, "From", s.Envelope.From, []imap.Address{{Name: "André Bœuf", Mailbox: "andre", Host: "example.fr"}})
			wantEqual(t, "To", s.Envelope.To, []imap.Address{{Name: "€uro Service", Mailbox: "euro", Host: "example.fr"}})
			wantEqual(t, "search From", s.From, "André Bœuf <andre@example.fr>")
		},
	}, {
		name: "unknown-charset",
		raw:  "Subject: =?koi8-r?B?8NLJ18XU?= =?utf-8?q?caf=C3=A9?=\r\nFrom: =?koi8-r?B?8NLJ18XU?= <ivan@example.ru>\r\n\r\nx",
		check: func(t *testing.T, raw string, s *Summary) {
			wantEqual(t, "Subject", s.Subject, "=?koi8-r?B?8NLJ18XU?= =?utf-8?q?caf=C3=A9?=")
			wantEqual(t, "From", s.Envelope.From, []imap.Address{{Name: "=?koi8-r?B?8NLJ18XU?=", Mailbox: "ivan", Host: "example.ru"}})
		},
	}, {
		name: "missing-date",
		raw: crlf(`From: a@example.org
Subject: no date

x
`),
		wellFormed: true,
		check: func(t *testing.T, raw string, s *Summary) {
			if !s.Date.IsZero() || !s.Envelope.Date.IsZero() {
				t.Errorf("Date = %v, envelope %v; want zero", s.Date, s.Envelope.Date)
			}
		},
	}, {
		name:       "header-only",
		raw:        "From: a@example.org\r\nSubject: only a header\r\n",
		wellFormed: true,
		check: func(t *testing.T, raw string, s *Summary) {
			wantEqual(t, "HeaderSize", s.HeaderSize, int64(len(raw)))
			wantEqual(t, "Subject", s.Subject, "only a header")
			bs := single(t, s.Body)
			wantEqual(t, "size", bs.Size, uint32(0))
			wantEqual(t, "lines", bs.Text.NumLines, int64(0))
		},
	}, {
		name: "lf-only",
		raw: `From: lf@example.org
Subject: LF only
Content-Type: multipart/alternative; boundary=lf

--lf
Content-Type: text/plain

one
two
--lf
Content-Type: text/html

<b>x</b>
--lf--
`,
		wellFormed: true,
		check: func(t *testing.T, raw string, s *Summary) {
			wantEqual(t, "HeaderSize", s.HeaderSize, int64(strings.Index(raw, "\n\n")+2))
			mp := multi(t, s.Body, "alternative", 2)
			plain := single(t, mp.Children[0])
			wantEqual(t, "plain size", plain.Size, uint32(len("one\ntwo")))
			wantEqual(t, "plain lines", plain.Text.NumLines, int64(1))
			wantEqual(t, "html size", single(t, mp.Children[1]).Size, uint32(len("<b>x</b>")))
		},
	}, {
		name: "garbage",
		raw:  "\x00\x01\xff\xfe garbage \x80 without\x00any structure",
		check: func(t *testing.T, raw string, s *Summary) {
			wantEqual(t, "HeaderSize", s.HeaderSize, int64(len(raw)))
			wantEqual(t, "envelope", *s.Envelope, imap.Envelope{})
			wantEqual(t, "type", single(t, s.Body).MediaType(), "text/plain")
		},
	}, {
		name:    "empty",
		raw:     "",
		wantErr: ErrEmpty,
	}, {
		name: "boundary-never-appears",
		raw: crlf(`Subject: lost parts
Content-Type: multipart/mixed; boundary=nowhere

no delimiter here
`),
		check: func(t *testing.T, raw string, s *Summary) {
			mp := multi(t, s.Body, "mixed", 1)
			wantEqual(t, "child", mp.Children[0], imap.BodyStructure(emptyTextPart()))
		},
	}, {
		name: "boundary-missing",
		raw: crlf(`Content-Type: multipart/related

--x
Content-Type: text/plain

x
--x--
`),
		check: func(t *testing.T, raw string, s *Summary) {
			multi(t, s.Body, "related", 1)
		},
	}, {
		name: "malformed-header",
		raw: crlf(`From: a@example.org
this line is not a header field
Subject: kept after a broken line
To: =?utf-8?q?=C3=89lodie?= <elodie@example.org>, broken <<, ok@example.org
Message-ID: no-angle-brackets@example.org
In-Reply-To: <a> junk <b@c>
Date: Fri, 6 Jun 2025 12:00:00 EST

body
`),
		check: func(t *testing.T, raw string, s *Summary) {
			wantEqual(t, "HeaderSize", s.HeaderSize, int64(strings.Index(raw, "body")))
			wantEqual(t, "Subject", s.Subject, "kept after a broken line")
			wantEqual(t, "To", s.Envelope.To, []imap.Address{
				{Name: "Élodie", Mailbox: "elodie", Host: "example.org"},
				{Mailbox: "ok", Host: "example.org"},
			})
			wantEqual(t, "MessageID", s.Envelope.MessageID, "no-angle-brackets@example.org")
			wantEqual(t, "InReplyTo", s.Envelope.InReplyTo, []string{"a", "b@c"})
			wantEqual(t, "Date", s.Date, time.Date(2025, 6, 6, 12, 0, 0, 0, time.FixedZone("", -5*3600)))
		},
	}, {
		name: "mbox-from-line",
		raw: crlf(`From sender@example.org Mon Jun  2 10:00:00 2025
From: real@example.org
Subject: mbox

body
`),
		check: func(t *testing.T, raw string, s *Summary) {
			wantEqual(t, "From", s.Envelope.From, []imap.Address{{Mailbox: "real", Host: "example.org"}})
			wantEqual(t, "Subject", s.Subject, "mbox")
		},
	}, {
		name: "raw-8bit-latin1",
		raw:  "Subject: caf\xe9 cr\xe8me\r\nFrom: Ren\xe9 <rene@example.fr>\r\n\r\nx",
		check: func(t *testing.T, raw string, s *Summary) {
			wantEqual(t, "Subject", s.Subject, "café crème")
			wantEqual(t, "From", s.Envelope.From, []imap.Address{{Name: "René", Mailbox: "rene", Host: "example.fr"}})
		},
	}, {
		name: "digest",
		raw: crlf(`Subject: digest
Content-Type: multipart/digest; boundary=d

--d

From: one@example.org
Subject: first

one
--d
Content-Type: text/plain

not a message
--d--
`),
		wellFormed:    true,
		goIMAPDiffers: "it ignores the message/rfc822 default of RFC 2046 §5.1.5",
		check: func(t *testing.T, raw string, s *Summary) {
			mp := multi(t, s.Body, "digest", 2)
			msg := single(t, mp.Children[0])
			wantEqual(t, "type", msg.MediaType(), "message/rfc822")
			wantEqual(t, "params", msg.Params, map[string]string(nil))
			if msg.MessageRFC822 == nil {
				t.Fatal("no MessageRFC822")
			}
			wantEqual(t, "nested Subject", msg.MessageRFC822.Envelope.Subject, "first")
			wantEqual(t, "second", single(t, mp.Children[1]).MediaType(), "text/plain")
		},
	}, {
		name: "invalid-content-type",
		raw:  "Content-Type: text\r\nContent-Disposition: attachment; filename=my file.pdf\r\n\r\nx",
		check: func(t *testing.T, raw string, s *Summary) {
			bs := single(t, s.Body)
			wantEqual(t, "type", bs.MediaType(), "text/plain")
			wantEqual(t, "params", bs.Params, map[string]string{"charset": "us-ascii"})
			wantEqual(t, "disposition", bs.Extended.Disposition, &imap.BodyStructureDisposition{
				Value: "attachment", Params: map[string]string{"filename": "my file.pdf"},
			})
		},
	}}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	for _, tc := range corpus() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			raw := []byte(tc.raw)
			s, err := Summarize(raw)
			for i := range raw { // Summarize must not keep raw
				raw[i] = 0
			}
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("Summarize() error = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Summarize() error = %v", err)
			}
			wantEqual(t, "HeaderSize", s.HeaderSize, HeaderEnd([]byte(tc.raw)))
			if s.Envelope == nil {
				t.Fatal("nil Envelope")
			}
			checkServable(t, s.Body)
			checkRoundTrip(t, s)
			tc.check(t, tc.raw, s)
		})
	}
}

func TestHeaderEnd(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		raw  string
		want int64
	}{
		{"crlf", "A: b\r\nC: d\r\n\r\nbody", 14},
		{"lf", "A: b\nC: d\n\nbody", 11},
		{"lf then crlf", "A: b\n\r\nbody", 7},
		{"empty header crlf", "\r\nbody", 2},
		{"empty header lf", "\nbody", 1},
		{"no blank line", "A: b\r\nC: d\r\n", 12},
		{"no newline", "A: b", 4},
		{"empty", "", 0},
		{"blank line with space is not empty", "A: b\r\n \r\n\r\nx", 11},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := HeaderEnd([]byte(tc.raw)); got != tc.want {
				t.Errorf("HeaderEnd(%q) = %d, want %d", tc.raw, got, tc.want)
			}
		})
	}
}
