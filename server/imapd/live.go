package imapd

import (
	"slices"
	"sync"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"mailnet/storage"
)

// liveMailbox is the shared, in-memory state of a mailbox that at least one
// session has selected: its UIDs in order (index+1 is the current sequence
// number) and the go-imap tracker that queues EXISTS, EXPUNGE and FETCH
// updates for each session. Storage change events keep it exact.
//
// mu is held only for short computations, never during I/O, because the
// storage committer takes it to apply events.
type liveMailbox struct {
	key     liveKey
	mu      sync.Mutex
	uids    []uint32
	tracker *imapserver.MailboxTracker
	refs    int // sessions that selected it
}

// seqOf returns the current sequence number of uid, or 0. Callers hold mu.
func (m *liveMailbox) seqOf(uid uint32) uint32 {
	i, ok := slices.BinarySearch(m.uids, uid)
	if !ok {
		return 0
	}
	return uint32(i) + 1
}

// apply updates the UID list and queues the session updates for one
// committed change. It runs on the storage committer goroutine.
func (m *liveMailbox) apply(ev storage.Event, origin *imapserver.SessionTracker) {
	m.mu.Lock()
	defer m.mu.Unlock()
	switch ev.Kind {
	case storage.EventAppended:
		for _, uid := range ev.UIDs {
			if n := len(m.uids); n > 0 && uid <= m.uids[n-1] {
				continue // already known (loaded after the commit)
			}
			m.uids = append(m.uids, uid)
			m.tracker.QueueNumMessages(uint32(len(m.uids)))
		}
	case storage.EventExpunged:
		for _, uid := range ev.UIDs {
			seq := m.seqOf(uid)
			if seq == 0 {
				continue
			}
			m.uids = slices.Delete(m.uids, int(seq-1), int(seq))
			m.tracker.QueueExpunge(seq)
		}
	case storage.EventFlags:
		for i, uid := range ev.UIDs {
			if seq := m.seqOf(uid); seq != 0 {
				m.tracker.QueueMessageFlags(seq, imap.UID(uid), toIMAPFlags(ev.Flags[i]), origin)
			}
		}
	case storage.EventMailboxDeleted:
		// To the sessions that still have it selected, the mailbox
		// empties: every message is expunged, last first so that each
		// sequence number is valid when queued (RFC 9051 §7.5.1).
		for seq := uint32(len(m.uids)); seq > 0; seq-- {
			m.tracker.QueueExpunge(seq)
		}
		m.uids = nil
	}
}

// liveKey names what a live mailbox tracks: a stored mailbox, or a
// client's case view. Sessions reading someone else's mailbox share a
// live mailbox of their own (reader), which never relays the owner's
// flag changes: a reader sees only their own \Seen marks.
type liveKey struct {
	mailbox uint64
	client  string
	reader  bool
}

// registry holds the live mailboxes of one server.
type registry struct {
	mu    sync.Mutex
	boxes map[liveKey]*liveMailbox
}

func newRegistry() *registry {
	return &registry{boxes: make(map[liveKey]*liveMailbox)}
}

// acquire returns the live state of mailbox id, creating it with load if
// no session has it selected. load runs under the registry lock so that
// no event can slip between loading and registering; the storage events of
// a commit that happened before load are skipped by apply (UIDs already
// known), those after it are applied.
func (r *registry) acquire(key liveKey, load func() ([]uint32, error)) (*liveMailbox, *imapserver.SessionTracker, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.boxes[key]
	if m == nil {
		uids, err := load()
		if err != nil {
			return nil, nil, err
		}
		m = &liveMailbox{key: key, uids: uids, tracker: imapserver.NewMailboxTracker(uint32(len(uids)))}
		r.boxes[key] = m
	}
	m.refs++
	m.mu.Lock()
	defer m.mu.Unlock()
	return m, m.tracker.NewSession(), nil
}

// release drops a session's hold on m.
func (r *registry) release(m *liveMailbox, st *imapserver.SessionTracker) {
	r.mu.Lock()
	defer r.mu.Unlock()
	m.mu.Lock()
	st.Close()
	m.mu.Unlock()
	m.refs--
	if m.refs == 0 {
		delete(r.boxes, m.key)
	}
}

// handle routes a storage event to the live mailbox it concerns.
func (r *registry) handle(ev storage.Event, origin *imapserver.SessionTracker) {
	key := liveKey{mailbox: ev.MailboxID, client: ev.Case}
	r.mu.Lock()
	owner := r.boxes[key]
	key.reader = true
	reader := r.boxes[key]
	r.mu.Unlock()
	if owner != nil {
		owner.apply(ev, origin)
	}
	if reader != nil && ev.Kind != storage.EventFlags {
		reader.apply(ev, origin)
	}
}

func toIMAPFlags(flags []string) []imap.Flag {
	out := make([]imap.Flag, len(flags))
	for i, f := range flags {
		out[i] = imap.Flag(f)
	}
	return out
}

func fromIMAPFlags(flags []imap.Flag) []string {
	out := make([]string, len(flags))
	for i, f := range flags {
		out[i] = string(f)
	}
	return out
}
