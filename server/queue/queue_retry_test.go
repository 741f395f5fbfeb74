package queue

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"mailnet/storage"
)

// TestRetryThenAccept checks that 451 defers by the backoff schedule and
// that a later round delivers.
func TestRetryThenAccept(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mx := startMX(t, "mx1.example.org", mxOptions{data: func(n int) error {
		if n < 3 {
			return reply(451, smtp.EnhancedCode{4, 7, 1}, "greylisted, come back later")
		}
		return nil
	}})
	e.mx("example.org", net.MX{Host: "mx1.example.org.", Pref: 10})
	e.host("mx1.example.org", "192.0.2.1", mx)
	w := e.worker(Config{})
	id := e.enqueue(sender, "jean@example.org")

	for i, wait := range []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute} {
		deliverNow(t, w, id)
		q := e.mustEntry(id)
		if want := e.clock.Now().Add(wait); q.Attempts != i+1 || !q.NextAttempt.Equal(want) {
			t.Fatalf("round %d: attempts %d, next %v, want %d, %v", i+1, q.Attempts, q.NextAttempt, i+1, want)
		}
		r := q.Recipients[0]
		if r.State != storage.RecipientPending || r.Reply != "451 4.7.1 greylisted, come back later" || r.Host != "mx1.example.org" {
			t.Fatalf("round %d: recipient %+v", i+1, r)
		}
		e.clock.Advance(wait)
	}
	deliverNow(t, w, id)

	if _, ok := e.entry(id); ok {
		t.Error("entry still queued after acceptance")
	}
	mustOne(t, "accepted messages", mx.messages())
	if n := len(e.inbox()); n != 0 {
		t.Errorf("%d messages in the sender's INBOX", n)
	}
}

// TestBackoffSchedule checks the default schedule and its last value
// repeating.
func TestBackoffSchedule(t *testing.T) {
	t.Parallel()
	cfg := Config{}.withDefaults()
	want := []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 4 * time.Hour, 4 * time.Hour, 4 * time.Hour}
	for i, w := range want {
		if got := cfg.backoff(i + 1); got != w {
			t.Errorf("backoff(%d) = %v, want %v", i+1, got, w)
		}
	}
	custom := Config{Retry: []time.Duration{time.Second}}.withDefaults()
	if got := custom.backoff(9); got != time.Second {
		t.Errorf("custom backoff(9) = %v", got)
	}
}

// TestExpiry checks that recipients still deferred after MaxAge bounce
// with 4.4.7 and the last remote reply.
func TestExpiry(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mx := startMX(t, "mx1.example.org", mxOptions{rcpt: func(string) error {
		return reply(452, smtp.EnhancedCode{4, 2, 2}, "mailbox full")
	}})
	e.mx("example.org", net.MX{Host: "mx1.example.org.", Pref: 10})
	e.host("mx1.example.org", "192.0.2.1", mx)
	w := e.worker(Config{})
	id := e.enqueue(sender, "jean@example.org")

	deliverNow(t, w, id)
	e.clock.Advance(DefaultMaxAge - time.Minute)
	deliverNow(t, w, id) // not yet expired
	if q := e.mustEntry(id); q.Attempts != 2 {
		t.Fatalf("attempts = %d", q.Attempts)
	}
	e.clock.Advance(2 * time.Minute)
	deliverNow(t, w, id)

	if _, ok := e.entry(id); ok {
		t.Error("entry still queued after MaxAge")
	}
	r := parseDSN(t, mustOne(t, "messages in INBOX", e.inbox()))
	checkDSNHeader(t, r)
	g := mustOne(t, "recipient groups", r.rcpts)
	for field, want := range map[string]string{
		"final-recipient": "rfc822; jean@example.org",
		"action":          "failed",
		"status":          "4.4.7",
		"remote-mta":      "dns; mx1.example.org",
		"diagnostic-code": "smtp; 452 4.2.2 mailbox full",
	} {
		if g[field] != want {
			t.Errorf("%s = %q, want %q", field, g[field], want)
		}
	}
	for _, want := range []string{"délai de remise dépassé", "en 5 jours", "within 5 days", "Reply from mx1.example.org: 452 4.2.2 mailbox full"} {
		if !strings.Contains(r.text, want) {
			t.Errorf("explanation lacks %q:\n%s", want, r.text)
		}
	}
}
