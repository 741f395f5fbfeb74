package smtpd

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mailnet/mailauth"
	"mailnet/routing/sla"
	"mailnet/storage"
)

// verifyAll is a Checker that takes every From domain for verified.
type verifyAll struct{}

func (verifyAll) Check(_ context.Context, in mailauth.Input) mailauth.Verdict {
	from := headerFrom(in.Raw)
	d := strings.ToLower(from[strings.LastIndexByte(from, '@')+1:])
	return mailauth.Verdict{DMARC: mailauth.DMARCResult{Result: mailauth.Pass}, FromDomain: d, VerifiedDomain: d}
}

func (verifyAll) Header(mailauth.Verdict) string { return "" }

// convNow is Tuesday 1 December 2026, 10:00 UTC (11:00 in Paris).
var convNow = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// newCalendar returns the default business calendar.
func newCalendar(t *testing.T) *sla.Calendar {
	t.Helper()
	cal, err := sla.New(sla.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	return cal
}

const clientMail = "From: Jean <jean@example.org>\r\n" +
	"To: marie@mailnet.test\r\n" +
	"Subject: =?utf-8?q?Mon_dossier?=\r\n" +
	"Message-ID: <q1@example.org>\r\n" +
	"\r\n" +
	"Bonjour.\r\n"

func conversations(t *testing.T, db *storage.DB) []storage.Conversation {
	t.Helper()
	cs, err := db.Conversations(context.Background(), storage.ConversationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// TestClientMailOpensConversation: a verified client's message opens a
// conversation due by the calendar; a second one before the answer joins
// it and keeps the due time.
func TestClientMailOpensConversation(t *testing.T) {
	t.Parallel()
	cal := newCalendar(t)
	var now atomic.Int64
	now.Store(convNow.UnixNano())
	ts := startServer(t, testOptions{mode: ModeMX, checker: verifyAll{}, calendar: cal,
		now: func() time.Time { return time.Unix(0, now.Load()).UTC() }})
	withCaseload(t, ts)
	c := dialGreeted(t, ts.addr)
	if _, err := send(c, "jean@example.org", []string{marie}, clientMail); err != nil {
		t.Fatal(err)
	}
	now.Store(convNow.Add(26 * time.Hour).UnixNano())
	again := strings.Replace(clientMail, "q1@", "q2@", 1)
	if _, err := send(c, "jean@example.org", []string{marie}, again); err != nil {
		t.Fatal(err)
	}
	cs := conversations(t, ts.db)
	if len(cs) != 1 {
		t.Fatalf("conversations %+v", cs)
	}
	got := cs[0]
	if got.Client != "J1" || got.Counsellor != marie || got.Subject != "Mon dossier" || got.State != storage.ConversationOpen ||
		got.Messages != 2 || !got.Opened.Equal(convNow) || !got.Due.Equal(cal.Due(convNow)) || !got.NoticeAt.Equal(cal.Notice(convNow)) {
		t.Fatalf("conversation %+v, want due %s", got, cal.Due(convNow))
	}
}

// TestUnknownSenderOpensNoConversation: mail from a non-client is not
// tracked.
func TestUnknownSenderOpensNoConversation(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{mode: ModeMX, checker: verifyAll{}, calendar: newCalendar(t),
		now: func() time.Time { return convNow }})
	withCaseload(t, ts)
	if _, err := send(dialGreeted(t, ts.addr), "sender@example.org", []string{marie}, testMessage); err != nil {
		t.Fatal(err)
	}
	if cs := conversations(t, ts.db); len(cs) != 0 {
		t.Fatalf("conversations %+v", cs)
	}
}

// TestCounsellorReplyAnswers: a reply with In-Reply-To from the personal
// counsellor or her substitute answers the open conversation; one from a
// colleague who does not serve the client does not.
func TestCounsellorReplyAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, from string
		want       string
	}{
		{"personal counsellor", marie, storage.ConversationAnswered},
		{"substitute", paul, storage.ConversationAnswered},
		{"colleague", lea, storage.ConversationOpen},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			cal := newCalendar(t)
			ts := startServer(t, testOptions{mode: ModeSubmission, calendar: cal,
				now: func() time.Time { return convNow.Add(time.Hour) }})
			withCaseload(t, ts)
			// The client's message, as the MX would have stored it.
			ev := storage.ConversationEvent{Client: "J1", Counsellor: marie, MessageID: "q1@example.org",
				At: convNow, Due: cal.Due(convNow), NoticeAt: cal.Notice(convNow)}
			in := storage.Incoming{Raw: []byte(clientMail), Conversation: &ev,
				Deliveries: []storage.Delivery{{Account: ts.accounts[marie].ID, Mailbox: "INBOX"}}}
			if _, err := ts.db.Deliver(context.Background(), in); err != nil {
				t.Fatal(err)
			}
			reply := "From: " + tc.from + "\r\nTo: jean@example.org\r\nSubject: Re: Mon dossier\r\n" +
				"In-Reply-To: <q1@example.org>\r\n\r\nBonjour Jean.\r\n"
			if _, err := send(ts.dialAuthenticated(t, tc.from), tc.from, []string{"jean@example.org"}, reply); err != nil {
				t.Fatal(err)
			}
			cs := conversations(t, ts.db)
			if len(cs) != 1 || cs[0].State != tc.want {
				t.Fatalf("conversations %+v, want one %s", cs, tc.want)
			}
			if tc.want == storage.ConversationAnswered && (cs[0].AnsweredBy != tc.from || !cs[0].AnsweredAt.Equal(convNow.Add(time.Hour))) {
				t.Fatalf("answer recorded as %+v", cs[0])
			}
		})
	}
}
