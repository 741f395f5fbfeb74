package smtpd

import (
	"context"
	"slices"
	"testing"
	"time"

	"mailnet/storage"
)

func archiveEntries(t *testing.T, db *storage.DB) []storage.ArchiveEntry {
	t.Helper()
	es, err := db.ArchiveEntries(context.Background(), storage.ArchiveFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

// TestMXArchives: every message the MX accepts is archived "in", with the
// client and personal counsellor routing found when the sender is a
// client, and shows in that client's case.
func TestMXArchives(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{mode: ModeMX, checker: verifyAll{}, now: func() time.Time { return convNow }})
	withCaseload(t, ts)
	c := dialGreeted(t, ts.addr)
	if _, err := send(c, "jean@example.org", []string{marie}, clientMail); err != nil {
		t.Fatal(err)
	}
	if _, err := send(c, "sender@example.org", []string{marie, paul}, testMessage); err != nil {
		t.Fatal(err)
	}
	es := archiveEntries(t, ts.db)
	if len(es) != 2 {
		t.Fatalf("archive %+v, want 2 entries", es)
	}
	if e := es[0]; e.Direction != storage.DirectionIn || e.Client != "J1" || e.Counsellor != marie || e.From != "jean@example.org" ||
		!slices.Equal(e.To, []string{marie}) || !e.Time.Equal(convNow) {
		t.Fatalf("client message archived as %+v", e)
	}
	if e := es[1]; e.Direction != storage.DirectionIn || e.Client != "" || len(e.To) != 2 {
		t.Fatalf("other message archived as %+v", e)
	}
	msgs, err := ts.db.CaseMessages(context.Background(), "J1", []uint32{1}, storage.Want{Raw: true})
	if err != nil || len(msgs) != 1 || msgs[0].Blob != ts.inbox(t, marie)[0].Blob {
		t.Fatalf("case J1: %+v, %v; want the delivered message", msgs, err)
	}
}

// TestSubmissionArchives: a submitted message is archived "out" when it
// leaves, "internal" when all recipients are local, with the client it
// answers.
func TestSubmissionArchives(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{mode: ModeSubmission, now: func() time.Time { return convNow }})
	withCaseload(t, ts)
	reply := "From: " + marie + "\r\nTo: jean@example.org\r\nSubject: Re: Mon dossier\r\n\r\nBonjour Jean.\r\n"
	if _, err := send(ts.dialAuthenticated(t, marie), marie, []string{"jean@example.org"}, reply); err != nil {
		t.Fatal(err)
	}
	note := "From: " + marie + "\r\nTo: " + paul + "\r\nSubject: note\r\n\r\nPour info.\r\n"
	if _, err := send(ts.dialAuthenticated(t, marie), marie, []string{paul}, note); err != nil {
		t.Fatal(err)
	}
	es := archiveEntries(t, ts.db)
	if len(es) != 2 {
		t.Fatalf("archive %+v, want 2 entries", es)
	}
	if e := es[0]; e.Direction != storage.DirectionOut || e.Client != "J1" || e.Counsellor != marie || e.From != marie {
		t.Fatalf("reply archived as %+v", e)
	}
	if e := es[1]; e.Direction != storage.DirectionInternal || e.Client != "" || !slices.Equal(e.To, []string{paul}) {
		t.Fatalf("internal note archived as %+v", e)
	}
}
