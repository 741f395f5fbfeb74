package imapd

import (
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"mailnet/storage"
)

// Select opens a mailbox (SELECT, or EXAMINE with options.ReadOnly).
func (s *session) Select(name string, options *imap.SelectOptions) (*imap.SelectData, error) {
	s.unselect()
	ctx := s.ctx()
	v, err := s.lookup(ctx, name)
	if err != nil {
		return nil, s.fail("select", err)
	}
	box := v.box
	key, load := liveKey{mailbox: box.ID, reader: !v.personal()}, func() ([]uint32, error) { return s.srv.deps.Store.UIDs(ctx, box.ID) }
	if v.kind == viewCase {
		key, load = liveKey{client: v.client, reader: true}, func() ([]uint32, error) { return s.srv.deps.Store.CaseUIDs(ctx, v.client) }
	}
	live, tracker, err := s.srv.live.acquire(key, load)
	if err != nil {
		return nil, s.fail("select", err)
	}
	s.sel = &selection{view: v, box: box, live: live, tracker: tracker, readOnly: options != nil && options.ReadOnly}
	if v.foreign() {
		if err := s.audit("select", v, nil); err != nil {
			s.unselect()
			return nil, s.fail("select", err)
		}
	}
	// Counters are read again now that the session is registered, so no
	// change falls between the snapshot and the tracker.
	if !v.personal() {
		s.pruneMarks(live)
	}
	live.mu.Lock()
	n := uint32(len(live.uids))
	uidNext := box.UIDNext
	if n > 0 && live.uids[n-1] >= uidNext {
		uidNext = live.uids[n-1] + 1
	}
	live.mu.Unlock()
	first, err := s.firstUnseen()
	if err != nil {
		return nil, s.fail("select", err)
	}
	perm := []imap.Flag{imap.FlagSeen, imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagDraft, imap.FlagWildcard}
	switch {
	case s.sel.readOnly:
		perm = nil
	case !v.personal():
		perm = []imap.Flag{imap.FlagSeen} // the reader's own marks
	}
	return &imap.SelectData{
		Flags:             []imap.Flag{imap.FlagSeen, imap.FlagAnswered, imap.FlagFlagged, imap.FlagDeleted, imap.FlagDraft, "$Forwarded", "$Junk", "$NotJunk"},
		PermanentFlags:    perm,
		NumMessages:       n,
		FirstUnseenSeqNum: first,
		UIDNext:           imap.UID(uidNext),
		UIDValidity:       box.UIDValidity,
	}, nil
}

// firstUnseen returns the session sequence number of the first message
// without \Seen, for IMAP4rev1's UNSEEN response code.
func (s *session) firstUnseen() (uint32, error) {
	if s.sel.view.personal() && s.sel.box.Unseen == 0 {
		return 0, nil
	}
	refs := s.resolveAll()
	for start := 0; start < len(refs); start += fetchChunk {
		chunk := refs[start:min(start+fetchChunk, len(refs))]
		msgs, err := s.messages(uidsOf(chunk), storage.Want{})
		if err != nil {
			return 0, err
		}
		bySeq := seqByUID(chunk)
		for _, m := range msgs {
			if !hasFlag(m.Flags, storage.FlagSeen) {
				return bySeq[m.UID], nil
			}
		}
	}
	return 0, nil
}

// Unselect leaves the selected state (UNSELECT, or after CLOSE).
func (s *session) Unselect() error {
	s.unselect()
	return nil
}

func (s *session) unselect() {
	if s.sel == nil {
		return
	}
	s.srv.live.release(s.sel.live, s.sel.tracker)
	s.sel = nil
}

// Poll writes pending updates (NOOP, and after most commands).
func (s *session) Poll(w *imapserver.UpdateWriter, allowExpunge bool) error {
	if s.sel == nil {
		return nil
	}
	return s.sel.tracker.Poll(w, allowExpunge)
}

// Idle streams updates until stop is closed (RFC 2177).
func (s *session) Idle(w *imapserver.UpdateWriter, stop <-chan struct{}) error {
	if s.sel == nil {
		<-stop
		return nil
	}
	return s.sel.tracker.Idle(w, stop)
}

func hasFlag(flags []string, f string) bool {
	for _, g := range flags {
		if g == f {
			return true
		}
	}
	return false
}

// pruneMarks drops the reader's \Seen marks on messages of the view that
// are gone, so marks do not pile up as owners expunge.
func (s *session) pruneMarks(live *liveMailbox) {
	live.mu.Lock()
	uids := slices.Clone(live.uids)
	live.mu.Unlock()
	if _, err := s.srv.deps.Store.PruneSeenBy(s.ctx(), s.account.ID, s.sel.view.seenKey(), uids); err != nil {
		s.log.Warn("prune read marks", "mailbox", s.sel.view.name, "err", err)
	}
}
