package control

import (
	"context"
	"testing"
	"time"

	"mailnet/storage"
)

// TestConversationsOverSocket: the filter and the conversations survive
// the trip through the socket.
func TestConversationsOverSocket(t *testing.T) {
	t.Parallel()
	local, dir := newTestOps(t)
	ctx := context.Background()
	res, err := local.AddUser(ctx, AddUserRequest{Address: "marie@mailnet.test"})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := local.DB.Account(ctx, res.User.Address)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for _, client := range []string{"J1", "J2"} {
		ev := storage.ConversationEvent{Client: client, Counsellor: "marie@mailnet.test", MessageID: client + "@x",
			At: at, Due: at.Add(72 * time.Hour), NoticeAt: at.Add(48 * time.Hour)}
		in := storage.Incoming{Raw: []byte("Subject: q\r\n\r\nBonjour.\r\n"), Conversation: &ev,
			Deliveries: []storage.Delivery{{Account: acc.ID, Mailbox: "INBOX"}}}
		if _, err := local.DB.Deliver(ctx, in); err != nil {
			t.Fatal(err)
		}
		at = at.Add(time.Hour)
	}
	c, err := Dial(serveSocket(t, local, dir))
	if err != nil {
		t.Fatal(err)
	}
	filter := storage.ConversationFilter{Open: true, Counsellor: "marie@mailnet.test", OverdueAt: time.Date(2026, 12, 4, 10, 30, 0, 0, time.UTC)}
	got, err := c.Conversations(ctx, filter)
	if err != nil || len(got) != 1 || got[0].Client != "J1" || !got[0].Due.Equal(time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)) {
		t.Fatalf("Conversations = %+v, %v", got, err)
	}
}

// TestCounsellorsOverSocket: the caseload's counsellors and their teams
// come through the socket.
func TestCounsellorsOverSocket(t *testing.T) {
	t.Parallel()
	local, dir := newTestOps(t)
	ctx := context.Background()
	for _, a := range []string{"marie@mailnet.test", "lea@mailnet.test"} {
		if _, err := local.AddUser(ctx, AddUserRequest{Address: a}); err != nil {
			t.Fatal(err)
		}
	}
	_, err := local.ImportCaseload(ctx, storage.CaseloadBatch{
		Teams:       []storage.Team{{ID: "T1", Managers: []string{"lea@mailnet.test"}}},
		Counsellors: []storage.Counsellor{{Address: "marie@mailnet.test", Kind: storage.ServesJobseekers, Team: "T1"}},
	}, "test", false)
	if err != nil {
		t.Fatal(err)
	}
	c, err := Dial(serveSocket(t, local, dir))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.Counsellors(ctx)
	if err != nil || len(got) != 1 || got[0].Address != "marie@mailnet.test" || got[0].Team != "T1" {
		t.Fatalf("Counsellors = %+v, %v", got, err)
	}
}

// TestArchiveEntriesOverSocket: archive entries and their filter come
// through the socket.
func TestArchiveEntriesOverSocket(t *testing.T) {
	t.Parallel()
	local, dir := newTestOps(t)
	ctx := context.Background()
	res, err := local.AddUser(ctx, AddUserRequest{Address: "marie@mailnet.test"})
	if err != nil {
		t.Fatal(err)
	}
	acc, err := local.DB.Account(ctx, res.User.Address)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	for i, client := range []string{"J1", "J2"} {
		in := storage.Incoming{Raw: []byte("Subject: q\r\n\r\nBonjour.\r\n"), InternalDate: at.Add(time.Duration(i) * time.Hour),
			Deliveries: []storage.Delivery{{Account: acc.ID, Mailbox: "INBOX"}},
			Archive:    &storage.ArchiveInfo{Direction: storage.DirectionIn, From: "c@example.org", Client: client, Counsellor: "marie@mailnet.test"}}
		if _, err := local.DB.Deliver(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Dial(serveSocket(t, local, dir))
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.ArchiveEntries(ctx, storage.ArchiveFilter{From: at.Add(30 * time.Minute)})
	if err != nil || len(got) != 1 || got[0].Client != "J2" || got[0].Direction != storage.DirectionIn || got[0].Counsellor != "marie@mailnet.test" {
		t.Fatalf("ArchiveEntries = %+v, %v", got, err)
	}
}
