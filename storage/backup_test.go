package storage

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// TestBackupWhileDelivering copies the store while deliveries go on: the
// copy opens as a store, and holds whole deliveries only (every mailbox
// counter agrees with the records it has).
func TestBackupWhileDelivering(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	a := newTestAccount(t, db, "a@mailnet.test")
	b := newTestAccount(t, db, "b@mailnet.test")
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 50 {
				in := Incoming{Raw: testMessage(fmt.Sprint(w, "-", i)), Deliveries: []Delivery{{Account: a.ID, Mailbox: "INBOX"}, {Account: b.ID, Mailbox: "INBOX"}}}
				if _, err := db.Deliver(ctx, in); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	if _, err := db.BackupFile(ctx, path); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if info, err := os.Stat(path); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("backup file: %v, %v", info, err)
	}
	cp, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	ma := mustMailbox(t, cp, a.ID, "INBOX")
	mb := mustMailbox(t, cp, b.ID, "INBOX")
	uids, err := cp.UIDs(ctx, ma.ID)
	if err != nil {
		t.Fatal(err)
	}
	if ma.Messages != mb.Messages || int(ma.Messages) != len(uids) {
		t.Fatalf("copy holds a partial delivery: a %d (%d records), b %d", ma.Messages, len(uids), mb.Messages)
	}
	msgs, err := cp.Messages(ctx, ma.ID, uids, Want{Raw: true, Summary: true})
	if err != nil || len(msgs) != len(uids) {
		t.Fatalf("reading the copy: %d, %v", len(msgs), err)
	}
	for _, m := range msgs {
		if len(m.Raw) == 0 || len(m.Summary) == 0 {
			t.Fatalf("uid %d lost its body in the copy", m.UID)
		}
	}
}
