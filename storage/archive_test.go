package storage

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"mailnet/message"

	bolt "go.etcd.io/bbolt"
)

// eventLog records the events of a store.
type eventLog struct {
	mu     sync.Mutex
	events []Event
}

func watchEvents(t *testing.T, db *DB) *eventLog {
	l := &eventLog{}
	cancel := db.Watch(func(ev Event) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.events = append(l.events, ev)
	})
	t.Cleanup(cancel)
	return l
}

// caseEvents returns the events about client's case.
func (l *eventLog) caseEvents(client string) []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Event
	for _, ev := range l.events {
		if ev.Case == client {
			out = append(out, ev)
		}
	}
	return out
}

func archived(t *testing.T, db *DB, a Account, subject string, info ArchiveInfo) Receipt {
	t.Helper()
	in := Incoming{Raw: testMessage(subject), Deliveries: []Delivery{{Account: a.ID, Mailbox: "INBOX"}}, Archive: &info}
	rc, err := db.Deliver(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return rc
}

// TestArchiveSurvivesExpunge archives deliveries with the mailbox entries,
// shows them in the client's case, and keeps them readable after the
// mailbox copies are expunged and the mailbox deleted.
func TestArchiveSurvivesExpunge(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	marie := newTestAccount(t, db, "marie@mailnet.test")
	events := watchEvents(t, db)
	in := ArchiveInfo{Direction: DirectionIn, From: "jean@example.org", To: []string{"marie@mailnet.test"}, Client: "J1", Counsellor: "marie@mailnet.test"}
	rc1 := archived(t, db, marie, "one", in)
	rc2 := archived(t, db, marie, "other", ArchiveInfo{Direction: DirectionInternal, From: "paul@mailnet.test", To: []string{"marie@mailnet.test"}})
	rc3 := archived(t, db, marie, "two", in)
	if rc1.Archived != 1 || rc2.Archived != 2 || rc3.Archived != 3 {
		t.Fatalf("archive entries %d %d %d", rc1.Archived, rc2.Archived, rc3.Archived)
	}
	box, err := db.CaseBox(ctx, "J1")
	if err != nil {
		t.Fatal(err)
	}
	size := int64(len(testMessage("one")) + len(testMessage("two")))
	if box.Messages != 2 || box.UIDNext != 4 || box.Size != size || box.UIDValidity == 0 {
		t.Fatalf("case box %+v", box)
	}
	if empty, err := db.CaseBox(ctx, "J9"); err != nil || empty.Messages != 0 || empty.UIDNext != 1 || empty.UIDValidity != box.UIDValidity {
		t.Fatalf("empty case box %+v, %v", empty, err)
	}
	if got := events.caseEvents("J1"); len(got) != 2 || got[0].Kind != EventAppended || !slices.Equal(got[1].UIDs, []uint32{3}) {
		t.Fatalf("case events %+v", got)
	}

	inbox := mustMailbox(t, db, marie.ID, "INBOX")
	uids, err := db.UIDs(ctx, inbox.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Expunge(ctx, inbox.ID, uids); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateMailbox(ctx, marie.ID, "Old", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Deliver(ctx, Incoming{Raw: testMessage("two"), Deliveries: []Delivery{{Account: marie.ID, Mailbox: "Old"}}}); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteMailbox(ctx, marie.ID, "Old"); err != nil {
		t.Fatal(err)
	}

	caseUIDs, err := db.CaseUIDs(ctx, "J1")
	if err != nil || !slices.Equal(caseUIDs, []uint32{1, 3}) {
		t.Fatalf("case UIDs %v, %v", caseUIDs, err)
	}
	msgs, err := db.CaseMessages(ctx, "J1", []uint32{3, 2, 1, 99}, Want{Raw: true, Summary: true})
	if err != nil || len(msgs) != 2 {
		t.Fatalf("case messages: %d, %v", len(msgs), err)
	}
	if !bytes.Equal(msgs[0].Raw, testMessage("two")) || msgs[0].UID != 3 || msgs[0].Blob != rc3.Blob || len(msgs[0].Flags) != 0 {
		t.Fatalf("case message 3: %+v", msgs[0])
	}
	sum, err := message.Unmarshal(msgs[1].Summary)
	if err != nil || sum.Envelope.Subject != "one" {
		t.Fatalf("case message 1 summary: %+v, %v", sum.Envelope, err)
	}
	if raw, err := db.ArchivedMessage(ctx, 2); err != nil || !bytes.Equal(raw, testMessage("other")) {
		t.Fatalf("archived message 2: %q, %v", raw, err)
	}
	rep, err := db.VerifyArchive(ctx, nil)
	if err != nil || rep.Entries != 3 || rep.Messages != 3 {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
	entries, err := db.ArchiveEntries(ctx, ArchiveFilter{Client: "J1"})
	if err != nil || len(entries) != 2 || entries[1].Hash != rep.Head || entries[0].Counsellor != "marie@mailnet.test" || entries[0].From != "jean@example.org" {
		t.Fatalf("entries %+v, %v", entries, err)
	}
}

// TestArchiveRefusesUnknownDirection: nothing is stored with a bad entry.
func TestArchiveRefusesUnknownDirection(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	a := newTestAccount(t, db, "a@mailnet.test")
	in := Incoming{Raw: testMessage("x"), Deliveries: []Delivery{{Account: a.ID, Mailbox: "INBOX"}}, Archive: &ArchiveInfo{Direction: "sideways"}}
	if _, err := db.Deliver(context.Background(), in); !errors.Is(err, ErrArchive) {
		t.Fatalf("Deliver: %v, want ErrArchive", err)
	}
	if m, err := db.Mailbox(context.Background(), a.ID, "INBOX"); err == nil && m.Messages != 0 {
		t.Fatal("message stored although its archive entry was refused")
	}
}

// TestArchiveServerMessages: acknowledgements, notices, alerts and DSNs
// are archived in the transactions that make them.
func TestArchiveServerMessages(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newConvStore(t)
	s.deliver(t, ackMsg("a@x", 0))
	c := s.all(t)[0]
	notice := &Acknowledgement{Raw: testMessage("notice"), To: "jean@example.org"}
	alert := Incoming{Raw: testMessage("alert"), Deliveries: []Delivery{{Account: s.marie.ID, Mailbox: "INBOX"}}}
	if ok, err := s.db.WarnConversation(ctx, c.ID, c.NoticeAt, c.Due, notice, []Incoming{alert}); err != nil || !ok {
		t.Fatalf("warn: %v, %v", ok, err)
	}
	q, err := s.db.Queue(ctx)
	if err != nil || len(q) != 2 {
		t.Fatalf("queue %+v, %v", q, err)
	}
	dsn := &Incoming{Raw: testMessage("dsn"), Deliveries: []Delivery{{Account: s.marie.ID, Mailbox: "INBOX"}}}
	if err := s.db.FinishQueue(ctx, q[0].ID, dsn); err != nil {
		t.Fatal(err)
	}
	entries, err := s.db.ArchiveEntries(ctx, ArchiveFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Direction+":"+e.Client)
	}
	want := []string{"ack:J1", "notice:J1", "notice:", "dsn:"}
	if !slices.Equal(got, want) {
		t.Fatalf("archived %v, want %v", got, want)
	}
	if entries[0].To[0] != "jean@example.org" || entries[2].Counsellor != "marie@mailnet.test" || entries[3].To[0] != q[0].From {
		t.Fatalf("entries %+v", entries)
	}
	if _, err := s.db.VerifyArchive(ctx, nil); err != nil {
		t.Fatal(err)
	}
}

// TestArchiveTamper flips one byte of a stored body, then one byte of an
// entry, in the bbolt file, and sees VerifyArchive name the entry.
func TestArchiveTamper(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		needle string // unique bytes to change in the file
		seq    uint64
	}{
		{"body", "body-to-tamper", 2},
		{"entry", "envelope-to-tamper@example.org", 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "mailnet.db")
			db, err := Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			a := newTestAccount(t, db, "a@mailnet.test")
			archived(t, db, a, "first", ArchiveInfo{Direction: DirectionIn, Client: "J1"})
			archived(t, db, a, "body-to-tamper", ArchiveInfo{Direction: DirectionIn, Client: "J1"})
			archived(t, db, a, "third", ArchiveInfo{Direction: DirectionIn, From: "envelope-to-tamper@example.org"})
			archived(t, db, a, "fourth", ArchiveInfo{Direction: DirectionOut})
			ctx := context.Background()
			if _, err := db.VerifyArchive(ctx, nil); err != nil {
				t.Fatalf("intact archive: %v", err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			flipInFile(t, path, []byte(tc.needle))
			db, err = Open(path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			_, err = db.VerifyArchive(ctx, nil)
			var ce *ChainError
			if !errors.As(err, &ce) || ce.Chain != "archive" || ce.Seq != tc.seq {
				t.Fatalf("verify after tampering: %v, want a broken link at archive entry %d", err, tc.seq)
			}
		})
	}
}

// TestArchivePurge purges by retention period, spares held clients, and
// leaves a chain that still verifies, with a tombstone per purged message.
func TestArchivePurge(t *testing.T) {
	t.Parallel()
	now := time.Date(2027, 6, 1, 12, 0, 0, 0, time.UTC)
	db, err := Open(filepath.Join(t.TempDir(), "mailnet.db"), Options{Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx := context.Background()
	newTestAccount(t, db, "a@mailnet.test")
	events := watchEvents(t, db)
	old := now.AddDate(-2, 0, 0)
	deliver := func(subject string, date time.Time, info ArchiveInfo) {
		t.Helper()
		in := Incoming{Raw: testMessage(subject), InternalDate: date, Archive: &info}
		if _, err := db.Deliver(ctx, in); err != nil { // archived only: no mailbox keeps it
			t.Fatal(err)
		}
	}
	deliver("old-dsn", old, ArchiveInfo{Direction: DirectionDSN, Client: "J1"})  // 1: purged
	deliver("old-in", old, ArchiveInfo{Direction: DirectionIn, Client: "J1"})    // 2: kept, in is forever
	deliver("held-dsn", old, ArchiveInfo{Direction: DirectionDSN, Client: "J2"}) // 3: held
	deliver("new-dsn", now, ArchiveInfo{Direction: DirectionDSN, Client: "J1"})  // 4: too recent
	deliver("old-ack", old, ArchiveInfo{Direction: DirectionAck})                // 5: purged
	if err := db.SetHold(ctx, "J2", true, "cli:test"); err != nil {
		t.Fatal(err)
	}
	req := PurgeRequest{Retention: map[string]time.Duration{DirectionDSN: 365 * 24 * time.Hour, DirectionAck: 30 * 24 * time.Hour}}
	dry, err := db.PurgeArchive(ctx, PurgeRequest{Retention: req.Retention, DryRun: true}, nil)
	if err != nil || dry.Purged != 2 || dry.Held != 1 {
		t.Fatalf("dry run: %+v, %v", dry, err)
	}
	if e, _ := db.ArchiveEntries(ctx, ArchiveFilter{}); len(e) != 5 {
		t.Fatalf("dry run changed the archive: %d entries", len(e))
	}
	rep, err := db.PurgeArchive(ctx, req, nil)
	if err != nil || rep.Purged != 2 || rep.Held != 1 || rep.ByDirection[DirectionDSN] != 1 || rep.Bytes != int64(len(testMessage("old-dsn"))+len(testMessage("old-ack"))) {
		t.Fatalf("purge: %+v, %v", rep, err)
	}
	if again, err := db.PurgeArchive(ctx, req, nil); err != nil || again.Purged != 0 {
		t.Fatalf("second purge: %+v, %v", again, err)
	}
	entries, err := db.ArchiveEntries(ctx, ArchiveFilter{})
	if err != nil || len(entries) != 7 {
		t.Fatalf("entries: %d, %v", len(entries), err)
	}
	if entries[0].PurgedBy != 6 || entries[5].Direction != DirectionTombstone || entries[5].Purged != 1 || entries[6].Purged != 5 || entries[1].PurgedBy != 0 {
		t.Fatalf("tombstones: %+v", entries)
	}
	if _, err := db.ArchivedMessage(ctx, 1); !errors.Is(err, ErrNotFound) {
		t.Fatalf("purged message still readable: %v", err)
	}
	if uids, err := db.CaseUIDs(ctx, "J1"); err != nil || !slices.Equal(uids, []uint32{2, 4}) {
		t.Fatalf("case J1 after purge: %v, %v", uids, err)
	}
	if got := events.caseEvents("J1"); got[len(got)-1].Kind != EventExpunged || !slices.Equal(got[len(got)-1].UIDs, []uint32{1}) {
		t.Fatalf("case events %+v", got)
	}
	if err := db.view(ctx, func(tx *bolt.Tx) error {
		if tx.Bucket(bucketBlobIDs).Get(entries[0].Blob[:]) != nil {
			t.Error("purged body still stored")
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	vr, err := db.VerifyArchive(ctx, nil)
	if err != nil || vr.Entries != 7 || vr.Messages != 3 || vr.Purged != 2 {
		t.Fatalf("verify after purge: %+v, %v", vr, err)
	}

	if err := db.SetHold(ctx, "J2", false, "cli:test"); err != nil {
		t.Fatal(err)
	}
	if holds, err := db.Holds(ctx); err != nil || len(holds) != 0 {
		t.Fatalf("holds after release: %+v, %v", holds, err)
	}
	if rep, err := db.PurgeArchive(ctx, req, nil); err != nil || rep.Purged != 1 {
		t.Fatalf("purge after release: %+v, %v", rep, err)
	}
}
