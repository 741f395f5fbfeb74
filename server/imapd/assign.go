package imapd

import (
	"errors"

	"github.com/emersion/go-imap/v2"

	"mailnet/routing"
	"mailnet/storage"
)

// assign files messages of a team's dispatch mailbox into the INBOX of
// one of the team's counsellors (dest), as a manager of that team: each
// gets an X-Mailnet-Route field naming who assigned it; a move also takes
// it out of every manager's copy of the dispatch mailbox, in the
// transaction that delivers it.
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
	var copies map[storage.Hash][]storage.Removal
	if move {
		if copies, err = s.dispatchCopies(dest.team); err != nil {
			return nil, s.fail("assign", err)
		}
	}
	data := &imap.CopyData{}
	for _, m := range msgs {
		target := routing.Target{Address: counsellor.Address, Account: counsellor, Mailbox: "INBOX", Route: routing.RouteAssigned,
			Reason: "assigned from " + s.sel.box.Name + " by " + s.account.Address}
		raw := append([]byte(routing.RouteHeader([]routing.Target{target})), m.Raw...)
		rc, err := s.srv.deps.Store.Deliver(ctx, storage.Incoming{Raw: raw, InternalDate: m.InternalDate,
			Deliveries: []storage.Delivery{{Account: counsellor.ID, Mailbox: "INBOX"}}, Remove: copies[m.Blob]})
		if err != nil {
			return nil, s.fail("assign", err)
		}
		p := rc.Placed[0]
		data.UIDValidity = p.UIDValidity
		data.SourceUIDs.AddNum(imap.UID(m.UID))
		data.DestUIDs.AddNum(imap.UID(p.UID))
		s.log.Info("message assigned", "uid", m.UID, "to", counsellor.Address, "team", dest.team, "moved", move)
	}
	return data, nil
}

// dispatchCopies finds, by body, the messages of every manager's dispatch
// mailbox of team.
func (s *session) dispatchCopies(team string) (map[storage.Hash][]storage.Removal, error) {
	ctx := s.ctx()
	t, err := s.srv.deps.Store.Team(ctx, team)
	if err != nil {
		return nil, err
	}
	out := map[storage.Hash][]storage.Removal{}
	for _, mgr := range t.Managers {
		acc, err := s.srv.deps.Store.Account(ctx, mgr)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		box, err := s.srv.deps.Store.Mailbox(ctx, acc.ID, routing.DispatchFolder(team))
		if errors.Is(err, storage.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		uids, err := s.srv.deps.Store.UIDs(ctx, box.ID)
		if err != nil {
			return nil, err
		}
		msgs, err := s.srv.deps.Store.Messages(ctx, box.ID, uids, storage.Want{})
		if err != nil {
			return nil, err
		}
		for _, m := range msgs {
			out[m.Blob] = append(out[m.Blob], storage.Removal{Mailbox: box.ID, UIDs: []uint32{m.UID}})
		}
	}
	return out, nil
}
