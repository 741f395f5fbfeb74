package message

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

// corpusEncodings returns the Marshal output of every corpus message that
// Summarize accepts.
func corpusEncodings(t testing.TB) map[string][]byte {
	t.Helper()
	out := make(map[string][]byte)
	for _, tc := range corpus() {
		if tc.wantErr != nil {
			continue
		}
		s, err := Summarize([]byte(tc.raw))
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		out[tc.name] = s.Marshal()
	}
	return out
}

// TestUnmarshalDamaged feeds Unmarshal, SearchField and SearchDate every
// truncation and every single-bit flip of every corpus encoding: each must
// return an error or a servable summary, and never panic.
func TestUnmarshalDamaged(t *testing.T) {
	t.Parallel()
	for name, b := range corpusEncodings(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for n := range len(b) {
				if s, err := Unmarshal(b[:n]); err == nil {
					t.Fatalf("Unmarshal of %d of %d bytes = %v, want an error", n, len(b), s)
				} else if !errors.Is(err, ErrCorrupt) && !errors.Is(err, ErrVersion) {
					t.Fatalf("Unmarshal of %d bytes: error %v is neither ErrCorrupt nor ErrVersion", n, err)
				}
				searchAll(b[:n])
			}
			for i := range len(b) * 8 {
				c := append([]byte(nil), b...)
				c[i/8] ^= 1 << (i % 8)
				if s, err := Unmarshal(c); err == nil {
					checkServable(t, s.Body)
				}
				searchAll(c)
			}
		})
	}
}

func searchAll(b []byte) {
	for f := FieldSubject; f <= FieldMessageID; f++ {
		_, _ = SearchField(b, f)
	}
	_, _ = SearchDate(b)
}

// TestUnmarshalRefuses checks the encodings Unmarshal must refuse, among
// them summaries that go-imap's FETCH writer would panic on.
func TestUnmarshalRefuses(t *testing.T) {
	t.Parallel()
	text := func() *imap.BodyStructureSinglePart { return emptyTextPart() }
	nest := func(depth int) imap.BodyStructure {
		var bs imap.BodyStructure = text()
		for range depth {
			bs = &imap.BodyStructureMultiPart{Subtype: "mixed", Children: []imap.BodyStructure{bs}, Extended: &imap.BodyStructureMultiPartExt{}}
		}
		return bs
	}
	valid := (&Summary{Envelope: &imap.Envelope{}, Body: text()}).Marshal()
	tests := []struct {
		name string
		b    []byte
		want error
	}{
		{"no bytes", nil, ErrCorrupt},
		{"unknown version", append([]byte{2}, valid[1:]...), ErrVersion},
		{"trailing byte", append(append([]byte(nil), valid...), 0), ErrCorrupt},
		{"nil body", (&Summary{}).Marshal(), ErrCorrupt},
		{"multipart without children", (&Summary{Body: &imap.BodyStructureMultiPart{Subtype: "mixed", Extended: &imap.BodyStructureMultiPartExt{}}}).Marshal(), ErrCorrupt},
		{"single part without extension data", (&Summary{Body: &imap.BodyStructureSinglePart{Type: "text", Subtype: "plain"}}).Marshal(), ErrCorrupt},
		{"multipart without extension data", (&Summary{Body: &imap.BodyStructureMultiPart{Subtype: "mixed", Children: []imap.BodyStructure{text()}}}).Marshal(), ErrCorrupt},
		{"message without body", (&Summary{Body: &imap.BodyStructureSinglePart{
			Type: "message", Subtype: "rfc822", MessageRFC822: &imap.BodyStructureMessageRFC822{}, Extended: &imap.BodyStructureSinglePartExt{},
		}}).Marshal(), ErrCorrupt},
		{"too deep", (&Summary{Body: nest(maxDepth + 1)}).Marshal(), ErrCorrupt},
		{"deepest allowed", (&Summary{Body: nest(maxDepth)}).Marshal(), nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Unmarshal(tc.b)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Errorf("Unmarshal() error = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestMarshalHandMade checks round trips of summaries not made by
// Summarize: nil versus empty slices and maps, zones, odd dates.
func TestMarshalHandMade(t *testing.T) {
	t.Parallel()
	paris := time.FixedZone("CEST", 7200)
	tests := []struct {
		name string
		s    *Summary
		want *Summary // nil: same as s
	}{{
		name: "empty versus nil",
		s: &Summary{
			Envelope: &imap.Envelope{From: []imap.Address{}, InReplyTo: []string{}},
			Body: &imap.BodyStructureSinglePart{
				Params:   map[string]string{},
				Extended: &imap.BodyStructureSinglePartExt{Language: []string{}, Disposition: &imap.BodyStructureDisposition{Params: map[string]string{}}},
			},
		},
	}, {
		name: "dates keep their instant and offset",
		s: &Summary{
			Date:     time.Date(1969, 12, 31, 23, 59, 59, 123, paris),
			Envelope: &imap.Envelope{Date: time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("", 5*3600+1800+17))},
			Body:     emptyTextPart(),
		},
		want: &Summary{
			Date:     time.Date(1969, 12, 31, 23, 59, 59, 123, time.FixedZone("", 7200)),
			Envelope: &imap.Envelope{Date: time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("", 5*3600+1800+17))},
			Body:     emptyTextPart(),
		},
	}, {
		name: "long strings and all fields",
		s: &Summary{
			HeaderSize: 1 << 40,
			Subject:    string(make([]byte, 300)),
			From:       "f", To: "t", Cc: "c", Bcc: "b", MessageID: "<m@h>",
			Envelope: &imap.Envelope{
				Subject: "other", Sender: []imap.Address{{Name: "n", Mailbox: "m", Host: "h"}},
				ReplyTo: []imap.Address{{Mailbox: "r", Host: "h"}}, Bcc: []imap.Address{{Mailbox: "b", Host: "h"}},
				InReplyTo: []string{"a@b", "c@d"}, MessageID: "m@h",
			},
			Body: &imap.BodyStructureSinglePart{
				Type: "message", Subtype: "rfc822", ID: "<id>", Description: "d", Encoding: "8bit", Size: 1<<32 - 1,
				MessageRFC822: &imap.BodyStructureMessageRFC822{Envelope: nil, BodyStructure: emptyTextPart(), NumLines: 7},
				Extended: &imap.BodyStructureSinglePartExt{
					Disposition: &imap.BodyStructureDisposition{Value: "attachment", Params: map[string]string{"b": "2", "a": "1"}},
					Language:    []string{"fr"}, Location: "loc",
				},
			},
		},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			want := tc.want
			if want == nil {
				want = tc.s
			}
			got, err := Unmarshal(tc.s.Marshal())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("round trip:\n got %#v\nwant %#v", got, want)
			}
			if !reflect.DeepEqual(tc.s.Marshal(), tc.s.Marshal()) {
				t.Error("Marshal is not deterministic")
			}
		})
	}
}

func TestSearchFieldErrors(t *testing.T) {
	t.Parallel()
	valid := (&Summary{Subject: "s", Body: emptyTextPart()}).Marshal()
	tests := []struct {
		name string
		b    []byte
		f    Field
		want error
	}{
		{"zero field", valid, 0, ErrUnknownField},
		{"field past the last", valid, FieldMessageID + 1, ErrUnknownField},
		{"no bytes", nil, FieldSubject, ErrCorrupt},
		{"unknown version", []byte{9, 2, 's'}, FieldSubject, ErrVersion},
		{"truncated", valid[:2], FieldSubject, ErrCorrupt},
		{"truncated before field", valid[:3], FieldBcc, ErrCorrupt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := SearchField(tc.b, tc.f); !errors.Is(err, tc.want) {
				t.Errorf("SearchField() error = %v, want %v", err, tc.want)
			}
		})
	}
	if _, err := SearchDate(valid[:8]); !errors.Is(err, ErrCorrupt) {
		t.Errorf("SearchDate(truncated) error = %v, want ErrCorrupt", err)
	}
}
