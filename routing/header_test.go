package routing

import (
	"strings"
	"testing"
	"unicode/utf8"

	"mailnet/storage"
)

func TestRouteHeader(t *testing.T) {
	t.Parallel()
	marie := storage.Account{Address: "marie@pes.test"}
	expert := storage.Account{Address: "expert@pes.test"}
	tests := []struct {
		name    string
		targets []Target
		want    string
	}{
		{"none", nil, ""},
		{"one", []Target{{Account: marie, Mailbox: "INBOX", Reason: "personal address"}},
			"X-Mailnet-Route: marie@pes.test INBOX; reason=personal address\r\n"},
		{"two, folded, folder quoted", []Target{
			{Account: marie, Mailbox: "INBOX", Reason: "personal address"},
			{Account: expert, Mailbox: "Linked/J1 Jean Martin", Reason: "expert linked to case J1: benefits"},
		}, "X-Mailnet-Route: marie@pes.test INBOX; reason=personal address,\r\n" +
			" expert@pes.test \"Linked/J1 Jean Martin\"; reason=expert linked to case J1:\r\n" +
			" benefits\r\n"},
		{"CR LF and separators sanitised", []Target{
			{Account: marie, Mailbox: "INBOX\r\nBcc: x", Reason: "a,b;c\r\nX-Evil: 1\x00"},
		}, "X-Mailnet-Route: marie@pes.test \"INBOX Bcc: x\"; reason=a b c X-Evil: 1\r\n"},
		{"quote in folder", []Target{{Account: marie, Mailbox: `Linked/J3 "Jo"`, Reason: ""}},
			"X-Mailnet-Route: marie@pes.test \"Linked/J3 \\\"Jo\\\"\"; reason=-\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := RouteHeader(tc.targets)
			if got != tc.want {
				t.Fatalf("RouteHeader:\n%q\nwant:\n%q", got, tc.want)
			}
			checkField(t, got)
		})
	}
}

// checkField fails unless h is "" or one well-formed header field: CR and
// LF only as CRLF, every CRLF but the last followed by white space (a
// fold), lines within RFC 5322's 998 characters.
func checkField(t *testing.T, h string) {
	t.Helper()
	if h == "" {
		return
	}
	if !strings.HasPrefix(h, RouteHeaderName+": ") || !strings.HasSuffix(h, "\r\n") {
		t.Fatalf("not one field: %q", h)
	}
	lines := strings.Split(strings.TrimSuffix(h, "\r\n"), "\r\n")
	for i, l := range lines {
		if strings.ContainsAny(l, "\r\n") {
			t.Fatalf("bare CR or LF in line %d: %q", i, l)
		}
		if i > 0 && !strings.HasPrefix(l, " ") {
			t.Fatalf("line %d is not a continuation: %q", i, l)
		}
		if strings.TrimSpace(l) == "" {
			t.Fatalf("line %d is blank: %q", i, h)
		}
		if len(l) > 998 {
			t.Fatalf("line %d has %d characters", i, len(l))
		}
	}
}

func FuzzRouteHeader(f *testing.F) {
	f.Add("marie@pes.test", "INBOX", "personal address", "Linked/J1 Jean", "expert\r\nX: y")
	f.Add("", "", "", "\n", "\r")
	f.Add("a@b", "Sub/\x00\x7f", strings.Repeat("word ", 100), strings.Repeat("x", 300), "\xff\xfe")
	f.Fuzz(func(t *testing.T, account, folder1, reason1, folder2, reason2 string) {
		h := RouteHeader([]Target{
			{Account: storage.Account{Address: account}, Mailbox: folder1, Reason: reason1},
			{Account: storage.Account{Address: account}, Mailbox: folder2, Reason: reason2},
		})
		checkField(t, h)
		if !utf8.ValidString(h) {
			t.Fatalf("invalid UTF-8: %q", h)
		}
	})
}

func TestFolders(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, got, want string
	}{
		{"substitute", SubstituteFolder("marie.dupont@pes.test"), "Substitute/marie.dupont"},
		{"dispatch", DispatchFolder("LYON3/EMP"), "Dispatch/LYON3-EMP"},
		{"case with name", ExpertFolder(storage.Client{ID: "E1", Name: "Acme / Sud*%"}), "Linked/E1 Acme - Sud--"},
		{"case without name", ExpertFolder(storage.Client{ID: "J9"}), "Linked/J9"},
		{"case control chars", ExpertFolder(storage.Client{ID: "J1", Name: "Jean\r\n\tMartin\x00"}), "Linked/J1 Jean Martin"},
		{"case long name", ExpertFolder(storage.Client{ID: "J1", Name: strings.Repeat("é", 100)}), "Linked/J1 " + strings.Repeat("é", maxFolderPart-3)},
		{"empty part", FolderPart(" \r\n"), "-"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.got != tc.want {
				t.Fatalf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}
