package imapd

import (
	"context"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"mailnet/storage"
)

// messages reads messages of the selected view. On a view the session
// does not own, the owner's \Seen and \Deleted give way to the reader's
// own \Seen marks.
func (s *session) messages(uids []uint32, want storage.Want) ([]storage.Message, error) {
	v := s.sel.view
	var msgs []storage.Message
	var err error
	if v.kind == viewCase {
		msgs, err = s.srv.deps.Store.CaseMessages(s.ctx(), v.client, uids, want)
	} else {
		msgs, err = s.srv.deps.Store.Messages(s.ctx(), s.sel.box.ID, uids, want)
	}
	if err != nil || v.personal() {
		return msgs, err
	}
	seen, err := s.srv.deps.Store.SeenBy(s.ctx(), s.account.ID, v.seenKey(), uids)
	if err != nil {
		return nil, err
	}
	for i := range msgs {
		msgs[i].Flags = readerFlags(msgs[i].Flags, seen[msgs[i].UID])
	}
	return msgs, nil
}

// readerFlags is what a reader sees of the owner's flags.
func readerFlags(owner []string, seen bool) []string {
	out := make([]string, 0, len(owner)+1)
	for _, f := range owner {
		if f != storage.FlagSeen && f != string(imap.FlagDeleted) {
			out = append(out, f)
		}
	}
	if seen {
		out = append(out, storage.FlagSeen)
	}
	return out
}

// audit records in the audit log that the session read mail that is not
// its own. The entry is durable before the mail is sent; when it cannot
// be written, the read is refused.
func (s *session) audit(action string, v view, uids []uint32) error {
	_, err := s.srv.deps.Store.Audit(context.Background(), storage.AuditEntry{
		Actor: s.account.Address, Action: action, Mailbox: v.name, Owner: v.owner,
		Client: v.client, UIDs: uids, Remote: s.remote.String(),
	})
	return err
}

// copyFromCase copies messages of a case view into one of the session's
// mailboxes: the archive holds the bytes, so they are delivered anew.
func (s *session) copyFromCase(refs []msgRef, dest storage.Mailbox) (*imap.CopyData, error) {
	msgs, err := s.messages(uidsOf(refs), storage.Want{Raw: true})
	if err != nil {
		return nil, s.fail("copy", err)
	}
	if err := s.audit("copy", s.sel.view, uidsOf(refs)); err != nil {
		return nil, s.fail("copy", err)
	}
	data := &imap.CopyData{}
	for _, m := range msgs {
		rc, err := s.srv.deps.Store.Deliver(s.ctx(), storage.Incoming{Raw: m.Raw, InternalDate: m.InternalDate,
			Deliveries: []storage.Delivery{{Account: dest.Account, Mailbox: dest.Name}}})
		if err != nil {
			return nil, s.fail("copy", err)
		}
		data.UIDValidity = rc.Placed[0].UIDValidity
		data.SourceUIDs.AddNum(imap.UID(m.UID))
		data.DestUIDs.AddNum(imap.UID(rc.Placed[0].UID))
	}
	return data, nil
}

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
