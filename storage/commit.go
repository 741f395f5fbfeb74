package storage

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// maxBatch bounds how many writes share one transaction, so one commit
// never grows without limit under heavy load.
const maxBatch = 512

// writeTx is what a write function sees: the bolt transaction plus the
// change events to publish if, and only if, the transaction commits.
type writeTx struct {
	tx     *bolt.Tx
	origin any
	events []Event
}

func (w *writeTx) emit(ev Event) {
	ev.Origin = w.origin
	w.events = append(w.events, ev)
}

type writeReq struct {
	fn     func(w *writeTx) error
	origin any
	result chan error
	events []Event
}

// errSkip marks the write that failed inside a batch: the batch is rolled
// back and retried without it.
var errSkip = errors.New("storage: batch member failed")

// write runs fn inside a shared read-write transaction and returns once
// that transaction is durably committed (or fn's own error). fn may be run
// more than once if another member of its batch fails, so it must only
// touch the transaction. A cancelled ctx before enqueueing aborts; once
// queued the write runs to completion, because the caller must learn
// whether it committed.
func (db *DB) write(ctx context.Context, fn func(w *writeTx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	db.mu.Lock()
	if db.closed {
		db.mu.Unlock()
		return ErrClosed
	}
	db.inflight.Add(1)
	db.mu.Unlock()
	defer db.inflight.Done()

	req := &writeReq{fn: fn, origin: ctx.Value(originKey{}), result: make(chan error, 1)}
	db.writes <- req
	return <-req.result
}

// commitLoop is the single writer. It takes whatever writes are waiting,
// commits them together, answers them, and starts again: writes that
// arrive during a commit form the next group, so the batch size adapts to
// the load with no timer.
func (db *DB) commitLoop() {
	defer close(db.done)
	batch := make([]*writeReq, 0, maxBatch)
	for {
		var first *writeReq
		select {
		case first = <-db.writes:
		case <-db.stop:
			return
		}
		batch = append(batch[:0], first)
	drain:
		for len(batch) < maxBatch {
			select {
			case r := <-db.writes:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		db.commitBatch(batch)
	}
}

// commitBatch commits reqs in one transaction. A member whose function
// fails gets its error, and the others are committed again without it.
func (db *DB) commitBatch(reqs []*writeReq) {
	for len(reqs) > 0 {
		failed := -1
		var failErr error
		start := time.Now()
		err := db.bolt.Update(func(tx *bolt.Tx) error {
			for i, r := range reqs {
				w := &writeTx{tx: tx, origin: r.origin}
				if err := r.fn(w); err != nil {
					failed, failErr = i, err
					return errSkip
				}
				r.events = w.events
			}
			return nil
		})
		switch {
		case failed >= 0:
			reqs[failed].result <- failErr
			reqs = append(reqs[:failed:failed], reqs[failed+1:]...)
			continue
		case err != nil:
			db.log.Error("commit failed", "err", err, "writes", len(reqs))
			for _, r := range reqs {
				r.result <- err
			}
			return
		}
		if obs := db.onCommit.Load(); obs != nil {
			(*obs)(len(reqs), time.Since(start))
		}
		db.stats.commits.Add(1)
		db.stats.writes.Add(uint64(len(reqs)))
		for _, r := range reqs {
			db.watchers.publish(r.events)
			r.result <- nil
		}
		return
	}
}

// Stats counts the store's committed work since Open.
type Stats struct {
	// Commits is the number of durable transactions (one fsync pair each).
	Commits uint64
	// Writes is the number of write calls they carried; Writes/Commits is
	// the mean group size.
	Writes uint64
}

type commitStats struct {
	commits, writes atomic.Uint64
}

// ObserveCommits makes fn receive, after each durable commit, the number
// of writes it carried and how long its transaction took, fsync included
// (a batch retried without a failed member is timed from its last try).
// fn runs on the single writer between the commit and the answers to the
// writers, so it must be quick and must not call the store. A later call
// replaces fn; nil stops the calls. Safe to call at any time.
func (db *DB) ObserveCommits(fn func(writes int, d time.Duration)) {
	if fn == nil {
		db.onCommit.Store(nil)
		return
	}
	db.onCommit.Store(&fn)
}

// Stats returns the commit counters.
func (db *DB) Stats() Stats {
	return Stats{Commits: db.stats.commits.Load(), Writes: db.stats.writes.Load()}
}
