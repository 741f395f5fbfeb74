package imapd

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"

	"mailnet/auth"
	"mailnet/storage"
)

// archiveForJ1 stores a message of client J1's exchange as the MX or
// submission would: in bob's mailbox, and archived in J1's case.
func (se *sharedEnv) archiveForJ1(t *testing.T, subject, direction string) {
	t.Helper()
	mailbox := "INBOX"
	if direction == storage.DirectionOut {
		mailbox = "Sent"
	}
	_, err := se.db.Deliver(context.Background(), storage.Incoming{
		Raw:        []byte(mail(subject, "Bonjour, voici ma question.")),
		Deliveries: []storage.Delivery{{Account: se.bob.ID, Mailbox: mailbox}},
		Archive:    &storage.ArchiveInfo{Direction: direction, From: "jean.martin@example.org", To: []string{bobAddr}, Client: "J1", Counsellor: bobAddr},
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestCaseViewReadOnlyAudited(t *testing.T) {
	t.Parallel()
	se := newSharedEnv(t, auth.ScopeTeam)
	ctx := context.Background()
	se.archiveForJ1(t, "question", storage.DirectionIn)
	se.archiveForJ1(t, "reponse", storage.DirectionOut)
	const caseName = "Cases/J1 Jean Martin"

	bob := se.loginAs(t, bobAddr)
	if got := listNames(t, bob, "*"); !slices.Contains(got, caseName) {
		t.Fatalf("bob's LIST lacks his client's case: %v", got)
	}
	marie := se.login(t, nil)
	if got := listNames(t, marie, "*"); slices.Contains(got, caseName) {
		t.Fatalf("marie's default LIST shows a colleague's client: %v", got)
	}
	if got := listNames(t, marie, "Cases/J1*"); !slices.Contains(got, caseName) {
		t.Fatalf("LIST Cases/J1* = %v", got)
	}
	sel, err := marie.Select(caseName, nil).Wait()
	if err != nil || sel.NumMessages != 2 {
		t.Fatalf("SELECT case = %+v, %v", sel, err)
	}
	msgs, err := marie.Fetch(imap.SeqSetNum(1, 2), &imap.FetchOptions{Envelope: true, Flags: true, BodySection: []*imap.FetchItemBodySection{{}}}).Collect()
	if err != nil || len(msgs) != 2 || msgs[0].Envelope.Subject != "question" || msgs[1].Envelope.Subject != "reponse" {
		t.Fatalf("FETCH case: %v %v", msgs, err)
	}
	if !slices.Contains(msgs[0].Flags, imap.FlagSeen) {
		t.Fatalf("flags after reading = %v", msgs[0].Flags)
	}
	wantCode(t, "STORE on a case", marie.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(), imap.ResponseCodeNoPerm)
	_, err = marie.Expunge().Collect()
	wantCode(t, "EXPUNGE on a case", err, imap.ResponseCodeNoPerm)
	// A new message of the exchange reaches the open view.
	se.archiveForJ1(t, "relance", storage.DirectionIn)
	if err := marie.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	if n := marie.Mailbox().NumMessages; n != 3 {
		t.Fatalf("after a new archived message, EXISTS = %d, want 3", n)
	}
	// A copy into one's own folder is allowed.
	if _, err := marie.Copy(imap.SeqSetNum(1), "INBOX").Wait(); err != nil {
		t.Fatalf("COPY case to INBOX: %v", err)
	}
	entries, err := se.db.AuditEntries(ctx, storage.AuditFilter{Actor: se.account.Address})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range entries {
		actions = append(actions, e.Action)
		if e.Mailbox != caseName || e.Client != "J1" || e.Remote != "127.0.0.1" {
			t.Errorf("audit entry %+v", e)
		}
	}
	if strings.Join(actions, ",") != "select,fetch,copy" {
		t.Fatalf("audit actions = %v, want select,fetch,copy", actions)
	}
	// Out of scope: carl, in another team, does not see the case at all.
	carl := se.loginAs(t, carlAddr)
	if _, err := carl.Select(caseName, nil).Wait(); err == nil {
		t.Fatal("carl selected a case of another team")
	}
	if got := listNames(t, carl, "Cases/J1*"); len(got) != 0 {
		t.Fatalf("carl's LIST Cases/J1* = %v", got)
	}
}
