package slawatch

import (
	"bytes"
	"context"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"mailnet/routing/sla"
	"mailnet/routing/sla/texts"
	"mailnet/storage"
)

const (
	marie = "marie@mailnet.test"
	paul  = "paul@mailnet.test"
	jean  = "jean@example.org"
)

type fixture struct {
	db       *storage.DB
	cal      *sla.Calendar
	now      time.Time
	w        *Watcher
	paul     storage.Account
	received time.Time
	queued   int
}

// newFixture is a store with counsellor marie in team T1 managed by paul,
// client J1 (jean) of marie, and a watcher on an injected clock.
func newFixture(t *testing.T) *fixture {
	t.Helper()
	return newFixtureConfig(t, Config{})
}

// newFixtureConfig is newFixture with the watcher's cfg; Hostname and Now
// are set.
func newFixtureConfig(t *testing.T, cfg Config) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(filepath.Join(t.TempDir(), "mailnet.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	cal, err := sla.New(sla.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, cal: cal, received: time.Date(2026, 11, 30, 10, 0, 0, 0, cal.Location())}
	var accounts []storage.Account
	for _, a := range []storage.Account{
		{Address: marie, Name: "Marie Dupont", Role: storage.RoleCounsellor, PasswordHash: "x"},
		{Address: paul, Name: "Paul Martin", Role: storage.RoleManager, PasswordHash: "x"},
	} {
		a, err := db.CreateAccount(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		accounts = append(accounts, a)
	}
	f.paul = accounts[1]
	_, err = db.ImportCaseload(ctx, storage.CaseloadBatch{
		Teams:       []storage.Team{{ID: "T1", Managers: []string{paul}}},
		Counsellors: []storage.Counsellor{{Address: marie, Kind: storage.ServesJobseekers, Team: "T1"}},
		Clients: []storage.Client{{ID: "J1", Kind: storage.ClientJobseeker, Name: "Jean Petit",
			Emails: []string{jean}, Counsellor: marie}},
	}, "test", false)
	if err != nil {
		t.Fatal(err)
	}
	in := storage.Incoming{
		Raw:        []byte("From: <" + jean + ">\r\nTo: <" + marie + ">\r\nSubject: aide\r\nMessage-ID: <a@example.org>\r\n\r\nBonjour\r\n"),
		Deliveries: []storage.Delivery{{Account: accounts[0].ID, Mailbox: "INBOX"}},
		Conversation: &storage.ConversationEvent{Client: "J1", Counsellor: marie, Subject: "aide", MessageID: "a@example.org",
			At: f.received, Due: cal.Due(f.received), NoticeAt: cal.Notice(f.received)},
	}
	if _, err := db.Deliver(ctx, in); err != nil {
		t.Fatal(err)
	}
	cfg.Hostname, cfg.Now = "mailnet.test", func() time.Time { return f.now }
	f.w = New(cfg, Deps{Store: db, Calendar: cal, Queued: func() { f.queued++ }})
	return f
}

func (f *fixture) scan(t *testing.T, at time.Time) int {
	t.Helper()
	f.now = at
	n, err := f.w.ScanNow(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNoticeBeforeExpiry(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	notice := f.cal.Notice(f.received) // Wed 2 Dec 10:00
	if n := f.scan(t, notice.Add(-time.Minute)); n != 0 {
		t.Fatalf("%d notices before NoticeAt", n)
	}
	if n := f.scan(t, notice); n != 1 || f.queued != 1 {
		t.Fatalf("%d notices (%d kicks) at NoticeAt, want 1", n, f.queued)
	}
	if n := f.scan(t, notice.Add(time.Hour)); n != 0 {
		t.Fatalf("second scan sent %d notices", n)
	}
	q, err := f.db.Queue(ctx)
	if err != nil || len(q) != 1 {
		t.Fatalf("queue %+v, %v; want one notice", q, err)
	}
	if q[0].From != "" || q[0].Recipients[0].Address != jean {
		t.Fatalf("queue entry %+v, want null sender to %s", q[0], jean)
	}
	raw, err := f.db.QueueMessage(ctx, q[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	next := f.cal.NextContact(f.cal.Due(f.received), 10*time.Hour) // Fri 4 Dec 10:00
	text, ics := parseNotice(t, raw)
	if want := "vendredi 4 décembre 2026 à 10 h 00"; !strings.Contains(text, want) || !strings.Contains(text, "J1") {
		t.Errorf("text part lacks %q or the reference:\n%s", want, text)
	}
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "METHOD:REQUEST\r\n", "UID:", "DTSTAMP:" + notice.UTC().Format(icsTime),
		"DTSTART:" + next.UTC().Format(icsTime) + "\r\n", "DTEND:" + next.Add(30*time.Minute).UTC().Format(icsTime),
		"ORGANIZER;CN=Marie Dupont:mailto:" + marie, "ATTENDEE;RSVP=TRUE;ROLE=REQ-PARTICIPANT:mailto:" + jean} {
		if !strings.Contains(ics, want) {
			t.Errorf("calendar lacks %q:\n%s", want, ics)
		}
	}
	for l := range strings.SplitSeq(strings.TrimSuffix(ics, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("calendar line longer than 75 octets: %q", l)
		}
	}
	inbox, err := f.db.Mailbox(ctx, f.paul.ID, "INBOX")
	if err != nil || inbox.Messages != 1 {
		t.Fatalf("manager INBOX %+v, %v; want one alert", inbox, err)
	}
	c, err := f.db.ConversationByID(ctx, 1)
	if err != nil || !c.WarnedAt.Equal(notice) || !c.NextContact.Equal(next) {
		t.Fatalf("conversation %+v, %v", c, err)
	}
	archived, err := f.db.ArchiveEntries(ctx, storage.ArchiveFilter{Direction: storage.DirectionNotice})
	if err != nil || len(archived) != 2 {
		t.Fatalf("archived notices %+v, %v; want the notice and the alert", archived, err)
	}
	if e := archived[0]; e.Client != "J1" || !slices.Equal(e.To, []string{jean}) || e.Counsellor != marie {
		t.Errorf("notice archived as %+v", e)
	}
	if e := archived[1]; e.Client != "" || !slices.Equal(e.To, []string{f.paul.Address}) || e.Counsellor != marie {
		t.Errorf("alert archived as %+v", e)
	}
}

func TestNoNoticeForAnsweredConversation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	marieAcc, err := f.db.Account(ctx, marie)
	if err != nil {
		t.Fatal(err)
	}
	answer := storage.Incoming{
		Raw:        []byte("From: <" + marie + ">\r\nTo: <" + jean + ">\r\nSubject: Re: aide\r\nMessage-ID: <r@mailnet.test>\r\n\r\nVoici\r\n"),
		Deliveries: []storage.Delivery{{Account: marieAcc.ID, Mailbox: "Sent"}},
		Conversation: &storage.ConversationEvent{Answer: true, Client: "J1", MessageID: "r@mailnet.test",
			Refs: []string{"a@example.org"}, At: f.received.Add(time.Hour), By: marie},
	}
	if _, err := f.db.Deliver(ctx, answer); err != nil {
		t.Fatal(err)
	}
	if n := f.scan(t, f.cal.Due(f.received)); n != 0 {
		t.Fatalf("%d notices for an answered conversation", n)
	}
	if q, err := f.db.Queue(ctx); err != nil || len(q) != 0 {
		t.Fatalf("queue %+v, %v", q, err)
	}
}

// parseNotice returns the decoded text and calendar parts of a notice.
func parseNotice(t *testing.T, raw []byte) (text, ics string) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if got := msg.Header.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted %q", got)
	}
	if from, err := msg.Header.AddressList("From"); err != nil || from[0].Address != marie || from[0].Name != "Marie Dupont" {
		t.Errorf("From %v, %v", from, err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("Content-Type %q, %v", mt, err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(p) // quoted-printable is decoded by the reader
		if err != nil {
			t.Fatal(err)
		}
		pt, pp, err := mime.ParseMediaType(p.Header.Get("Content-Type"))
		if err != nil {
			t.Fatal(err)
		}
		switch pt {
		case "text/plain":
			text = string(body)
		case "text/calendar":
			if pp["method"] != "REQUEST" || p.FileName() != "rendez-vous.ics" {
				t.Errorf("calendar part %v, file name %q", pp, p.FileName())
			}
			ics = string(body)
		}
	}
	if text == "" || ics == "" {
		t.Fatalf("notice lacks a part: text %q, calendar %q", text, ics)
	}
	return text, ics
}

func TestFold(t *testing.T) {
	t.Parallel()
	long := "DESCRIPTION:" + strings.Repeat("é", 100)
	got := fold(long)
	for l := range strings.SplitSeq(strings.TrimSuffix(got, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets", len(l))
		}
	}
	if unfolded := strings.ReplaceAll(strings.TrimSuffix(got, "\r\n"), "\r\n ", ""); unfolded != long {
		t.Errorf("unfolds to %q", unfolded)
	}
}

// TestNoticeOnceAcrossRestarts runs three weeks of calendar, hour by hour,
// restarting the store and the watcher at the notice time and a day
// after: exactly one notice is queued, none forgotten, none repeated.
func TestNoticeOnceAcrossRestarts(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	path := f.db.Path()
	notice := f.cal.Notice(f.received)
	restarts := map[time.Time]bool{notice.Truncate(time.Hour): true, notice.Add(24 * time.Hour).Truncate(time.Hour): true}
	sent := 0
	for at := f.received; at.Before(f.received.Add(21 * 24 * time.Hour)); at = at.Add(time.Hour) {
		if restarts[at.Truncate(time.Hour)] {
			if err := f.db.Close(); err != nil {
				t.Fatal(err)
			}
			db, err := storage.Open(path, storage.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			f.db = db
			f.w = New(Config{Hostname: "mailnet.test", Now: func() time.Time { return f.now }},
				Deps{Store: db, Calendar: f.cal, Queued: func() { f.queued++ }})
		}
		sent += f.scan(t, at)
	}
	q, err := f.db.Queue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if sent != 1 || len(q) != 1 {
		t.Fatalf("%d notices sent, %d queued over three weeks with restarts; want 1", sent, len(q))
	}
}

// TestNoticeTemplateOverride: a notice.txt in the templates directory
// replaces the default subject and text of the client notice; the
// calendar part stays.
func TestNoticeTemplateOverride(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := "Subject: Retard sur le dossier {{.ClientID}}\r\n\r\nNouveau contact : {{.NextContact}} avec {{.CounsellorName}}.\r\n"
	if err := os.WriteFile(filepath.Join(dir, texts.NoticeFile), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	set, err := texts.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	f := newFixtureConfig(t, Config{NoticeText: set.Notice, AlertText: set.Alert})
	if n := f.scan(t, f.cal.Notice(f.received)); n != 1 {
		t.Fatalf("%d notices, want 1", n)
	}
	ctx := context.Background()
	q, err := f.db.Queue(ctx)
	if err != nil || len(q) != 1 {
		t.Fatalf("queue %+v, %v; want one notice", q, err)
	}
	raw, err := f.db.QueueMessage(ctx, q[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != "Retard sur le dossier J1" {
		t.Errorf("Subject %q: %v", subject, err)
	}
	text, ics := parseNotice(t, raw)
	if want := "Nouveau contact : vendredi 4 décembre 2026 à 10 h 00 avec Marie Dupont.\r\n"; text != want {
		t.Errorf("text %q, want %q", text, want)
	}
	if !strings.Contains(ics, "METHOD:REQUEST") {
		t.Errorf("calendar part lost:\n%s", ics)
	}
}

// TestNoticeContactTime: the configured time of the new contact is the
// one offered, in the text and in the invitation.
func TestNoticeContactTime(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.w = New(Config{Hostname: "mailnet.test", Now: func() time.Time { return f.now }, ContactAt: 14*time.Hour + 30*time.Minute},
		Deps{Store: f.db, Calendar: f.cal, Queued: func() { f.queued++ }})
	if n := f.scan(t, f.cal.Notice(f.received)); n != 1 {
		t.Fatalf("%d notices", n)
	}
	ctx := context.Background()
	q, err := f.db.Queue(ctx)
	if err != nil || len(q) != 1 {
		t.Fatalf("queue %v, %v", q, err)
	}
	raw, err := f.db.QueueMessage(ctx, q[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	text, ics := parseNotice(t, raw)
	if !strings.Contains(text, "vendredi 4 décembre 2026 à 14 h 30") || !strings.Contains(ics, "DTSTART:20261204T133000Z") {
		t.Fatalf("contact time not applied:\n%s\n%s", text, ics)
	}
}
