package queue

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"mailnet/storage"
)

// runWorker starts w.Run and returns a function that stops it and checks
// that it returned context.Canceled after its deliveries.
func runWorker(t *testing.T, w *Worker) (stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(ctx) }()
	return func() {
		t.Helper()
		cancel()
		if err := recv(t, "Run to return", done); !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v", err)
		}
	}
}

// TestRunSkipsEntriesNotDue checks that Run leaves alone an entry whose
// NextAttempt is in the future, then delivers it once due.
func TestRunSkipsEntriesNotDue(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mx := startMX(t, "mx1.example.org", mxOptions{})
	e.mx("example.org", net.MX{Host: "mx1.example.org.", Pref: 10})
	e.host("mx1.example.org", "192.0.2.1", mx)
	id := e.enqueue(sender, "jean@example.org")
	if _, err := e.db.UpdateQueue(context.Background(), id, func(q *storage.QueueEntry) error {
		q.NextAttempt = e.clock.Now().Add(time.Hour)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	spy := newSpy(e.db)
	spy.scans = make(chan struct{}, 100)
	spy.finished = make(chan uint64, 1)
	w := e.workerWith(Config{}, spy)

	stop := runWorker(t, w)
	recv(t, "first scan", spy.scans)
	w.Kick()
	recv(t, "scan after Kick", spy.scans)
	stop() // waits for any delivery started

	if n := spy.readsOf(id); n != 0 {
		t.Fatalf("entry not due was read %d times", n)
	}
	if d := e.net.dialed(); len(d) != 0 {
		t.Fatalf("dialed %v", d)
	}

	e.clock.Advance(time.Hour)
	stop = runWorker(t, w)
	if got := recv(t, "delivery", spy.finished); got != id {
		t.Errorf("finished entry %d, want %d", got, id)
	}
	stop()
	mustOne(t, "messages", mx.messages())
}

// TestRunConcurrency checks that Run delivers at most Concurrency entries
// at once, delivers them all, and refuses DeliverNow for an entry it is
// delivering.
func TestRunConcurrency(t *testing.T) {
	t.Parallel()
	const entries, limit = 6, 2
	e := newEnv(t)
	entered := make(chan struct{}, entries)
	hold := make(chan struct{})
	mx := startMX(t, "mx1.example.org", mxOptions{entered: entered, hold: hold})
	e.mx("example.org", net.MX{Host: "mx1.example.org.", Pref: 10})
	e.host("mx1.example.org", "192.0.2.1", mx)
	var ids []uint64
	for range entries {
		ids = append(ids, e.enqueue(sender, "jean@example.org"))
	}
	spy := newSpy(e.db)
	spy.finished = make(chan uint64, entries)
	w := e.workerWith(Config{Concurrency: limit}, spy)

	stop := runWorker(t, w)
	defer stop()
	for range limit {
		recv(t, "a delivery to reach DATA", entered)
	}
	// Both slots are held, by the first entries (equally due, they go
	// in ID order).
	for _, id := range ids[:limit] {
		if err := w.DeliverNow(context.Background(), id); !errors.Is(err, ErrBusy) {
			t.Errorf("DeliverNow(%d) during its delivery = %v, want ErrBusy", id, err)
		}
	}
	close(hold)
	done := make(map[uint64]bool)
	for len(done) < entries {
		done[recv(t, "deliveries", spy.finished)] = true
	}
	mx.mu.Lock()
	maxInflight := mx.maxInflight
	mx.mu.Unlock()
	if maxInflight != limit {
		t.Errorf("%d transactions at once, want %d", maxInflight, limit)
	}
}

// TestDeliverNowMissing checks the error for an entry that does not exist.
func TestDeliverNowMissing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if err := e.worker(Config{}).DeliverNow(context.Background(), 999); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("DeliverNow(999) = %v, want ErrNotFound", err)
	}
}
