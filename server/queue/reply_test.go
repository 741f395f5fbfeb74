package queue

import (
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/emersion/go-smtp"

	"mailnet/storage"
)

func TestReplyStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		reply, status string
		remote        bool
	}{
		{"550 5.1.1 no such user", "5.1.1", true},
		{"550 no such user", "5.0.0", true},
		{"550 4.1.1 class mismatch", "5.0.0", true},
		{"451 4.7.1 greylisted", "4.7.1", true},
		{"421 too busy", "4.0.0", true},
		{"5.1.2 domain not found: x.example has no MX and no address", "5.1.2", false},
		{"5.1.10 x.example accepts no mail (null MX)", "5.1.10", false},
		{"4.4.1 connect to mx: refused", "4.4.1", false},
		{"garbage", "5.0.0", false},
		{"", "5.0.0", false},
		{"5.1.1000 too long a detail", "5.0.0", false},
	} {
		t.Run(tc.reply, func(t *testing.T) {
			if got := replyStatus(tc.reply); got != tc.status {
				t.Errorf("replyStatus = %q, want %q", got, tc.status)
			}
			if got := isRemoteReply(tc.reply); got != tc.remote {
				t.Errorf("isRemoteReply = %v, want %v", got, tc.remote)
			}
		})
	}
}

func TestOutcome(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		err   error
		state storage.RecipientState
		reply string
		next  bool
	}{
		{"5xx", &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "unknown\nuser"},
			storage.RecipientFailed, "550 5.1.1 unknown user", false},
		{"4xx", &smtp.SMTPError{Code: 450, Message: "later"}, storage.RecipientPending, "450 later", false},
		{"421", fmt.Errorf("rcpt: %w", &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 4, 2}, Message: "bye"}),
			storage.RecipientPending, "421 4.4.2 bye", true},
		{"permanent finding", &failure{"5.1.2", "domain not found"}, storage.RecipientFailed, "5.1.2 domain not found", false},
		{"temporary finding", &failure{"4.4.1", "connect: refused"}, storage.RecipientPending, "4.4.1 connect: refused", true},
		{"i/o error", fmt.Errorf("write: %w", syscall.EPIPE), storage.RecipientPending, "4.4.2 write: broken pipe", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			state, reply, next := outcome(tc.err)
			if state != tc.state || reply != tc.reply || next != tc.next {
				t.Errorf("outcome = %s %q %v, want %s %q %v", state, reply, next, tc.state, tc.reply, tc.next)
			}
		})
	}
}

func TestClean(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{
		{"550 5.1.1 user\r\n unknown", "550 5.1.1 user unknown"},
		{"  451\t\ttry  later ", "451 try later"},
		{"550 adresse inconnue: é", "550 adresse inconnue: ??"},
		{strings.Repeat("x", 1000), strings.Repeat("x", maxReply)},
	} {
		if got := clean(tc.in); got != tc.want {
			t.Errorf("clean(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// FuzzReply checks that any remote text becomes a one-line printable
// reply whose status is valid.
func FuzzReply(f *testing.F) {
	f.Add(550, "5.1.1 no such user")
	f.Add(451, "")
	f.Add(250, "\xff\r\n.")
	f.Fuzz(func(t *testing.T, code int, text string) {
		code = 200 + (code%400+400)%400
		se := &smtp.SMTPError{Code: code, Message: text}
		if c, err := parseEnhanced(text); err == nil {
			se.EnhancedCode = c
		}
		r := remoteReply(se)
		if len(r) > maxReply || strings.ContainsFunc(r, func(c rune) bool { return c < ' ' || c > '~' }) {
			t.Fatalf("remoteReply = %q", r)
		}
		if st := replyStatus(r); !validStatus(st) {
			t.Fatalf("replyStatus(%q) = %q", r, st)
		}
	})
}

// parseEnhanced reads a leading "x.y.z" the way go-smtp's client does.
func parseEnhanced(s string) (smtp.EnhancedCode, error) {
	var c smtp.EnhancedCode
	word, _, _ := strings.Cut(s, " ")
	if _, err := fmt.Sscanf(word, "%d.%d.%d", &c[0], &c[1], &c[2]); err != nil {
		return c, err
	}
	if c[0] < 0 || c[1] < 0 || c[2] < 0 {
		return c, errors.New("negative")
	}
	return c, nil
}
