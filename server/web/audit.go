package web

import (
	"context"
	"fmt"
	"slices"
)

// AuditEntry is one reading of someone else's mail, for the audit log. It
// mirrors the store's audit entries field for field.
type AuditEntry struct {
	// Actor is the reader's address.
	Actor string
	// Action is "web-view" (a reading view) or "web-download" (an
	// attachment).
	Action string
	// Mailbox is the mailbox's name in its owner's account; Owner is that
	// account's address.
	Mailbox, Owner string
	// Client is the conversation's client ID.
	Client string
	// UIDs are the messages read.
	UIDs []uint32
	// Remote is the reader's IP address.
	Remote string
}

// Auditor writes the audit log. The dashboard shows nothing it could not
// record first.
type Auditor interface {
	Audit(ctx context.Context, e AuditEntry) error
}

// AuditFunc adapts a function to Auditor.
type AuditFunc func(ctx context.Context, e AuditEntry) error

// Audit implements Auditor.
func (f AuditFunc) Audit(ctx context.Context, e AuditEntry) error { return f(ctx, e) }

// audit records that v reads items, one entry per mailbox of someone
// else; the viewer's own mail is not recorded.
func (s *Server) audit(ctx context.Context, v *viewer, action, remote, client string, items []mailItem) error {
	type key struct {
		owner, mailbox string
	}
	uids := map[key][]uint32{}
	var order []key
	for _, m := range items {
		if m.Owner == v.Address {
			continue
		}
		k := key{m.Owner, m.Mailbox}
		if _, ok := uids[k]; !ok {
			order = append(order, k)
		}
		uids[k] = append(uids[k], m.UID)
	}
	for _, k := range order {
		us := uids[k]
		slices.Sort(us)
		e := AuditEntry{Actor: v.Address, Action: action, Mailbox: k.mailbox, Owner: k.owner, Client: client, UIDs: us, Remote: remote}
		if err := s.deps.Audit.Audit(ctx, e); err != nil {
			return fmt.Errorf("audit %s of %s/%s: %w", action, k.owner, k.mailbox, err)
		}
	}
	return nil
}
