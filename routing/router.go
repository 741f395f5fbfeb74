package routing

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"mailnet/storage"
)

// Store is what routing reads.
type Store interface {
	Account(ctx context.Context, address string) (storage.Account, error)
}

// Router decides deliveries for one set of local domains. It is safe for
// concurrent use.
type Router struct {
	store   Store
	domains map[string]bool
}

// New returns a Router for the given local domains (compared
// case-insensitively).
func New(store Store, localDomains []string) *Router {
	r := &Router{store: store, domains: make(map[string]bool, len(localDomains))}
	for _, d := range localDomains {
		r.domains[strings.ToLower(d)] = true
	}
	return r
}

// IsLocal reports whether domain is one of ours.
func (r *Router) IsLocal(domain string) bool { return r.domains[strings.ToLower(domain)] }

// Target is where one recipient's copy goes, and why.
type Target struct {
	// Address is the canonical recipient address.
	Address string
	// Account receives the message.
	Account storage.Account
	// Mailbox is the mailbox name in that account.
	Mailbox string
	// Reason says why, for the delivery's audit trail.
	Reason string
}

// Recipient checks one envelope recipient and returns its target. It
// returns ErrNotLocal for foreign domains, ErrUnknownRecipient for unknown
// local addresses, ErrBadAddress for unparsable ones; other errors are
// temporary storage failures.
func (r *Router) Recipient(ctx context.Context, rcpt string) (Target, error) {
	addr, domain, err := Canonical(rcpt)
	if err != nil {
		return Target{}, err
	}
	if !r.IsLocal(domain) {
		return Target{}, ErrNotLocal
	}
	acc, err := r.store.Account(ctx, addr)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return Target{}, ErrUnknownRecipient
	case err != nil:
		return Target{}, fmt.Errorf("look up %s: %w", addr, err)
	}
	return Target{Address: addr, Account: acc, Mailbox: "INBOX", Reason: "personal address"}, nil
}

// Deliveries turns targets into storage deliveries, one per distinct
// account and mailbox: a message sent twice to the same address in one
// transaction is stored once.
func Deliveries(targets []Target) []storage.Delivery {
	type key struct {
		account uint64
		mailbox string
	}
	seen := make(map[key]bool, len(targets))
	out := make([]storage.Delivery, 0, len(targets))
	for _, t := range targets {
		k := key{t.Account.ID, t.Mailbox}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, storage.Delivery{Account: t.Account.ID, Mailbox: t.Mailbox})
	}
	return out
}
