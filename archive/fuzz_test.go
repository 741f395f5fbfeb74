package archive

import (
	"bytes"
	"testing"
)

// FuzzQuote: unquote undoes quote, and quote leaves no line starting with
// "From ".
func FuzzQuote(f *testing.F) {
	for _, s := range []string{"From x\n", ">From y\r\n>>From z", "a\nFrom \n", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		q := quote(raw)
		if got := unquote(q); !bytes.Equal(got, raw) {
			t.Fatalf("unquote(quote(%q)) = %q", raw, got)
		}
		for _, line := range bytes.SplitAfter(q, []byte("\n")) {
			if bytes.HasPrefix(line, []byte("From ")) {
				t.Fatalf("quote(%q) leaves a From_ line", raw)
			}
		}
	})
}
