package storage

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestObserveCommits: the observer sees every durable commit once, with
// the writes it carried (failed members excluded), and nothing after it
// is removed.
func TestObserveCommits(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	a := newTestAccount(t, db, "a@mailnet.test")
	var mu sync.Mutex
	var calls, writes int
	var negative bool
	db.ObserveCommits(func(n int, d time.Duration) {
		mu.Lock()
		defer mu.Unlock()
		calls++
		writes += n
		negative = negative || d < 0
	})
	before := db.Stats()
	const n = 50
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			d := Delivery{Account: a.ID, Mailbox: "INBOX"}
			if i%5 == 0 {
				d.Account = 999 // fails, and is left out of its batch
			}
			if _, err := db.Deliver(ctx, Incoming{Raw: testMessage(fmt.Sprint("m", i)), Deliveries: []Delivery{d}}); (err != nil) != (i%5 == 0) {
				t.Errorf("delivery %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	after := db.Stats()
	mu.Lock()
	if calls != int(after.Commits-before.Commits) || writes != n-n/5 || negative {
		t.Errorf("observed %d commits of %d writes (negative duration: %v); want %d commits of %d writes",
			calls, writes, negative, after.Commits-before.Commits, n-n/5)
	}
	mu.Unlock()

	db.ObserveCommits(nil)
	newTestAccount(t, db, "b@mailnet.test")
	mu.Lock()
	defer mu.Unlock()
	if writes != n-n/5 {
		t.Fatalf("observer called after ObserveCommits(nil): %d writes", writes)
	}
}
