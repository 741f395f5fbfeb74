package message

import (
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
)

// crlf turns the LF line endings of a test message into CRLF.
func crlf(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }

// visit calls f for every part of bs, depth first, with its nesting depth;
// it descends into message/rfc822 bodies.
func visit(bs imap.BodyStructure, depth int, f func(bs imap.BodyStructure, depth int)) {
	f(bs, depth)
	switch bs := bs.(type) {
	case *imap.BodyStructureMultiPart:
		for _, c := range bs.Children {
			visit(c, depth+1, f)
		}
	case *imap.BodyStructureSinglePart:
		if bs.MessageRFC822 != nil && bs.MessageRFC822.BodyStructure != nil {
			visit(bs.MessageRFC822.BodyStructure, depth+1, f)
		}
	}
}

// checkServable fails unless every part of bs is something go-imap's FETCH
// writer can write: no nil body, every multipart with a child, every part
// with extension data.
func checkServable(t *testing.T, bs imap.BodyStructure) {
	t.Helper()
	if bs == nil {
		t.Fatal("nil body structure")
	}
	visit(bs, 0, func(bs imap.BodyStructure, depth int) {
		if depth > maxDepth {
			t.Errorf("part at depth %d > %d", depth, maxDepth)
		}
		switch bs := bs.(type) {
		case *imap.BodyStructureMultiPart:
			if len(bs.Children) == 0 || bs.Extended == nil {
				t.Errorf("multipart/%s: %d children, extended %v", bs.Subtype, len(bs.Children), bs.Extended != nil)
			}
		case *imap.BodyStructureSinglePart:
			if bs.Extended == nil {
				t.Errorf("%s/%s: no extension data", bs.Type, bs.Subtype)
			}
			if m := bs.MessageRFC822; m != nil && m.BodyStructure == nil {
				t.Errorf("%s/%s: nil encapsulated body", bs.Type, bs.Subtype)
			}
		default:
			t.Errorf("body structure of type %T", bs)
		}
	})
}

// checkRoundTrip fails unless s survives Marshal and Unmarshal, and
// SearchField and SearchDate read the same fields from its encoding.
func checkRoundTrip(t *testing.T, s *Summary) []byte {
	t.Helper()
	b := s.Marshal()
	got, err := Unmarshal(b)
	if err != nil {
		t.Fatalf("Unmarshal(Marshal()) = %v", err)
	}
	c := bytes.Clone(b) // Unmarshal must not keep its input
	fromClone, _ := Unmarshal(c)
	clear(c)
	if !reflect.DeepEqual(got, s) || !reflect.DeepEqual(fromClone, s) {
		t.Fatalf("Unmarshal(Marshal()) differs:\n got %#v\nwant %#v", got, s)
	}
	fields := map[Field]string{
		FieldSubject: s.Subject, FieldFrom: s.From, FieldTo: s.To,
		FieldCc: s.Cc, FieldBcc: s.Bcc, FieldMessageID: s.MessageID,
	}
	for f, want := range fields {
		if got, err := SearchField(b, f); err != nil || got != want {
			t.Errorf("SearchField(%v) = %q, %v; want %q", f, got, err, want)
		}
	}
	if got, err := SearchDate(b); err != nil || !reflect.DeepEqual(got, s.Date) {
		t.Errorf("SearchDate = %v, %v; want %v", got, err, s.Date)
	}
	return b
}

func single(t *testing.T, bs imap.BodyStructure) *imap.BodyStructureSinglePart {
	t.Helper()
	p, ok := bs.(*imap.BodyStructureSinglePart)
	if !ok {
		t.Fatalf("body structure is %T, want a single part", bs)
	}
	return p
}

func multi(t *testing.T, bs imap.BodyStructure, subtype string, children int) *imap.BodyStructureMultiPart {
	t.Helper()
	p, ok := bs.(*imap.BodyStructureMultiPart)
	if !ok {
		t.Fatalf("body structure is %T, want multipart/%s", bs, subtype)
	}
	if p.Subtype != subtype || len(p.Children) != children {
		t.Fatalf("multipart/%s with %d children, want multipart/%s with %d", p.Subtype, len(p.Children), subtype, children)
	}
	return p
}

func wantEqual[T any](t *testing.T, what string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Errorf("%s = %#v, want %#v", what, got, want)
	}
}
