package message

import (
	"bufio"
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-message/textproto"
)

// TestAgreesWithGoIMAP checks that on well-formed messages Summarize gives
// what go-imap's helpers give, and that every BODYSTRUCTURE size matches
// the bytes imapserver.ExtractBodySection serves for that part.
func TestAgreesWithGoIMAP(t *testing.T) {
	t.Parallel()
	for _, tc := range corpus() {
		if !tc.wellFormed {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			raw := []byte(tc.raw)
			s, err := Summarize(raw)
			if err != nil {
				t.Fatal(err)
			}
			h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
			if err != nil {
				t.Fatal(err)
			}
			wantEnv := imapserver.ExtractEnvelope(h)
			if !wantEnv.Date.Equal(s.Envelope.Date) {
				t.Errorf("Date = %v, go-imap %v", s.Envelope.Date, wantEnv.Date)
			}
			gotEnv := *s.Envelope
			gotEnv.Date = wantEnv.Date
			wantEqual(t, "envelope", gotEnv, *wantEnv)

			if tc.goIMAPDiffers == "" {
				compareStructure(t, "", s.Body, imapserver.ExtractBodyStructure(bytes.NewReader(raw)))
			}

			partPaths(s.Body, nil, func(path []int, bs *imap.BodyStructureSinglePart) {
				sec := imapserver.ExtractBodySection(bytes.NewReader(raw), &imap.FetchItemBodySection{Part: path})
				if int(bs.Size) != len(sec) {
					t.Errorf("part %v: Size %d, BODY[%v] has %d bytes", path, bs.Size, path, len(sec))
				}
				if bs.Text != nil && int(bs.Text.NumLines) != bytes.Count(sec, []byte("\n")) {
					t.Errorf("part %v: %d lines, BODY[%v] has %d", path, bs.Text.NumLines, path, bytes.Count(sec, []byte("\n")))
				}
			})
		})
	}
}

// compareStructure compares the fields go-imap computes the same way.
// Two differences are on purpose: go-imap leaves the parameters of a part
// without Content-Type nil where RFC 2045 §5.2 says charset=us-ascii, and
// keeps empty parameter maps that Summarize makes nil.
func compareStructure(t *testing.T, path string, got, want imap.BodyStructure) {
	t.Helper()
	nilIfEmpty := func(d *imap.BodyStructureDisposition) {
		if d != nil && len(d.Params) == 0 {
			d.Params = nil
		}
	}
	switch want := want.(type) {
	case *imap.BodyStructureMultiPart:
		g, ok := got.(*imap.BodyStructureMultiPart)
		if !ok || len(g.Children) != len(want.Children) {
			t.Fatalf("%s: got %#v, go-imap %#v", path, got, want)
		}
		wantEqual(t, path+" subtype", g.Subtype, want.Subtype)
		nilIfEmpty(want.Extended.Disposition)
		wantEqual(t, path+" extended", g.Extended, want.Extended)
		for i := range want.Children {
			compareStructure(t, path+"."+string(rune('1'+i)), g.Children[i], want.Children[i])
		}
	case *imap.BodyStructureSinglePart:
		g, ok := got.(*imap.BodyStructureSinglePart)
		if !ok {
			t.Fatalf("%s: got %#v, go-imap %#v", path, got, want)
		}
		w := *want
		if len(w.Params) == 0 {
			w.Params = g.Params
		}
		w.Encoding = strings.ToLower(w.Encoding)
		nilIfEmpty(w.Extended.Disposition)
		gc := *g
		if want.MessageRFC822 != nil && g.MessageRFC822 != nil {
			compareStructure(t, path+".msg", g.MessageRFC822.BodyStructure, want.MessageRFC822.BodyStructure)
			wantEqual(t, path+" msg lines", g.MessageRFC822.NumLines, want.MessageRFC822.NumLines)
			gc.MessageRFC822, w.MessageRFC822 = nil, nil
		}
		wantEqual(t, path, gc, w)
	}
}

// partPaths calls f with the IMAP part number (RFC 3501 §6.4.5) of every
// single part of bs, descending into message/rfc822 parts.
func partPaths(bs imap.BodyStructure, path []int, f func([]int, *imap.BodyStructureSinglePart)) {
	switch bs := bs.(type) {
	case *imap.BodyStructureMultiPart:
		for i, c := range bs.Children {
			partPaths(c, append(slices.Clip(path), i+1), f)
		}
	case *imap.BodyStructureSinglePart:
		if len(path) == 0 {
			path = []int{1}
		}
		f(path, bs)
		if m := bs.MessageRFC822; m != nil {
			if _, ok := m.BodyStructure.(*imap.BodyStructureMultiPart); ok {
				partPaths(m.BodyStructure, path, f)
			} else {
				partPaths(m.BodyStructure, append(slices.Clip(path), 1), f)
			}
		}
	}
}

// TestGoIMAPHelperQuirks records how go-imap's ExtractEnvelope and
// ExtractBodyStructure misbehave on malformed input, which is why Summarize
// does not use them, and checks that Summarize does not. A quirk that
// disappears upstream is logged, not failed.
func TestGoIMAPHelperQuirks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		raw   string
		quirk func(raw []byte) bool // reports whether go-imap shows the quirk
		ours  func(t *testing.T, s *Summary)
	}{{
		name: "multipart without boundary has no children (FETCH writer panics)",
		raw:  "Content-Type: multipart/mixed\r\n\r\n--x\r\n\r\ntext\r\n--x--\r\n",
		quirk: func(raw []byte) bool {
			mp, ok := imapserver.ExtractBodyStructure(bytes.NewReader(raw)).(*imap.BodyStructureMultiPart)
			return ok && len(mp.Children) == 0
		},
		ours: func(t *testing.T, s *Summary) { multi(t, s.Body, "mixed", 1) },
	}, {
		name: "windows-1252 encoded word empties the address list",
		raw:  "From: =?windows-1252?q?Andr=E9?= <andre@example.fr>\r\n\r\n",
		quirk: func(raw []byte) bool {
			return len(imapserver.ExtractEnvelope(header(raw)).From) == 0
		},
		ours: func(t *testing.T, s *Summary) {
			wantEqual(t, "From", s.Envelope.From, []imap.Address{{Name: "André", Mailbox: "andre", Host: "example.fr"}})
		},
	}, {
		name: "one malformed address empties the address list",
		raw:  "To: a@example.org, bad <<, b@example.org\r\n\r\n",
		quirk: func(raw []byte) bool {
			return len(imapserver.ExtractEnvelope(header(raw)).To) == 0
		},
		ours: func(t *testing.T, s *Summary) { wantEqual(t, "len(To)", len(s.Envelope.To), 2) },
	}, {
		name: "malformed Message-ID is dropped",
		raw:  "Message-ID: <no-at-sign>\r\n\r\n",
		quirk: func(raw []byte) bool {
			return imapserver.ExtractEnvelope(header(raw)).MessageID == ""
		},
		ours: func(t *testing.T, s *Summary) { wantEqual(t, "MessageID", s.Envelope.MessageID, "no-at-sign") },
	}, {
		name: "a non-field line ends the header, later lines count as body",
		raw:  "From a@b Mon Jun  2 10:00:00 2025\r\nSubject: s\r\n\r\nbody",
		quirk: func(raw []byte) bool {
			bs, ok := imapserver.ExtractBodyStructure(bytes.NewReader(raw)).(*imap.BodyStructureSinglePart)
			return ok && bs.Size != 4
		},
		ours: func(t *testing.T, s *Summary) {
			wantEqual(t, "Subject", s.Subject, "s")
			wantEqual(t, "Size", single(t, s.Body).Size, uint32(4))
		},
	}, {
		name: "obsolete zone EST is read as +0000",
		raw:  "Date: Fri, 6 Jun 2025 12:00:00 EST\r\n\r\n",
		quirk: func(raw []byte) bool {
			_, off := imapserver.ExtractEnvelope(header(raw)).Date.Zone()
			return off == 0
		},
		ours: func(t *testing.T, s *Summary) {
			_, off := s.Date.Zone()
			wantEqual(t, "offset", off, -5*3600)
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			raw := []byte(tc.raw)
			if !tc.quirk(raw) {
				t.Logf("go-imap no longer shows this quirk")
			}
			s, err := Summarize(raw)
			if err != nil {
				t.Fatal(err)
			}
			tc.ours(t, s)
		})
	}
}

// header reads a header the way go-imap's callers do.
func header(raw []byte) textproto.Header {
	h, _ := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	return h
}
