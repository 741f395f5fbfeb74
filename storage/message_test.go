package storage

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
)

// fillInbox delivers n messages to the account's INBOX and returns it.
func fillInbox(t testing.TB, db *DB, a Account, n int) Mailbox {
	t.Helper()
	for i := range n {
		if _, err := db.Deliver(context.Background(), Incoming{Raw: testMessage(fmt.Sprint("s", i)), Deliveries: []Delivery{{Account: a.ID, Mailbox: "INBOX"}}}); err != nil {
			t.Fatal(err)
		}
	}
	return mustMailbox(t, db, a.ID, "INBOX")
}

func TestStoreFlagsKeepsUnseenExact(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	a := newTestAccount(t, db, "a@mailnet.test")
	inbox := fillInbox(t, db, a, 3)
	tests := []struct {
		op         FlagOp
		flags      []string
		uids       []uint32
		wantFirst  string
		wantUnseen uint32
	}{
		{FlagsAdd, []string{`\seen`}, []uint32{1, 2}, `[\Seen]`, 1},
		{FlagsAdd, []string{"Work", "work", `\Recent`}, []uint32{1}, `[\Seen Work]`, 1},
		{FlagsRemove, []string{`\Seen`}, []uint32{1, 99}, `[Work]`, 2},
		{FlagsSet, []string{`\Deleted`, `\Answered`}, []uint32{1}, `[\Answered \Deleted]`, 2},
	}
	for i, tc := range tests {
		got, err := db.StoreFlags(ctx, inbox.ID, tc.uids, tc.op, tc.flags)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got[0].Flags) != tc.wantFirst {
			t.Errorf("step %d: flags = %v, want %s", i, got[0].Flags, tc.wantFirst)
		}
		if m := mustMailbox(t, db, a.ID, "INBOX"); m.Unseen != tc.wantUnseen {
			t.Errorf("step %d: unseen = %d, want %d", i, m.Unseen, tc.wantUnseen)
		}
	}
	removed, err := db.ExpungeDeleted(ctx, inbox.ID, nil)
	if err != nil || !slices.Equal(removed, []uint32{1}) {
		t.Fatalf("ExpungeDeleted = %v, %v", removed, err)
	}
	if m := mustMailbox(t, db, a.ID, "INBOX"); m.Messages != 2 || m.Unseen != 1 {
		t.Fatalf("after expunge: %+v", m)
	}
}

func TestCopyAndMoveKeepBodiesAlive(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	a := newTestAccount(t, db, "a@mailnet.test")
	inbox := fillInbox(t, db, a, 2)
	archive := mustMailbox(t, db, a.ID, "Archive")
	trash := mustMailbox(t, db, a.ID, "Trash")

	cp, err := db.CopyMessages(ctx, inbox.ID, []uint32{1, 2, 7}, archive.ID)
	if err != nil || !slices.Equal(cp.Source, []uint32{1, 2}) || !slices.Equal(cp.Dest, []uint32{1, 2}) || cp.UIDValidity != archive.UIDValidity {
		t.Fatalf("copy = %+v, %v", cp, err)
	}
	mv, err := db.MoveMessages(ctx, inbox.ID, []uint32{2}, trash.ID)
	if err != nil || !slices.Equal(mv.Dest, []uint32{1}) {
		t.Fatalf("move = %+v, %v", mv, err)
	}
	if m := mustMailbox(t, db, a.ID, "INBOX"); m.Messages != 1 {
		t.Fatalf("move left the source: %+v", m)
	}
	// Deleting Archive and Trash drops their references; INBOX still holds s0.
	for _, name := range []string{"Archive", "Trash"} {
		if err := db.DeleteMailbox(ctx, a.ID, name); err != nil {
			t.Fatal(err)
		}
	}
	if n := countBlobs(t, db); n != 1 {
		t.Fatalf("%d blobs, want 1 (s1 dropped with its last reference)", n)
	}
	msgs, err := db.Messages(ctx, inbox.ID, []uint32{1}, Want{Raw: true})
	if err != nil || len(msgs) != 1 || len(msgs[0].Raw) == 0 {
		t.Fatalf("INBOX copy lost its body: %v %v", msgs, err)
	}
}

func TestMailboxLifecycle(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	a := newTestAccount(t, db, "a@mailnet.test")
	if _, err := db.CreateMailbox(ctx, a.ID, "Clients/Dupont", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateMailbox(ctx, a.ID, "clients/../x", ""); err != nil {
		t.Fatal("dots are a valid level name:", err)
	}
	mustMailbox(t, db, a.ID, "Clients") // parent created
	for _, bad := range []string{"", "a//b", "/a", "a/", "a*", "a%b", "a\x00"} {
		if _, err := db.CreateMailbox(ctx, a.ID, bad, ""); !errors.Is(err, ErrInvalidName) {
			t.Errorf("CreateMailbox(%q) err = %v, want ErrInvalidName", bad, err)
		}
	}
	if _, err := db.CreateMailbox(ctx, a.ID, "inbox", ""); !errors.Is(err, ErrExists) {
		t.Fatalf("create inbox: %v", err)
	}
	if err := db.DeleteMailbox(ctx, a.ID, "Clients"); !errors.Is(err, ErrHasChildren) {
		t.Fatalf("delete parent: %v", err)
	}
	if err := db.DeleteMailbox(ctx, a.ID, "INBOX"); !errors.Is(err, ErrProtected) {
		t.Fatalf("delete INBOX: %v", err)
	}
	old := mustMailbox(t, db, a.ID, "Clients/Dupont")
	if err := db.RenameMailbox(ctx, a.ID, "Clients", "Cases"); err != nil {
		t.Fatal(err)
	}
	renamed := mustMailbox(t, db, a.ID, "Cases/Dupont")
	if renamed.ID != old.ID || renamed.UIDValidity != old.UIDValidity {
		t.Fatalf("rename changed identity: %+v vs %+v", renamed, old)
	}
	if _, err := db.Mailbox(ctx, a.ID, "Clients/Dupont"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("old name still there: %v", err)
	}
	if err := db.SetSubscribed(ctx, a.ID, "Cases", true); err != nil {
		t.Fatal(err)
	}
}

func TestRenameInboxMovesMessages(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	a := newTestAccount(t, db, "a@mailnet.test")
	fillInbox(t, db, a, 2)
	if err := db.RenameMailbox(ctx, a.ID, "INBOX", "Old"); err != nil {
		t.Fatal(err)
	}
	if m := mustMailbox(t, db, a.ID, "INBOX"); m.Messages != 0 {
		t.Fatalf("INBOX not emptied: %+v", m)
	}
	if m := mustMailbox(t, db, a.ID, "Old"); m.Messages != 2 {
		t.Fatalf("Old = %+v", m)
	}
}

func TestWatchSeesCommittedChangesOnly(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	a := newTestAccount(t, db, "a@mailnet.test")
	var mu sync.Mutex
	var kinds []EventKind
	cancel := db.Watch(func(ev Event) {
		mu.Lock()
		defer mu.Unlock()
		kinds = append(kinds, ev.Kind)
	})
	inbox := fillInbox(t, db, a, 1)
	if _, err := db.Deliver(ctx, Incoming{Raw: testMessage("bad"), Deliveries: []Delivery{{Account: a.ID, Mailbox: "INBOX"}, {Account: 777, Mailbox: "INBOX"}}}); err == nil {
		t.Fatal("delivery to a missing account succeeded")
	}
	if _, err := db.StoreFlags(ctx, inbox.ID, []uint32{1}, FlagsAdd, []string{FlagSeen}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Expunge(ctx, inbox.ID, []uint32{1}); err != nil {
		t.Fatal(err)
	}
	cancel()
	fillInbox(t, db, a, 1)
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(kinds, []EventKind{EventAppended, EventFlags, EventExpunged}) {
		t.Fatalf("events = %v", kinds)
	}
}

func TestCorruptRecordIsAnError(t *testing.T) {
	t.Parallel()
	for _, b := range [][]byte{nil, {2}, make([]byte, recordFixedSize), append([]byte{1}, make([]byte, recordFixedSize)...)} {
		if len(b) > 0 && b[0] == 1 && len(b) > recordFixedSize {
			b = append(b[:recordFixedSize], 5, 200) // keyword claims 200 bytes
		}
		if _, err := decodeRecord(b); err == nil {
			t.Errorf("decodeRecord(%v) accepted corrupt input", b)
		}
	}
}

func FuzzDecodeRecord(f *testing.F) {
	r := record{date: 1, size: 2, keywords: []string{"a", "$Junk"}}
	f.Add(r.encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		rec, err := decodeRecord(b)
		if err != nil {
			return
		}
		again, err := decodeRecord(rec.encode())
		if err != nil || fmt.Sprint(again.flags()) != fmt.Sprint(rec.flags()) {
			t.Fatalf("round trip changed %v", rec)
		}
	})
}
