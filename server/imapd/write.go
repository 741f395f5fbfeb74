package imapd

import (
	"errors"
	"io"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"mailnet/storage"
)

var storeOps = map[imap.StoreFlagsOp]storage.FlagOp{
	imap.StoreFlagsSet: storage.FlagsSet,
	imap.StoreFlagsAdd: storage.FlagsAdd,
	imap.StoreFlagsDel: storage.FlagsRemove,
}

// Store changes flags (STORE, UID STORE). Other sessions learn of the
// change through the tracker; this one gets the FETCH here unless SILENT.
func (s *session) Store(w *imapserver.FetchWriter, numSet imap.NumSet, flags *imap.StoreFlags, _ *imap.StoreOptions) error {
	if s.sel.readOnly {
		return errReadOnly
	}
	refs := s.resolve(numSet)
	if len(refs) == 0 {
		return nil
	}
	changes, err := s.srv.deps.Store.StoreFlags(s.ctx(), s.sel.box.ID, uidsOf(refs), storeOps[flags.Op], fromIMAPFlags(flags.Flags))
	if err != nil {
		return s.fail("store", err)
	}
	if flags.Silent {
		return nil
	}
	_, byUID := numSet.(imap.UIDSet)
	bySeq := seqByUID(refs)
	for _, c := range changes {
		rw := w.CreateMessage(bySeq[c.UID])
		if byUID {
			rw.WriteUID(imap.UID(c.UID))
		}
		rw.WriteFlags(toIMAPFlags(c.Flags))
		if err := rw.Close(); err != nil {
			return err
		}
	}
	return nil
}

// destination finds the target mailbox of COPY, MOVE or APPEND; a missing
// one gets TRYCREATE (RFC 9051 §6.3.12).
func (s *session) destination(name string) (storage.Mailbox, error) {
	box, err := s.srv.deps.Store.Mailbox(s.ctx(), s.account.ID, name)
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrInvalidName) {
		return box, errTryCreate
	}
	if err != nil {
		return box, s.fail("mailbox", err)
	}
	return box, nil
}

// Copy copies messages into another mailbox, answering COPYUID.
func (s *session) Copy(numSet imap.NumSet, dest string) (*imap.CopyData, error) {
	box, err := s.destination(dest)
	if err != nil {
		return nil, err
	}
	refs := s.resolve(numSet)
	t, err := s.srv.deps.Store.CopyMessages(s.ctx(), s.sel.box.ID, uidsOf(refs), box.ID)
	if err != nil {
		return nil, s.fail("copy", err)
	}
	return copyData(t), nil
}

// Move moves messages atomically (RFC 6851). The EXPUNGE responses reach
// this session through its tracker, written by the poll that precedes the
// tagged OK.
func (s *session) Move(w *imapserver.MoveWriter, numSet imap.NumSet, dest string) error {
	if s.sel.readOnly {
		return errReadOnly
	}
	box, err := s.destination(dest)
	if err != nil {
		return err
	}
	if box.ID == s.sel.box.ID {
		return errSameMailbox
	}
	refs := s.resolve(numSet)
	t, err := s.srv.deps.Store.MoveMessages(s.ctx(), s.sel.box.ID, uidsOf(refs), box.ID)
	if err != nil {
		return s.fail("move", err)
	}
	if len(t.Source) == 0 {
		return nil
	}
	return w.WriteCopyData(copyData(t))
}

func copyData(t storage.Transfer) *imap.CopyData {
	d := &imap.CopyData{UIDValidity: t.UIDValidity}
	d.SourceUIDs.AddNum(toUIDs(t.Source)...)
	d.DestUIDs.AddNum(toUIDs(t.Dest)...)
	return d
}

// Expunge removes \Deleted messages (EXPUNGE, UID EXPUNGE, CLOSE). On a
// mailbox opened read-only it does nothing: go-imap also calls it for CLOSE
// after EXAMINE, which must not expunge (RFC 9051 §6.4.1). The EXPUNGE
// responses come from the tracker.
func (s *session) Expunge(_ *imapserver.ExpungeWriter, uids *imap.UIDSet) error {
	if s.sel.readOnly {
		return nil
	}
	var only []uint32
	if uids != nil {
		refs := s.resolve(*uids)
		if len(refs) == 0 {
			return nil
		}
		only = uidsOf(refs)
	}
	if _, err := s.srv.deps.Store.ExpungeDeleted(s.ctx(), s.sel.box.ID, only); err != nil {
		return s.fail("expunge", err)
	}
	return nil
}

// Append stores a message given by the client (APPEND). OK is sent only
// after the message is durably committed. go-imap has already refused a
// literal over AppendLimit, and discards what Append leaves unread.
func (s *session) Append(mailbox string, r imap.LiteralReader, options *imap.AppendOptions) (*imap.AppendData, error) {
	box, err := s.destination(mailbox)
	if err != nil {
		return nil, err
	}
	raw := make([]byte, r.Size())
	if _, err := io.ReadFull(r, raw); err != nil {
		return nil, err
	}
	in := storage.Incoming{
		Raw:          raw,
		InternalDate: options.Time,
		Deliveries:   []storage.Delivery{{Account: s.account.ID, Mailbox: box.Name, Flags: fromIMAPFlags(options.Flags)}},
	}
	rc, err := s.srv.deps.Store.Deliver(s.ctx(), in)
	if err != nil {
		return nil, s.fail("append", err)
	}
	p := rc.Placed[0]
	return &imap.AppendData{UID: imap.UID(p.UID), UIDValidity: p.UIDValidity}, nil
}
