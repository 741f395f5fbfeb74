package smtpd

import (
	"strings"
	"testing"
)

func TestStripRouteFields(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"From: a\r\n\r\nbody\r\n", "From: a\r\n\r\nbody\r\n"},
		{"X-Mailnet-Route: ceo@x INBOX\r\nFrom: a\r\n\r\nX-Mailnet-Route: in body\r\n", "From: a\r\n\r\nX-Mailnet-Route: in body\r\n"},
		{"From: a\r\nx-mailnet-ROUTE: a\r\n folded\r\n\tmore\r\nTo: b\r\n\r\nbody", "From: a\r\nTo: b\r\n\r\nbody"},
		{"X-Mailnet-Routex: kept\r\n\r\n", "X-Mailnet-Routex: kept\r\n\r\n"},
		{"X-Mailnet-Route: only", ""},
	}
	for _, tc := range tests {
		if got := string(stripRouteFields([]byte(tc.in))); got != tc.want {
			t.Errorf("stripRouteFields(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzStripRouteFields(f *testing.F) {
	f.Add([]byte("X-Mailnet-Route: a\r\n b\r\nFrom: x\r\n\r\nbody"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		out := stripRouteFields(raw)
		head := string(out)
		if i := strings.Index(head, "\r\n\r\n"); i >= 0 {
			head = head[:i]
		}
		for _, line := range strings.Split(head, "\r\n") {
			if strings.HasPrefix(strings.ToLower(line), routeField) {
				t.Fatalf("route field kept: %q", out)
			}
		}
	})
}

// withoutRoute drops the X-Mailnet-Route field the server puts first.
func withoutRoute(t *testing.T, raw string) string {
	t.Helper()
	if !strings.HasPrefix(raw, "X-Mailnet-Route: ") {
		t.Fatalf("message does not start with X-Mailnet-Route:\n%s", raw)
	}
	return string(stripRouteFields([]byte(raw)))
}

// TestMXForgedRouteFieldReplaced: a sender cannot plant routing claims.
func TestMXForgedRouteFieldReplaced(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{mode: ModeMX})
	c := dialGreeted(t, ts.addr)
	forged := "X-Mailnet-Route: director@mailnet.test INBOX; reason=personal address\r\n" + testMessage
	if _, err := send(c, "sender@example.org", []string{marie}, forged); err != nil {
		t.Fatal(err)
	}
	raw := string(ts.inbox(t, marie)[0].Raw)
	if strings.Count(raw, "X-Mailnet-Route:") != 1 || !strings.HasPrefix(raw, "X-Mailnet-Route: marie@mailnet.test INBOX; reason=") {
		t.Fatalf("route fields:\n%s", raw)
	}
}
