package storage

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
)

func TestDeliverToSeveralMailboxesStoresBodyOnce(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	a := newTestAccount(t, db, "a@mailnet.test")
	b := newTestAccount(t, db, "b@mailnet.test")
	raw := testMessage("hello")
	rc, err := db.Deliver(ctx, Incoming{Raw: raw, Deliveries: []Delivery{
		{Account: a.ID, Mailbox: "INBOX"},
		{Account: b.ID, Mailbox: "INBOX", Flags: []string{FlagSeen}},
		{Account: b.ID, Mailbox: "Substitute/a"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rc.Placed) != 3 || rc.Placed[0].UID != 1 || rc.Placed[1].UID != 1 {
		t.Fatalf("receipt = %+v", rc)
	}
	if m := mustMailbox(t, db, b.ID, "INBOX"); m.Messages != 1 || m.Unseen != 0 || m.UIDNext != 2 {
		t.Fatalf("b INBOX = %+v", m)
	}
	if m := mustMailbox(t, db, b.ID, "Substitute/a"); m.Messages != 1 || m.Unseen != 1 {
		t.Fatalf("created mailbox = %+v", m)
	}
	msgs, err := db.Messages(ctx, rc.Placed[0].MailboxID, []uint32{1}, Want{Summary: true, Raw: true})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("Messages = %v, %v", msgs, err)
	}
	if string(msgs[0].Raw) != string(raw) || len(msgs[0].Summary) == 0 || msgs[0].Size != int64(len(raw)) {
		t.Fatalf("message = %+v", msgs[0])
	}
	if n := countBlobs(t, db); n != 1 {
		t.Fatalf("%d blobs stored, want 1", n)
	}
}

// countBlobs returns the number of stored bodies, checking that the three
// body buckets agree.
func countBlobs(t testing.TB, db *DB) int {
	t.Helper()
	var info, ids, bodies int
	if err := db.bolt.View(func(tx *boltTx) error {
		info = tx.Bucket(bucketBlobInfo).Stats().KeyN
		ids = tx.Bucket(bucketBlobIDs).Stats().KeyN
		return tx.Bucket(bucketBlobs).ForEach(func(_, _ []byte) error {
			bodies++
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	if info != ids || info != bodies {
		t.Fatalf("body buckets disagree: %d info, %d ids, %d bodies", info, ids, bodies)
	}
	return info
}

func TestDeliverFailureStoresNothing(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	a := newTestAccount(t, db, "a@mailnet.test")
	_, err := db.Deliver(ctx, Incoming{Raw: testMessage("x"), Deliveries: []Delivery{
		{Account: a.ID, Mailbox: "INBOX"},
		{Account: 999, Mailbox: "INBOX"},
	}})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	if m := mustMailbox(t, db, a.ID, "INBOX"); m.Messages != 0 || m.UIDNext != 1 {
		t.Fatalf("half-stored delivery: %+v", m)
	}
	if n := countBlobs(t, db); n != 0 {
		t.Fatalf("%d blobs left behind", n)
	}
}

// TestConcurrentDeliveriesShareCommits checks that group commit neither
// loses nor duplicates writes, and that one failing write does not take
// its batch down with it.
func TestConcurrentDeliveriesShareCommits(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	a := newTestAccount(t, db, "a@mailnet.test")
	const n = 200
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			d := Delivery{Account: a.ID, Mailbox: "INBOX"}
			if i%10 == 0 {
				d.Account = 12345 // fails inside its batch
			}
			_, errs[i] = db.Deliver(ctx, Incoming{Raw: testMessage(fmt.Sprint("m", i)), Deliveries: []Delivery{d}})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if (i%10 == 0) != (err != nil) {
			t.Fatalf("delivery %d: err = %v", i, err)
		}
	}
	m := mustMailbox(t, db, a.ID, "INBOX")
	if m.Messages != n-n/10 || m.UIDNext != n-n/10+1 {
		t.Fatalf("INBOX = %+v", m)
	}
	uids, err := db.UIDs(ctx, m.ID)
	if err != nil || len(uids) != n-n/10 {
		t.Fatalf("UIDs = %d, %v", len(uids), err)
	}
	// Shared commits: far fewer fsyncs than deliveries.
	st := db.Stats()
	t.Logf("%d writes in %d commits", st.Writes, st.Commits)
	if st.Commits >= uint64(n-n/10) {
		t.Fatalf("%d commits for %d deliveries: writes were not grouped", st.Commits, n-n/10)
	}
}

func TestDataSurvivesReopenAndUIDsAreNotReused(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "mailnet.db")
	ctx := context.Background()
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	a := newTestAccount(t, db, "a@mailnet.test")
	inbox := mustMailbox(t, db, a.ID, "INBOX")
	for i := range 3 {
		if _, err := db.Deliver(ctx, Incoming{Raw: testMessage(fmt.Sprint(i)), Deliveries: []Delivery{{Account: a.ID, Mailbox: "INBOX"}}}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.StoreFlags(ctx, inbox.ID, []uint32{2}, FlagsAdd, []string{FlagFlagged, "$Important"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Expunge(ctx, inbox.ID, []uint32{3}); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	msgs, err := db.Messages(ctx, inbox.ID, []uint32{1, 2, 3}, Want{})
	if err != nil || len(msgs) != 2 {
		t.Fatalf("after reopen: %v, %v", msgs, err)
	}
	if fmt.Sprint(msgs[1].Flags) != `[\Flagged $Important]` {
		t.Fatalf("flags lost: %v", msgs[1].Flags)
	}
	rc, err := db.Deliver(ctx, Incoming{Raw: testMessage("new"), Deliveries: []Delivery{{Account: a.ID, Mailbox: "INBOX"}}})
	if err != nil {
		t.Fatal(err)
	}
	if rc.Placed[0].UID != 4 || rc.Placed[0].UIDValidity != inbox.UIDValidity {
		t.Fatalf("UID reused or validity changed: %+v", rc.Placed[0])
	}
}

func TestOpenFailsWhileLocked(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	if _, err := Open(db.Path(), Options{LockTimeout: 50e6}); err == nil {
		t.Fatal("second Open of a locked file succeeded")
	}
}

func TestDeliverQueuesOutbound(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	a := newTestAccount(t, db, "a@mailnet.test")
	rc, err := db.Deliver(ctx, Incoming{Raw: testMessage("out"),
		Deliveries: []Delivery{{Account: a.ID, Mailbox: "INBOX"}},
		Outbound:   &Outbound{From: "a@mailnet.test", To: []string{"x@example.org"}}})
	if err != nil {
		t.Fatal(err)
	}
	q, err := db.Queue(ctx)
	if err != nil || len(q) != 1 || q[0].ID != rc.QueueID || q[0].Recipients[0].Address != "x@example.org" || q[0].Recipients[0].State != RecipientPending || q[0].Blob != rc.Blob {
		t.Fatalf("queue = %+v, %v", q, err)
	}
	// The queue holds its own reference: expunging the local copy keeps the body.
	if _, err := db.Expunge(ctx, rc.Placed[0].MailboxID, []uint32{1}); err != nil {
		t.Fatal(err)
	}
	if n := countBlobs(t, db); n != 1 {
		t.Fatalf("queued body deleted with the mailbox copy")
	}
}

func TestVerdictKeptWithBody(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	a := newTestAccount(t, db, "a@mailnet.test")
	verdict := []byte(`{"dmarc":"pass"}`)
	rc, err := db.Deliver(ctx, Incoming{Raw: testMessage("v"), Verdict: verdict, Deliveries: []Delivery{{Account: a.ID, Mailbox: "INBOX"}}})
	if err != nil {
		t.Fatal(err)
	}
	p := rc.Placed[0]
	got, err := db.Verdict(ctx, p.MailboxID, p.UID)
	if err != nil || string(got) != string(verdict) {
		t.Fatalf("Verdict = %q, %v", got, err)
	}
	if _, err := db.Expunge(ctx, p.MailboxID, []uint32{p.UID}); err != nil {
		t.Fatal(err)
	}
	var left int
	db.bolt.View(func(tx *boltTx) error {
		left = tx.Bucket(bucketVerdicts).Stats().KeyN
		return nil
	})
	if left != 0 {
		t.Fatalf("%d verdicts left after the body went", left)
	}
}

// TestDeliverRemovesInSameTransaction: Incoming.Remove expunges in the
// delivery's transaction, and a failed delivery removes nothing.
func TestDeliverRemovesInSameTransaction(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	a := newTestAccount(t, db, "chef@pes.test")
	b := newTestAccount(t, db, "ana@pes.test")
	raw := testMessage("dispatch")
	rc, err := db.Deliver(ctx, Incoming{Raw: raw, Deliveries: []Delivery{{Account: a.ID, Mailbox: "Dispatch/T"}}})
	if err != nil {
		t.Fatal(err)
	}
	from := rc.Placed[0]
	remove := []Removal{{Mailbox: from.MailboxID, UIDs: []uint32{from.UID}}}
	if _, err := db.Deliver(ctx, Incoming{Raw: raw, Deliveries: []Delivery{{Account: b.ID, Mailbox: "bad\x00name"}}, Remove: remove}); err == nil {
		t.Fatal("delivery to an invalid mailbox succeeded")
	}
	if uids, _ := db.UIDs(ctx, from.MailboxID); len(uids) != 1 {
		t.Fatalf("failed delivery removed the source: %v", uids)
	}
	if _, err := db.Deliver(ctx, Incoming{Raw: raw, Deliveries: []Delivery{{Account: b.ID, Mailbox: "INBOX"}}, Remove: remove}); err != nil {
		t.Fatal(err)
	}
	if uids, _ := db.UIDs(ctx, from.MailboxID); len(uids) != 0 {
		t.Fatalf("source still holds %v", uids)
	}
	if m := mustMailbox(t, db, b.ID, "INBOX"); m.Messages != 1 {
		t.Fatalf("destination holds %d messages", m.Messages)
	}
	if m := mustMailbox(t, db, a.ID, "Dispatch/T"); m.Messages != 0 || m.Size != 0 {
		t.Fatalf("source counters %+v", m)
	}
}
