package imapd

import (
	"slices"
	"testing"

	"github.com/emersion/go-imap/v2"
)

func TestListSpecialUseAndHierarchy(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	c := env.login(t, nil)
	if err := c.Create("Clients/Dupont", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	list, err := c.List("", "*", &imap.ListOptions{ReturnStatus: &imap.StatusOptions{NumMessages: true, NumUnseen: true}}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	attrs := map[string][]imap.MailboxAttr{}
	for _, l := range list {
		attrs[l.Mailbox] = l.Attrs
		if l.Status == nil || l.Status.NumMessages == nil {
			t.Errorf("%s: no LIST-STATUS", l.Mailbox)
		}
	}
	for name, use := range map[string]imap.MailboxAttr{"Sent": imap.MailboxAttrSent, "Drafts": imap.MailboxAttrDrafts, "Trash": imap.MailboxAttrTrash, "Junk": imap.MailboxAttrJunk, "Archive": imap.MailboxAttrArchive} {
		if !slices.Contains(attrs[name], use) {
			t.Errorf("%s attrs = %v, want %s", name, attrs[name], use)
		}
	}
	if !slices.Contains(attrs["Clients"], imap.MailboxAttrHasChildren) || !slices.Contains(attrs["Clients/Dupont"], imap.MailboxAttrHasNoChildren) {
		t.Errorf("hierarchy attrs: %v / %v", attrs["Clients"], attrs["Clients/Dupont"])
	}
	special, err := c.List("", "*", &imap.ListOptions{SelectSpecialUse: true}).Collect()
	if err != nil || len(special) != 5 {
		t.Fatalf("LIST (SPECIAL-USE) = %d, %v", len(special), err)
	}
	pct, err := c.List("", "%", nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range pct {
		if l.Mailbox == "Clients/Dupont" {
			t.Fatal("% matched a second level")
		}
	}
}

func TestCreateRenameDeleteSubscribe(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	c := env.login(t, nil)
	steps := []struct {
		name string
		run  func() error
		ok   bool
	}{
		{"create", func() error { return c.Create("Projets", nil).Wait() }, true},
		{"create again", func() error { return c.Create("projets", nil).Wait() }, true}, // names are case-sensitive
		{"create duplicate", func() error { return c.Create("Projets", nil).Wait() }, false},
		{"create bad", func() error { return c.Create("a*b", nil).Wait() }, false},
		{"rename", func() error { return c.Rename("Projets", "Projets 2026", nil).Wait() }, true},
		{"subscribe", func() error { return c.Subscribe("Projets 2026").Wait() }, true},
		{"delete INBOX", func() error { return c.Delete("INBOX").Wait() }, false},
		{"delete missing", func() error { return c.Delete("Nope").Wait() }, false},
		{"delete", func() error { return c.Delete("Projets 2026").Wait() }, true},
	}
	for _, s := range steps {
		if err := s.run(); (err == nil) != s.ok {
			t.Fatalf("%s: err = %v, want ok=%v", s.name, err, s.ok)
		}
	}
	lsub, err := c.List("", "*", &imap.ListOptions{SelectSubscribed: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range lsub {
		if l.Mailbox == "Projets 2026" {
			t.Fatal("deleted mailbox still listed as subscribed")
		}
	}
	st, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true, UIDNext: true, UIDValidity: true, Size: true}).Wait()
	if err != nil || *st.NumMessages != 0 || st.UIDNext != 1 || st.UIDValidity == 0 {
		t.Fatalf("STATUS = %+v, %v", st, err)
	}
}

func TestNamespace(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	c := env.login(t, nil)
	ns, err := c.Namespace().Wait()
	if err != nil || len(ns.Personal) != 1 || ns.Personal[0].Delim != '/' {
		t.Fatalf("NAMESPACE = %+v, %v", ns, err)
	}
}

// TestSelectedMailboxDeletedByAnotherSession: the session that had it
// selected sees every message expunged and goes on working.
func TestSelectedMailboxDeletedByAnotherSession(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	a := env.login(t, nil)
	if err := a.Create("Projets", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	env.deliver(t, "Projets", mail("un", "x"))
	env.deliver(t, "Projets", mail("deux", "x"))
	if _, err := a.Select("Projets", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	b := env.login(t, nil)
	if err := b.Delete("Projets").Wait(); err != nil {
		t.Fatal(err)
	}
	if err := a.Noop().Wait(); err != nil {
		t.Fatalf("NOOP after the mailbox went: %v", err)
	}
	if n := a.Mailbox().NumMessages; n != 0 {
		t.Fatalf("session still sees %d messages", n)
	}
	msgs, err := a.Fetch(seqRange(1, 0), &imap.FetchOptions{UID: true}).Collect()
	if err != nil || len(msgs) != 0 {
		t.Fatalf("FETCH 1:* = %v, %v", msgs, err)
	}
	if _, err := a.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
}
