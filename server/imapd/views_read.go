package imapd

import (
	"github.com/emersion/go-imap/v2"

	"mailnet/storage"
)

// messages reads messages of the selected view. On a view the session
// does not own, the owner's \Seen and \Deleted give way to the reader's
// own \Seen marks.
func (s *session) messages(uids []uint32, want storage.Want) ([]storage.Message, error) {
	v := s.sel.view
	msgs, err := s.srv.deps.Store.Messages(s.ctx(), s.sel.box.ID, uids, want)
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

// audit records that the session read mail that is not its own.
func (s *session) audit(action string, v view, uids []uint32) {
	s.log.Info("audit", "action", action, "mailbox", v.name, "owner", v.owner, "client", v.client, "uids", len(uids))
}
