package storage

import (
	"context"
	"sync"
)

// EventKind says what changed in a mailbox.
type EventKind int

// The kinds of change events.
const (
	// EventAppended: messages were added; UIDs lists them in order.
	EventAppended EventKind = iota + 1
	// EventExpunged: messages were removed; UIDs lists them.
	EventExpunged
	// EventFlags: the flags of UIDs changed; Flags holds each one's new set.
	EventFlags
	// EventMailboxDeleted: the mailbox no longer exists (deleted or renamed
	// away); sessions that selected it must stop using it.
	EventMailboxDeleted
)

// Event describes one committed change to one mailbox or case view.
type Event struct {
	Kind      EventKind
	MailboxID uint64
	UIDs      []uint32
	// Flags is set for EventFlags: Flags[i] is the full new flag set of
	// UIDs[i].
	Flags [][]string
	// Case is set, instead of MailboxID, for a change to a client's case
	// view (CaseBox): EventAppended when a message with that client is
	// archived (UIDs holds its sequence number), EventExpunged when its
	// content is purged.
	Case string
	// Origin is the value given to WithOrigin on the context of the write
	// that caused the change, or nil.
	Origin any
}

type originKey struct{}

// WithOrigin returns a context whose writes carry origin in their events,
// so that a watcher can tell its own changes from others' (an IMAP session
// does not echo its own STORE back to itself).
func WithOrigin(ctx context.Context, origin any) context.Context {
	return context.WithValue(ctx, originKey{}, origin)
}

type watchers struct {
	mu   sync.RWMutex
	next int
	fns  map[int]func(Event)
}

// Watch registers fn to be called, in commit order, for every change
// committed after it returns. fn runs on the committer goroutine while the
// writer that caused the change still waits for its reply, so the change is
// announced before it is acknowledged; fn must be quick and must not call
// back into DB write methods. The returned function unregisters fn.
func (db *DB) Watch(fn func(Event)) (cancel func()) {
	w := &db.watchers
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.fns == nil {
		w.fns = make(map[int]func(Event))
	}
	id := w.next
	w.next++
	w.fns[id] = fn
	return func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.fns, id)
	}
}

func (w *watchers) publish(events []Event) {
	if len(events) == 0 {
		return
	}
	w.mu.RLock()
	defer w.mu.RUnlock()
	for _, ev := range events {
		for _, fn := range w.fns {
			fn(ev)
		}
	}
}
