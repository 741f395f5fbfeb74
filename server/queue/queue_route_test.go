package queue

import (
	"errors"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/foxcpp/go-mockdns"

	"mailnet/storage"
)

// TestMXPreferenceOrder checks that hosts are tried by preference, not in
// zone order, that an unreachable first host passes to the next, that one
// transaction carries all of a domain's recipients, and that each host
// tried is in the history.
func TestMXPreferenceOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mx2 := startMX(t, "mx2.example.org", mxOptions{})
	mx3 := startMX(t, "mx3.example.org", mxOptions{})
	slow := startMX(t, "mx.slow.example", mxOptions{rcpt: func(string) error {
		return reply(451, smtp.EnhancedCode{4, 7, 1}, "try again later")
	}})
	e.mx("example.org", net.MX{Host: "mx3.example.org.", Pref: 30}, net.MX{Host: "mx1.example.org.", Pref: 10}, net.MX{Host: "mx2.example.org.", Pref: 20})
	e.host("mx1.example.org", "192.0.2.1", nil) // refuses connections
	e.host("mx2.example.org", "192.0.2.2", mx2)
	e.host("mx3.example.org", "192.0.2.3", mx3)
	e.mx("slow.example", net.MX{Host: "mx.slow.example.", Pref: 10})
	e.host("mx.slow.example", "192.0.2.4", slow)
	spy := newSpy(e.db)
	w := e.workerWith(Config{}, spy)
	id := e.enqueue(sender, "jean@example.org", "lea@slow.example", "Paul@Example.ORG")

	deliverNow(t, w, id)

	got := mustOne(t, "messages at mx2", mx2.messages())
	if got.from != sender || !slices.Equal(got.to, []string{"jean@example.org", "Paul@Example.ORG"}) {
		t.Errorf("mx2 got MAIL %q RCPT %v", got.from, got.to)
	}
	if string(got.data) != testMessage {
		t.Errorf("mx2 got %q, want the stored message unchanged", got.data)
	}
	if got.helo != testHostname {
		t.Errorf("EHLO %q, want %q", got.helo, testHostname)
	}
	if n := len(mx3.messages()); n != 0 {
		t.Errorf("mx3 got %d messages", n)
	}
	if d := e.net.dialed(); !slices.Equal(d, []string{"192.0.2.1:25", "192.0.2.2:25", "192.0.2.4:25"}) {
		t.Errorf("dialed %v", d)
	}
	q := e.mustEntry(id)
	want := []storage.QueueRecipient{
		{Address: "jean@example.org", State: storage.RecipientDelivered, Host: "mx2.example.org"},
		{Address: "lea@slow.example", State: storage.RecipientPending, Host: "mx.slow.example", Reply: "451 4.7.1 try again later"},
		{Address: "Paul@Example.ORG", State: storage.RecipientDelivered, Host: "mx2.example.org"},
	}
	for i, r := range q.Recipients {
		if r.State != want[i].State || r.Host != want[i].Host || (want[i].Reply != "" && r.Reply != want[i].Reply) {
			t.Errorf("recipient %d = %+v, want %+v", i, r, want[i])
		}
		if r.State == storage.RecipientDelivered && !strings.HasPrefix(r.Reply, "250 ") {
			t.Errorf("recipient %d reply %q, want the 250", i, r.Reply)
		}
	}
	var hosts []string
	for _, a := range q.History {
		hosts = append(hosts, a.Host+" "+a.TLS+" "+a.Result)
	}
	if len(hosts) != 3 || !strings.HasPrefix(hosts[0], "mx1.example.org none deferred 2: 4.4.1 connect to mx1.example.org") ||
		hosts[1] != "mx2.example.org none delivered 2" ||
		hosts[2] != "mx.slow.example none deferred 1: 451 4.7.1 try again later" {
		t.Errorf("history:\n%s", strings.Join(hosts, "\n"))
	}
	if logs := e.logs.String(); strings.Contains(logs, "Bonjour") || strings.Contains(logs, "rendez-vous") {
		t.Errorf("message content in the logs:\n%s", logs)
	}
	for _, want := range []string{"queue_id=", "domain=example.org", "host=mx2.example.org", "tls=none", "result=\"delivered 2\""} {
		if !strings.Contains(e.logs.String(), want) {
			t.Errorf("logs lack %s:\n%s", want, e.logs.String())
		}
	}
}

// TestMXFallback checks each way a first host can fail to answer, after
// which the second host gets the message.
func TestMXFallback(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		first func(e *testEnv) // sets up mx1.example.org
		want  string           // start of mx1's result in the history
	}{
		{"connection refused", func(e *testEnv) {
			e.host("mx1.example.org", "192.0.2.1", nil)
		}, "deferred 1: 4.4.1 connect to mx1.example.org"},
		{"no address", func(e *testEnv) {}, "deferred 1: 4.4.4 mx1.example.org has no address"},
		{"address lookup fails", func(e *testEnv) {
			e.zone("mx1.example.org", mockdns.Zone{Err: errors.New("SERVFAIL")})
		}, "deferred 1: 4.4.3 address lookup for mx1.example.org"},
		{"EHLO refused with 421", func(e *testEnv) {
			e.host("mx1.example.org", "192.0.2.1", startMX(t, "mx1.example.org", mxOptions{
				ehlo: reply(421, smtp.EnhancedCode{4, 3, 2}, "shutting down"),
			}))
		}, "deferred 1: 421 4.3.2 shutting down"},
		{"EHLO refused with 554", func(e *testEnv) {
			e.host("mx1.example.org", "192.0.2.1", startMX(t, "mx1.example.org", mxOptions{
				ehlo: reply(554, smtp.EnhancedCode{5, 7, 1}, "no service"),
			}))
		}, "deferred 1: 554 5.7.1 no service"},
		{"RCPT answered 421", func(e *testEnv) {
			e.host("mx1.example.org", "192.0.2.1", startMX(t, "mx1.example.org", mxOptions{
				rcpt: func(string) error { return reply(421, smtp.EnhancedCode{4, 4, 5}, "busy") },
			}))
		}, "deferred 1: 421 4.4.5 busy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			mx2 := startMX(t, "mx2.example.org", mxOptions{})
			e.mx("example.org", net.MX{Host: "mx1.example.org.", Pref: 10}, net.MX{Host: "mx2.example.org.", Pref: 20})
			tc.first(e)
			e.host("mx2.example.org", "192.0.2.2", mx2)
			spy := newSpy(e.db)
			id := e.enqueue(sender, "jean@example.org")

			deliverNow(t, e.workerWith(Config{}, spy), id)

			mustOne(t, "messages at mx2", mx2.messages())
			if _, ok := e.entry(id); ok {
				t.Error("entry still queued")
			}
			h := spy.last(t, id).History
			if len(h) != 2 || h[0].Host != "mx1.example.org" || !strings.HasPrefix(h[0].Result, tc.want) || h[1].Result != "delivered 1" {
				t.Errorf("history = %+v, want mx1 %q then delivered", h, tc.want)
			}
			if n := len(e.inbox()); n != 0 {
				t.Errorf("%d messages in the sender's INBOX", n)
			}
		})
	}
}

// TestImplicitMX checks delivery to the domain's own address when it has
// no MX records (RFC 5321 §5.1).
func TestImplicitMX(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mx := startMX(t, "example.net", mxOptions{})
	e.host("example.net", "192.0.2.9", mx) // an A record, no MX
	spy := newSpy(e.db)
	id := e.enqueue(sender, "jean@example.net")

	deliverNow(t, e.workerWith(Config{}, spy), id)

	mustOne(t, "messages", mx.messages())
	if a := mustOne(t, "attempts", spy.last(t, id).History); a.Host != "example.net" || a.Result != "delivered 1" {
		t.Errorf("attempt = %+v", a)
	}
}

// TestPermanentRouteFailures checks that a domain that cannot receive
// mail bounces at once, with a DSN in the sender's INBOX.
func TestPermanentRouteFailures(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		zone   func(e *testEnv)
		status string
		reason string // in the English explanation
	}{
		{"NXDOMAIN", func(e *testEnv) {}, "5.1.2", "the recipient's domain does not exist"},
		{"null MX", func(e *testEnv) {
			e.mx("example.org", net.MX{Host: ".", Pref: 0})
		}, "5.1.10", "the recipient's domain accepts no mail"},
		{"MX is this server", func(e *testEnv) {
			e.mx("example.org", net.MX{Host: testHostname + ".", Pref: 10}, net.MX{Host: "backup.example.org.", Pref: 20})
		}, "5.4.6", "routing loop"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			tc.zone(e)
			id := e.enqueue(sender, "jean@example.org")

			deliverNow(t, e.worker(Config{}), id)

			if _, ok := e.entry(id); ok {
				t.Error("entry still queued")
			}
			if d := e.net.dialed(); len(d) != 0 {
				t.Errorf("dialed %v", d)
			}
			r := parseDSN(t, mustOne(t, "messages in INBOX", e.inbox()))
			checkDSNHeader(t, r)
			g := mustOne(t, "recipient groups", r.rcpts)
			if g["final-recipient"] != "rfc822; jean@example.org" || g["action"] != "failed" || g["status"] != tc.status {
				t.Errorf("recipient group = %v, want status %s", g, tc.status)
			}
			if _, ok := g["remote-mta"]; ok {
				t.Errorf("Remote-MTA without a remote reply: %v", g)
			}
			if !strings.Contains(r.text, tc.reason) || !strings.Contains(r.text, "Détail : "+tc.status) {
				t.Errorf("explanation lacks %q:\n%s", tc.reason, r.text)
			}
		})
	}
}

// checkDSNHeader checks the fields every DSN must have.
func checkDSNHeader(t testing.TB, r dsnReport) {
	t.Helper()
	h := r.header
	for field, want := range map[string]string{
		"From":           "Mail Delivery System <MAILER-DAEMON@" + testHostname + ">",
		"To":             "<" + sender + ">",
		"Auto-Submitted": "auto-replied",
		"References":     "<rdv-1@mailnet.test>",
		"MIME-Version":   "1.0",
	} {
		if got := h.Get(field); got != want {
			t.Errorf("%s = %q, want %q", field, got, want)
		}
	}
	if id := h.Get("Message-ID"); !strings.HasSuffix(id, "@"+testHostname+">") {
		t.Errorf("Message-ID = %q", id)
	}
	if h.Get("Date") == "" {
		t.Error("no Date")
	}
	if r.perMessage["reporting-mta"] != "dns; "+testHostname || r.perMessage["arrival-date"] != "Mon, 02 Mar 2026 09:00:00 +0000" {
		t.Errorf("per-message fields = %v", r.perMessage)
	}
	if !strings.Contains(r.text, "Votre message, déposé le 2026-03-02 09:00 UTC, n'a pas pu être remis") ||
		!strings.Contains(r.text, "could not be delivered") {
		t.Errorf("explanation:\n%s", r.text)
	}
	if !strings.Contains(r.headers, "Message-ID: <rdv-1@mailnet.test>\r\n") || strings.Contains(r.headers, "Bonjour") {
		t.Errorf("text/rfc822-headers part:\n%s", r.headers)
	}
}

// TestTemporaryDNSFailure checks that a failing MX lookup defers.
func TestTemporaryDNSFailure(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.zone("example.org", mockdns.Zone{Err: errors.New("SERVFAIL")})
	id := e.enqueue(sender, "jean@example.org")

	deliverNow(t, e.worker(Config{}), id)

	q := e.mustEntry(id)
	r := q.Recipients[0]
	if r.State != storage.RecipientPending || !strings.HasPrefix(r.Reply, "4.4.3 MX lookup for example.org") {
		t.Errorf("recipient = %+v", r)
	}
	if q.Attempts != 1 || !q.NextAttempt.Equal(e.clock.Now().Add(time.Minute)) {
		t.Errorf("attempts %d, next %v", q.Attempts, q.NextAttempt)
	}
	if a := mustOne(t, "attempts", q.History); a.Host != "example.org" {
		t.Errorf("attempt = %+v", a)
	}
	if n := len(e.inbox()); n != 0 {
		t.Errorf("%d messages in the sender's INBOX", n)
	}
}
