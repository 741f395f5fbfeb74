package message

import (
	"reflect"
	"testing"
)

// FuzzSummarize checks that Summarize never panics, that what it returns
// is servable, and that it survives Marshal and Unmarshal.
func FuzzSummarize(f *testing.F) {
	for _, tc := range corpus() {
		f.Add([]byte(tc.raw))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		s, err := Summarize(raw)
		if err != nil {
			if len(raw) != 0 {
				t.Fatalf("Summarize(%q) = %v", raw, err)
			}
			return
		}
		if s.HeaderSize != HeaderEnd(raw) {
			t.Fatalf("HeaderSize = %d, HeaderEnd = %d", s.HeaderSize, HeaderEnd(raw))
		}
		checkServable(t, s.Body)
		checkRoundTrip(t, s)
	})
}

// FuzzUnmarshal checks that Unmarshal never panics, and that what it
// accepts is servable, encodes back to an equal summary, and agrees with
// SearchField and SearchDate.
func FuzzUnmarshal(f *testing.F) {
	for _, b := range corpusEncodings(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Unmarshal(b)
		searchAll(b)
		if err != nil {
			return
		}
		checkServable(t, s.Body)
		again, err := Unmarshal(s.Marshal())
		if err != nil {
			t.Fatalf("Unmarshal(Marshal(Unmarshal(b))) = %v", err)
		}
		if !reflect.DeepEqual(again, s) {
			t.Fatalf("re-encoding changed the summary:\n got %#v\nwant %#v", again, s)
		}
		checkRoundTrip(t, s)
	})
}
