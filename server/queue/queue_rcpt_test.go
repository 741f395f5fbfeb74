package queue

import (
	"context"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"mailnet/storage"
)

// TestPerRecipientReplies checks that a 550 for one recipient and a 250
// for another deliver one and report the other.
func TestPerRecipientReplies(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mx := startMX(t, "mx1.example.org", mxOptions{rcpt: func(to string) error {
		if to == "nobody@example.org" {
			return reply(550, smtp.EnhancedCode{5, 1, 1}, "<nobody@example.org>: no such user")
		}
		return nil
	}})
	e.mx("example.org", net.MX{Host: "mx1.example.org.", Pref: 10})
	e.host("mx1.example.org", "192.0.2.1", mx)
	spy := newSpy(e.db)
	id := e.enqueue(sender, "nobody@example.org", "jean@example.org")

	deliverNow(t, e.workerWith(Config{}, spy), id)

	got := mustOne(t, "messages", mx.messages())
	if !slices.Equal(got.to, []string{"jean@example.org"}) {
		t.Errorf("RCPT %v", got.to)
	}
	if _, ok := e.entry(id); ok {
		t.Error("entry still queued")
	}
	saved := spy.last(t, id).Recipients
	if saved[0].State != storage.RecipientFailed || saved[1].State != storage.RecipientDelivered {
		t.Errorf("saved recipients %+v", saved)
	}
	r := parseDSN(t, mustOne(t, "messages in INBOX", e.inbox()))
	checkDSNHeader(t, r)
	g := mustOne(t, "recipient groups", r.rcpts)
	for field, want := range map[string]string{
		"final-recipient": "rfc822; nobody@example.org",
		"action":          "failed",
		"status":          "5.1.1",
		"remote-mta":      "dns; mx1.example.org",
		"diagnostic-code": "smtp; 550 5.1.1 <nobody@example.org>: no such user",
	} {
		if g[field] != want {
			t.Errorf("%s = %q, want %q", field, g[field], want)
		}
	}
	if strings.Contains(r.text, "jean@example.org") {
		t.Errorf("the delivered recipient is in the DSN:\n%s", r.text)
	}
	archived, err := e.db.ArchiveEntries(context.Background(), storage.ArchiveFilter{})
	if err != nil || len(archived) != 1 || archived[0].Direction != storage.DirectionDSN || archived[0].From != "" || !slices.Equal(archived[0].To, []string{sender}) {
		t.Errorf("archive %+v, %v; want the DSN from the null sender to %s", archived, err, sender)
	}
	for _, want := range []string{
		"<nobody@example.org>\r\n    Motif : cette adresse n'existe pas chez le destinataire.",
		"Réponse du serveur mx1.example.org : 550 5.1.1",
	} {
		if !strings.Contains(r.text, want) {
			t.Errorf("explanation lacks %q:\n%s", want, r.text)
		}
	}
}

// TestTransactionRefusals checks replies that concern every recipient of
// the transaction.
func TestTransactionRefusals(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		opts   mxOptions
		state  storage.RecipientState
		reply  string
		status string // in the DSN, when failed
	}{
		{"554 after data", mxOptions{data: func(int) error {
			return reply(554, smtp.EnhancedCode{5, 7, 1}, "spam detected")
		}}, storage.RecipientFailed, "554 5.7.1 spam detected", "5.7.1"},
		{"550 without enhanced code", mxOptions{data: func(int) error {
			return reply(550, smtp.NoEnhancedCode, "go away")
		}}, storage.RecipientFailed, "550 go away", "5.0.0"},
		{"too large for the SIZE advertised", mxOptions{maxSize: 64}, storage.RecipientFailed,
			"5.3.4 message of 203 bytes exceeds the remote limit of 64 bytes", "5.3.4"},
		{"452 after data", mxOptions{data: func(int) error {
			return reply(452, smtp.EnhancedCode{4, 3, 1}, "out of disk")
		}}, storage.RecipientPending, "452 4.3.1 out of disk", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			mx := startMX(t, "mx1.example.org", tc.opts)
			e.mx("example.org", net.MX{Host: "mx1.example.org.", Pref: 10})
			e.host("mx1.example.org", "192.0.2.1", mx)
			spy := newSpy(e.db)
			id := e.enqueue(sender, "jean@example.org", "paul@example.org")

			deliverNow(t, e.workerWith(Config{}, spy), id)

			if n := len(mx.messages()); n != 0 {
				t.Errorf("mx accepted %d messages", n)
			}
			for _, r := range spy.last(t, id).Recipients {
				if r.State != tc.state || r.Reply != tc.reply {
					t.Errorf("recipient %+v, want %s %q", r, tc.state, tc.reply)
				}
			}
			inbox := e.inbox()
			if tc.state == storage.RecipientPending {
				if len(inbox) != 0 {
					t.Errorf("%d messages in INBOX", len(inbox))
				}
				return
			}
			r := parseDSN(t, mustOne(t, "messages in INBOX", inbox))
			if len(r.rcpts) != 2 || r.rcpts[0]["status"] != tc.status || r.rcpts[1]["status"] != tc.status {
				t.Errorf("recipient groups %v, want status %s", r.rcpts, tc.status)
			}
		})
	}
}

// TestNoDSN checks that nothing is sent back for a null sender or for a
// sender that is not a local account, and that the entry still goes.
func TestNoDSN(t *testing.T) {
	t.Parallel()
	for _, from := range []string{"", "someone@elsewhere.example"} {
		t.Run("from <"+from+">", func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			id := e.enqueue(from, "jean@example.org") // NXDOMAIN

			deliverNow(t, e.worker(Config{}), id)

			if _, ok := e.entry(id); ok {
				t.Error("entry still queued")
			}
			if n := len(e.inbox()); n != 0 {
				t.Errorf("%d messages in INBOX", n)
			}
			if !strings.Contains(e.logs.String(), "dsn not sent") {
				t.Errorf("no log of the dropped DSN:\n%s", e.logs.String())
			}
		})
	}
}
