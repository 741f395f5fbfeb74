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
	if !s.sel.view.personal() {
		return s.storeSeen(w, numSet, refs, flags)
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

// destination finds the target mailbox of COPY, MOVE or APPEND, which
// needs the insert right; a missing one gets TRYCREATE (RFC 9051
// §6.3.12), unless it lies in a shared tree.
func (s *session) destination(name string) (view, error) {
	v, err := s.lookup(s.ctx(), name)
	if errors.Is(err, storage.ErrNotFound) || errors.Is(err, storage.ErrInvalidName) {
		if reserved(name) {
			return v, errNoPerm
		}
		return v, errTryCreate
	}
	if err != nil {
		return v, s.fail("mailbox", err)
	}
	if !v.rights.Has("i") {
		return v, errNoPerm
	}
	return v, nil
}

// Copy copies messages into another mailbox, answering COPYUID.
func (s *session) Copy(numSet imap.NumSet, dest string) (*imap.CopyData, error) {
	v, err := s.destination(dest)
	if err != nil {
		return nil, err
	}
	refs := s.resolve(numSet)
	if v.kind == viewShared {
		return s.assign(v, refs, false)
	}
	if s.sel.view.kind == viewCase {
		return s.copyFromCase(refs, v.box)
	}
	t, err := s.srv.deps.Store.CopyMessages(s.ctx(), s.sel.box.ID, uidsOf(refs), v.box.ID)
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
	if !s.sel.view.rights.Has("te") {
		return errNoPerm
	}
	v, err := s.destination(dest)
	if err != nil {
		return err
	}
	if v.box.ID == s.sel.box.ID {
		return errSameMailbox
	}
	refs := s.resolve(numSet)
	if v.kind == viewShared {
		d, err := s.assign(v, refs, true)
		if err != nil || d == nil {
			return err
		}
		return w.WriteCopyData(d)
	}
	t, err := s.srv.deps.Store.MoveMessages(s.ctx(), s.sel.box.ID, uidsOf(refs), v.box.ID)
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
	if !s.sel.view.rights.Has("e") {
		// go-imap calls Expunge for CLOSE too (emersion/go-imap#672):
		// CLOSE leaves quietly, EXPUNGE is refused.
		if s.cmd != nil && s.cmd.lastCommand() == "CLOSE" {
			return nil
		}
		return errNoPerm
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
	v, err := s.destination(mailbox)
	if err != nil {
		return nil, err
	}
	if v.kind == viewShared { // insert there means assigning, which takes COPY or MOVE
		return nil, errNoPerm
	}
	box := v.box
	raw := make([]byte, r.Size())
	if _, err := io.ReadFull(r, raw); err != nil {
		return nil, err
	}
	in := storage.Incoming{
		Raw:          raw,
		InternalDate: options.Time,
		Deliveries:   []storage.Delivery{{Account: box.Account, Mailbox: box.Name, Flags: fromIMAPFlags(options.Flags)}},
	}
	rc, err := s.srv.deps.Store.Deliver(s.ctx(), in)
	if err != nil {
		return nil, s.fail("append", err)
	}
	p := rc.Placed[0]
	return &imap.AppendData{UID: imap.UID(p.UID), UIDValidity: p.UIDValidity}, nil
}
