package smtpd

import (
	"bytes"
	"strconv"
	"testing"
)

// TestSmugglingOneMessage sends, inside one DATA, a fake end of data made
// of bare CR or LF followed by a second transaction for paul
// (CVE-2023-51764 and kin). Exactly one message must be stored, for
// marie, with CRLF line endings only, holding the smuggled text as
// content; paul gets nothing.
func TestSmugglingOneMessage(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{})
	tests := []struct {
		name string
		eod  string // the fake end-of-data sequence
	}{
		{"LF.CRLF", "\n.\r\n"},
		{"LF.LF", "\n.\n"},
		{"CR.CR", "\r.\r"},
		{"CRLF.CR", "\r\n.\r"},
		{"CRLF.LF", "\r\n.\n"},
		{"CR.CRLF", "\r.\r\n"},
		{"LF.CR", "\n.\r"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			// Not parallel: each case counts the same mailboxes.
			smuggled := "MAIL FROM:<spoof@example.org>\r\n" +
				"RCPT TO:<paul@mailnet.test>\r\n" +
				"DATA\r\n" +
				"Subject: smuggled\r\n\r\nevil\r\n"
			c := dialRaw(t, ts.addr)
			c.envelope("a@example.org", marie)
			c.expect("DATA", "354")
			c.write("Subject: carrier\r\n\r\nbody" + tc.eod + smuggled + ".\r\n")
			c.expectReply("250 2.0.0")
			c.expect("QUIT", "221")
			ts.waitNoConnections(t)

			if n := len(ts.inbox(t, paul)); n != 0 {
				t.Fatalf("smuggled transaction delivered %d messages to paul", n)
			}
			msgs := ts.inbox(t, marie)
			if len(msgs) != i+1 {
				t.Fatalf("marie has %d messages, want %d", len(msgs), i+1)
			}
			raw := msgs[i].Raw
			if bareLineEnding(raw) {
				t.Fatalf("stored message has a bare CR or LF: %q", raw)
			}
			if !bytes.Contains(raw, []byte("MAIL FROM:<spoof@example.org>")) {
				t.Fatalf("smuggled text is not content: %q", raw)
			}
		})
	}
}

func TestSmugglingBDATNormalised(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{})
	c := dialRaw(t, ts.addr)
	c.envelope("a@example.org", marie)
	body := "Subject: x\r\n\r\nbody\n.\r\nMAIL FROM:<spoof@example.org>\r\n\r.\r"
	c.write("BDAT " + strconv.Itoa(len(body)) + " LAST\r\n" + body)
	c.expectReply("250")
	raw := ts.inbox(t, marie)[0].Raw
	if bareLineEnding(raw) {
		t.Fatalf("stored message has a bare CR or LF: %q", raw)
	}
	if !bytes.HasSuffix(raw, []byte("body\r\n.\r\nMAIL FROM:<spoof@example.org>\r\n\r\n.\r\n")) {
		t.Fatalf("stored %q", raw)
	}
}

// normalize runs in through a crlfWriter, cut into pieces at the given
// offsets.
func normalize(t testing.TB, in []byte, cuts ...int) []byte {
	var out bytes.Buffer
	w := newCRLFWriter(&out)
	prev := 0
	for _, c := range append(cuts, len(in)) {
		c = min(max(c, prev), len(in))
		n, err := w.Write(in[prev:c])
		if err != nil || n != c-prev {
			t.Fatalf("Write = %d, %v; want %d", n, err, c-prev)
		}
		prev = c
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestNormalize(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"crlf kept", "a\r\nb\r\n", "a\r\nb\r\n"},
		{"bare lf", "a\nb\n", "a\r\nb\r\n"},
		{"bare cr", "a\rb\r", "a\r\nb\r\n"},
		{"cr cr lf", "a\r\r\nb", "a\r\n\r\nb"},
		{"lf cr", "a\n\rb", "a\r\n\r\nb"},
		{"smuggle", "x\n.\r\nMAIL", "x\r\n.\r\nMAIL"},
		{"trailing cr", "a\r", "a\r\n"},
		{"only separators", "\r\r\n\n", "\r\n\r\n\r\n"},
		{"no line ending", "abc", "abc"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := string(normalize(t, []byte(tc.in))); got != tc.want {
				t.Fatalf("normalize(%q) = %q, want %q", tc.in, got, tc.want)
			}
			// Cut at every position: a CR at the end of one write must
			// still pair with an LF at the start of the next.
			for i := range len(tc.in) {
				if got := string(normalize(t, []byte(tc.in), i)); got != tc.want {
					t.Fatalf("normalize(%q) cut at %d = %q, want %q", tc.in, i, got, tc.want)
				}
			}
		})
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"", "a\r\nb", "\n.\r\n", "\r.\r", "\r\r\n", "x\ry\nz\r\n", "\r"} {
		f.Add([]byte(s), uint16(1), uint16(3))
	}
	f.Fuzz(func(t *testing.T, in []byte, cut1, cut2 uint16) {
		whole := normalize(t, in)
		if bareLineEnding(whole) {
			t.Fatalf("normalize(%q) = %q has a bare CR or LF", in, whole)
		}
		if !bareLineEnding(in) && !bytes.Equal(whole, in) {
			t.Fatalf("CRLF-only input changed: %q → %q", in, whole)
		}
		a, b := int(cut1), int(cut2)
		if a > b {
			a, b = b, a
		}
		if split := normalize(t, in, a, b); !bytes.Equal(split, whole) {
			t.Fatalf("split at %d,%d: %q, whole: %q", a, b, split, whole)
		}
		if again := normalize(t, whole); !bytes.Equal(again, whole) {
			t.Fatalf("not idempotent: %q → %q", whole, again)
		}
		// Only line endings change: the other bytes are kept, in order.
		strip := func(b []byte) []byte {
			return bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("\r"), nil), []byte("\n"), nil)
		}
		if !bytes.Equal(strip(whole), strip(in)) {
			t.Fatalf("content changed: %q → %q", in, whole)
		}
	})
}
