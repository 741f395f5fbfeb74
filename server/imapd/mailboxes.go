package imapd

import (
	"slices"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"mailnet/auth"
	"mailnet/storage"
)

// Create makes a mailbox, with a special-use attribute if asked (RFC 6154
// CREATE-SPECIAL-USE). Under the shared trees only the answer repository
// takes new folders, from those who may edit it.
func (s *session) Create(name string, options *imap.CreateOptions) error {
	name = strings.TrimSuffix(name, string(storage.Delimiter)) // RFC 9051 §6.3.4
	use := ""
	if options != nil && len(options.SpecialUse) > 0 {
		if len(options.SpecialUse) > 1 || !validSpecialUse(options.SpecialUse[0]) {
			return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCode("USEATTR"), Text: "Unsupported special-use attribute"}
		}
		use = string(options.SpecialUse[0])
	}
	account, name, err := s.writableName(name)
	if err != nil {
		return err
	}
	_, err = s.srv.deps.Store.CreateMailbox(s.ctx(), account, name, use)
	return s.fail("create", err)
}

// writableName maps a name the session wants to create, delete or rename
// to an account and a mailbox name there: its own, or the answer
// repository's for those who may edit it; any other shared name is
// refused.
func (s *session) writableName(name string) (uint64, string, error) {
	if !reserved(name) {
		return s.account.ID, name, nil
	}
	if strings.HasPrefix(name, answersPrefix) && s.srv.cfg.AnswersAccount != 0 {
		st, err := s.staff(s.ctx())
		if err != nil {
			return 0, "", s.fail("mailbox", err)
		}
		if auth.CanEditAnswers(st) {
			return s.srv.cfg.AnswersAccount, strings.TrimPrefix(name, answersPrefix), nil
		}
	}
	return 0, "", errNoPerm
}

func validSpecialUse(a imap.MailboxAttr) bool {
	switch a {
	case imap.MailboxAttrAll, imap.MailboxAttrArchive, imap.MailboxAttrDrafts, imap.MailboxAttrFlagged,
		imap.MailboxAttrJunk, imap.MailboxAttrSent, imap.MailboxAttrTrash:
		return true
	}
	return false
}

// Delete removes a mailbox.
func (s *session) Delete(name string) error {
	account, name, err := s.writableName(name)
	if err != nil {
		return err
	}
	return s.fail("delete", s.srv.deps.Store.DeleteMailbox(s.ctx(), account, name))
}

// Rename renames a mailbox and its children, within one account.
func (s *session) Rename(from, to string, _ *imap.RenameOptions) error {
	fromAcc, from, err := s.writableName(from)
	if err != nil {
		return err
	}
	toAcc, to, err := s.writableName(to)
	if err != nil {
		return err
	}
	if fromAcc != toAcc {
		return errNoPerm
	}
	return s.fail("rename", s.srv.deps.Store.RenameMailbox(s.ctx(), fromAcc, from, to))
}

// Subscribe marks a mailbox subscribed; a shared view's subscription is
// the reader's own.
func (s *session) Subscribe(name string) error { return s.subscribe(name, true) }

// Unsubscribe clears a mailbox's subscription.
func (s *session) Unsubscribe(name string) error { return s.subscribe(name, false) }

func (s *session) subscribe(name string, on bool) error {
	ctx := s.ctx()
	if reserved(name) || strings.HasPrefix(name, "Dispatch/") {
		v, err := s.lookup(ctx, name)
		if err != nil && on {
			return s.fail("subscribe", err)
		}
		if err == nil && v.kind != viewOwn {
			return s.fail("subscribe", s.srv.deps.Store.SetViewSubscribed(ctx, s.account.ID, v.name, on))
		}
		if err != nil { // unsubscribing from what is gone
			return s.fail("subscribe", s.srv.deps.Store.SetViewSubscribed(ctx, s.account.ID, name, false))
		}
	}
	return s.fail("subscribe", s.srv.deps.Store.SetSubscribed(ctx, s.account.ID, name, on))
}

// List answers LIST and LSUB, with the LIST-EXTENDED selection and return
// options, SPECIAL-USE attributes and LIST-STATUS, over the session's own
// mailboxes and the shared views it may read (see listViews).
func (s *session) List(w *imapserver.ListWriter, ref string, patterns []string, options *imap.ListOptions) error {
	if len(patterns) == 1 && patterns[0] == "" {
		// RFC 9051 §6.3.9: an empty pattern asks for the delimiter.
		return w.WriteList(&imap.ListData{Attrs: []imap.MailboxAttr{imap.MailboxAttrNoSelect}, Delim: storage.Delimiter})
	}
	ctx := s.ctx()
	boxes, err := s.srv.deps.Store.Mailboxes(ctx, s.account.ID)
	if err != nil {
		return s.fail("list", err)
	}
	entries := make([]listEntry, 0, len(boxes))
	for _, m := range boxes {
		entries = append(entries, listEntry{name: m.Name, box: m, subscribed: m.Subscribed, specialUse: m.SpecialUse, view: view{kind: viewOwn, box: m}})
	}
	views, err := s.listViews(ctx, ref, patterns)
	if err != nil {
		return s.fail("list", err)
	}
	entries = append(entries, views...)
	// Stable: one's own mailbox comes before a view of the same name,
	// and hides it.
	slices.SortStableFunc(entries, func(a, b listEntry) int { return strings.Compare(a.name, b.name) })
	for i, e := range entries {
		if i > 0 && entries[i-1].name == e.name || !matchAny(e.name, ref, patterns) {
			continue
		}
		if options.SelectSubscribed && !e.subscribed {
			continue
		}
		if options.SelectSpecialUse && e.specialUse == "" {
			continue
		}
		data := &imap.ListData{Mailbox: e.name, Delim: storage.Delimiter}
		if e.noSelect {
			data.Attrs = append(data.Attrs, imap.MailboxAttrNoSelect)
		}
		if hasChild(entries, i) {
			data.Attrs = append(data.Attrs, imap.MailboxAttrHasChildren)
		} else {
			data.Attrs = append(data.Attrs, imap.MailboxAttrHasNoChildren)
		}
		if e.subscribed && (options.ReturnSubscribed || options.SelectSubscribed) {
			data.Attrs = append(data.Attrs, imap.MailboxAttrSubscribed)
		}
		if e.specialUse != "" {
			data.Attrs = append(data.Attrs, imap.MailboxAttr(e.specialUse))
		}
		if options.ReturnStatus != nil && !e.noSelect {
			if data.Status, err = s.viewStatus(e.name, e.view, options.ReturnStatus); err != nil {
				return s.fail("list", err)
			}
		}
		if err := w.WriteList(data); err != nil {
			return err
		}
	}
	return nil
}

func matchAny(name, ref string, patterns []string) bool {
	for _, p := range patterns {
		if imapserver.MatchList(name, storage.Delimiter, ref, p) {
			return true
		}
	}
	return false
}

// hasChild reports whether entries[i] has an inferior; entries are sorted
// by name, so a child, if any, sorts right after its parent's other
// prefixes.
func hasChild(entries []listEntry, i int) bool {
	prefix := entries[i].name + string(storage.Delimiter)
	for _, e := range entries[i+1:] {
		if strings.HasPrefix(e.name, prefix) {
			return true
		}
		if e.name > prefix {
			return false
		}
	}
	return false
}

// Status answers STATUS from the mailbox's counters, without reading
// messages.
func (s *session) Status(name string, options *imap.StatusOptions) (*imap.StatusData, error) {
	v, err := s.lookup(s.ctx(), name)
	if err != nil {
		return nil, s.fail("status", err)
	}
	d, err := s.viewStatus(name, v, options)
	return d, s.fail("status", err)
}

// viewStatus computes a view's STATUS; on a view the session does not
// own, UNSEEN counts the reader's own marks.
func (s *session) viewStatus(name string, v view, options *imap.StatusOptions) (*imap.StatusData, error) {
	m := v.box
	if !v.personal() && options.NumUnseen {
		// The reader's marks, counted on the messages there now (a mark
		// outlives an expunged message).
		var uids []uint32
		var err error
		if v.kind == viewCase {
			uids, err = s.srv.deps.Store.CaseUIDs(s.ctx(), v.client)
		} else {
			uids, err = s.srv.deps.Store.UIDs(s.ctx(), m.ID)
		}
		if err != nil {
			return nil, err
		}
		seen, err := s.srv.deps.Store.SeenBy(s.ctx(), s.account.ID, v.seenKey(), uids)
		if err != nil {
			return nil, err
		}
		m.Unseen = uint32(len(uids) - len(seen))
	}
	d := statusData(m, options)
	d.Mailbox = name
	return d, nil
}

func statusData(m storage.Mailbox, options *imap.StatusOptions) *imap.StatusData {
	d := &imap.StatusData{Mailbox: m.Name}
	if options.NumMessages {
		d.NumMessages = &m.Messages
	}
	if options.UIDNext {
		d.UIDNext = imap.UID(m.UIDNext)
	}
	if options.UIDValidity {
		d.UIDValidity = m.UIDValidity
	}
	if options.NumUnseen {
		d.NumUnseen = &m.Unseen
	}
	if options.Size {
		d.Size = &m.Size
	}
	if options.NumRecent {
		var zero uint32
		d.NumRecent = &zero
	}
	return d
}
