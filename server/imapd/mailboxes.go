package imapd

import (
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"mailnet/storage"
)

// Create makes a mailbox, with a special-use attribute if asked (RFC 6154
// CREATE-SPECIAL-USE).
func (s *session) Create(name string, options *imap.CreateOptions) error {
	name = strings.TrimSuffix(name, string(storage.Delimiter)) // RFC 9051 §6.3.4
	use := ""
	if options != nil && len(options.SpecialUse) > 0 {
		if len(options.SpecialUse) > 1 || !validSpecialUse(options.SpecialUse[0]) {
			return &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCode("USEATTR"), Text: "Unsupported special-use attribute"}
		}
		use = string(options.SpecialUse[0])
	}
	_, err := s.srv.deps.Store.CreateMailbox(s.ctx(), s.account.ID, name, use)
	return s.fail("create", err)
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
	return s.fail("delete", s.srv.deps.Store.DeleteMailbox(s.ctx(), s.account.ID, name))
}

// Rename renames a mailbox and its children.
func (s *session) Rename(from, to string, _ *imap.RenameOptions) error {
	return s.fail("rename", s.srv.deps.Store.RenameMailbox(s.ctx(), s.account.ID, from, to))
}

// Subscribe marks a mailbox subscribed.
func (s *session) Subscribe(name string) error {
	return s.fail("subscribe", s.srv.deps.Store.SetSubscribed(s.ctx(), s.account.ID, name, true))
}

// Unsubscribe clears a mailbox's subscription.
func (s *session) Unsubscribe(name string) error {
	return s.fail("unsubscribe", s.srv.deps.Store.SetSubscribed(s.ctx(), s.account.ID, name, false))
}

// List answers LIST and LSUB, with the LIST-EXTENDED selection and return
// options, SPECIAL-USE attributes and LIST-STATUS.
func (s *session) List(w *imapserver.ListWriter, ref string, patterns []string, options *imap.ListOptions) error {
	if len(patterns) == 1 && patterns[0] == "" {
		// RFC 9051 §6.3.9: an empty pattern asks for the delimiter.
		return w.WriteList(&imap.ListData{Attrs: []imap.MailboxAttr{imap.MailboxAttrNoSelect}, Delim: storage.Delimiter})
	}
	boxes, err := s.srv.deps.Store.Mailboxes(s.ctx(), s.account.ID)
	if err != nil {
		return s.fail("list", err)
	}
	for i, m := range boxes {
		if !matchAny(m.Name, ref, patterns) {
			continue
		}
		if options.SelectSubscribed && !m.Subscribed {
			continue
		}
		if options.SelectSpecialUse && m.SpecialUse == "" {
			continue
		}
		data := &imap.ListData{Mailbox: m.Name, Delim: storage.Delimiter}
		if hasChild(boxes, i) {
			data.Attrs = append(data.Attrs, imap.MailboxAttrHasChildren)
		} else {
			data.Attrs = append(data.Attrs, imap.MailboxAttrHasNoChildren)
		}
		if m.Subscribed && (options.ReturnSubscribed || options.SelectSubscribed) {
			data.Attrs = append(data.Attrs, imap.MailboxAttrSubscribed)
		}
		if m.SpecialUse != "" {
			data.Attrs = append(data.Attrs, imap.MailboxAttr(m.SpecialUse))
		}
		if options.ReturnStatus != nil {
			data.Status = statusData(m, options.ReturnStatus)
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

// hasChild reports whether boxes[i] has an inferior; boxes is sorted by
// name, so a child, if any, sorts right after its parent's other prefixes.
func hasChild(boxes []storage.Mailbox, i int) bool {
	prefix := boxes[i].Name + string(storage.Delimiter)
	for _, m := range boxes[i+1:] {
		if strings.HasPrefix(m.Name, prefix) {
			return true
		}
		if m.Name > prefix {
			return false
		}
	}
	return false
}

// Status answers STATUS from the mailbox's counters, without reading
// messages.
func (s *session) Status(name string, options *imap.StatusOptions) (*imap.StatusData, error) {
	m, err := s.srv.deps.Store.Mailbox(s.ctx(), s.account.ID, name)
	if err != nil {
		return nil, s.fail("status", err)
	}
	return statusData(m, options), nil
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
