package queue

import (
	"context"
	"net"
	"testing"

	"github.com/emersion/go-smtp"

	"mailnet/storage"
)

// TestRestartAfterAcceptance simulates a crash after the remote hosts
// answered and before FinishQueue: after a restart, the entry is still
// queued with its saved results, and the next round finishes it (with the
// DSN for the refused recipient) without sending anything again.
func TestRestartAfterAcceptance(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mx := startMX(t, "mx1.example.org", mxOptions{rcpt: func(to string) error {
		if to == "nobody@example.org" {
			return reply(550, smtp.EnhancedCode{5, 1, 1}, "no such user")
		}
		return nil
	}})
	e.mx("example.org", net.MX{Host: "mx1.example.org.", Pref: 10})
	e.host("mx1.example.org", "192.0.2.1", mx)
	id := e.enqueue(sender, "jean@example.org", "nobody@example.org")
	spy := newSpy(e.db)
	spy.failFinish = 1

	if err := e.workerWith(Config{}, spy).DeliverNow(context.Background(), id); err == nil {
		t.Fatal("DeliverNow succeeded despite the crash")
	}
	mustOne(t, "messages", mx.messages())

	e.reopen()
	q := e.mustEntry(id)
	if r := q.Recipients; r[0].State != storage.RecipientDelivered || r[0].Host != "mx1.example.org" ||
		r[1].State != storage.RecipientFailed || r[1].Reply != "550 5.1.1 no such user" {
		t.Fatalf("after restart: %+v", r)
	}
	if n := len(e.inbox()); n != 0 {
		t.Fatalf("DSN delivered before FinishQueue: %d messages", n)
	}
	dials := len(e.net.dialed())

	deliverNow(t, e.worker(Config{}), id)

	if _, ok := e.entry(id); ok {
		t.Error("entry still queued")
	}
	mustOne(t, "messages after the restart", mx.messages())
	if d := len(e.net.dialed()); d != dials {
		t.Errorf("%d new connections after the restart", d-dials)
	}
	r := parseDSN(t, mustOne(t, "messages in INBOX", e.inbox()))
	g := mustOne(t, "recipient groups", r.rcpts)
	if g["final-recipient"] != "rfc822; nobody@example.org" || g["status"] != "5.1.1" || g["diagnostic-code"] != "smtp; 550 5.1.1 no such user" {
		t.Errorf("recipient group %v", g)
	}
}
