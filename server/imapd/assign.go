package imapd

import (
	"slices"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"mailnet/routing"
	"mailnet/storage"
)

// storeSeen changes the reader's own \Seen marks on a view they do not
// own, the only flag they may set there.
func (s *session) storeSeen(w *imapserver.FetchWriter, numSet imap.NumSet, refs []msgRef, flags *imap.StoreFlags) error {
	seen := false
	for _, f := range flags.Flags {
		if f != imap.FlagSeen {
			return errNoPerm
		}
		seen = true
	}
	if flags.Op == imap.StoreFlagsDel {
		if !seen {
			return nil
		}
		seen = false
	}
	if flags.Op == imap.StoreFlagsAdd && !seen {
		return nil
	}
	uids := uidsOf(refs)
	if err := s.srv.deps.Store.SetSeenBy(s.ctx(), s.account.ID, s.sel.view.seenKey(), uids, seen); err != nil {
		return s.fail("store", err)
	}
	if flags.Silent {
		return nil
	}
	msgs, err := s.messages(uids, storage.Want{})
	if err != nil {
		return s.fail("store", err)
	}
	_, byUID := numSet.(imap.UIDSet)
	bySeq := seqByUID(refs)
	for _, m := range msgs {
		rw := w.CreateMessage(bySeq[m.UID])
		if byUID {
			rw.WriteUID(imap.UID(m.UID))
		}
		rw.WriteFlags(toIMAPFlags(m.Flags))
		if err := rw.Close(); err != nil {
			return err
		}
	}
	return nil
}

// assign files messages of a team's dispatch mailbox into the INBOX of
// one of the team's counsellors (dest), as a manager of that team: each
// gets an X-Mailnet-Route field naming who assigned it; a move also takes
// it out of every manager's copy of the dispatch mailbox. The delivery and
// the removal are two transactions: a crash between them leaves the
// message in both places, never in neither.
func (s *session) assign(dest view, refs []msgRef, move bool) (*imap.CopyData, error) {
	if s.sel.view.kind != viewOwn || s.sel.box.Name != routing.DispatchFolder(dest.team) {
		return nil, errNoPerm
	}
	ctx := s.ctx()
	counsellor, err := s.srv.deps.Store.Account(ctx, dest.owner)
	if err != nil {
		return nil, s.fail("assign", err)
	}
	msgs, err := s.srv.deps.Store.Messages(ctx, s.sel.box.ID, uidsOf(refs), storage.Want{Raw: true})
	if err != nil {
		return nil, s.fail("assign", err)
	}
	data := &imap.CopyData{}
	var blobs []storage.Hash
	for _, m := range msgs {
		target := routing.Target{Address: counsellor.Address, Account: counsellor, Mailbox: "INBOX", Route: routing.RouteAssigned,
			Reason: "assigned from " + s.sel.box.Name + " by " + s.account.Address}
		raw := append([]byte(routing.RouteHeader([]routing.Target{target})), m.Raw...)
		rc, err := s.srv.deps.Store.Deliver(ctx, storage.Incoming{Raw: raw, InternalDate: m.InternalDate,
			Deliveries: []storage.Delivery{{Account: counsellor.ID, Mailbox: "INBOX"}}})
		if err != nil {
			return nil, s.fail("assign", err)
		}
		p := rc.Placed[0]
		data.UIDValidity = p.UIDValidity
		data.SourceUIDs.AddNum(imap.UID(m.UID))
		data.DestUIDs.AddNum(imap.UID(p.UID))
		blobs = append(blobs, m.Blob)
		s.log.Info("message assigned", "uid", m.UID, "to", counsellor.Address, "team", dest.team)
	}
	if move && len(blobs) > 0 {
		if err := s.undispatch(dest.team, blobs); err != nil {
			return nil, s.fail("assign", err)
		}
	}
	return data, nil
}

// undispatch removes the messages with the given bodies from every
// manager's dispatch mailbox of team.
func (s *session) undispatch(team string, blobs []storage.Hash) error {
	ctx := s.ctx()
	t, err := s.srv.deps.Store.Team(ctx, team)
	if err != nil {
		return err
	}
	for _, mgr := range t.Managers {
		acc, err := s.srv.deps.Store.Account(ctx, mgr)
		if err != nil {
			continue
		}
		box, err := s.srv.deps.Store.Mailbox(ctx, acc.ID, routing.DispatchFolder(team))
		if err != nil {
			continue
		}
		uids, err := s.srv.deps.Store.UIDs(ctx, box.ID)
		if err != nil {
			return err
		}
		msgs, err := s.srv.deps.Store.Messages(ctx, box.ID, uids, storage.Want{})
		if err != nil {
			return err
		}
		var gone []uint32
		for _, m := range msgs {
			if slices.Contains(blobs, m.Blob) {
				gone = append(gone, m.UID)
			}
		}
		if len(gone) == 0 {
			continue
		}
		if _, err := s.srv.deps.Store.StoreFlags(ctx, box.ID, gone, storage.FlagsAdd, []string{string(imap.FlagDeleted)}); err != nil {
			return err
		}
		if _, err := s.srv.deps.Store.ExpungeDeleted(ctx, box.ID, gone); err != nil {
			return err
		}
	}
	return nil
}
