package message

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

// TestSummarizeLimits checks that hostile nesting and part counts give a
// bounded, servable summary quickly.
func TestSummarizeLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		raw       func() string
		wantParts int // upper bound on the parts described
	}{{
		name: "multiparts nested 1000 deep",
		raw: func() string {
			var sb strings.Builder
			for i := range 1000 {
				fmt.Fprintf(&sb, "Content-Type: multipart/mixed; boundary=b%d\r\n\r\n--b%d\r\n", i, i)
			}
			sb.WriteString("\r\ninnermost\r\n")
			return sb.String()
		},
		wantParts: maxDepth + 1,
	}, {
		name: "messages nested 5000 deep",
		raw: func() string {
			return strings.Repeat("Subject: x\r\nContent-Type: message/rfc822\r\n\r\n", 5000) + "\r\nbody\r\n"
		},
		wantParts: maxDepth + 1,
	}, {
		name: "30000 empty parts",
		raw: func() string {
			return "Content-Type: multipart/mixed; boundary=p\r\n\r\n" + strings.Repeat("--p\r\n\r\n", 30000) + "--p--\r\n"
		},
		wantParts: maxParts + 1,
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			raw := []byte(tc.raw())
			start := time.Now()
			s, err := Summarize(raw)
			if err != nil {
				t.Fatal(err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("Summarize took %v", d)
			}
			checkServable(t, s.Body)
			parts := 0
			visit(s.Body, 0, func(imap.BodyStructure, int) { parts++ })
			if parts > tc.wantParts {
				t.Errorf("%d parts described, want at most %d", parts, tc.wantParts)
			}
			checkRoundTrip(t, s)
		})
	}
}
