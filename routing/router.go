package routing

import (
	"context"
	"strings"
	"time"

	"mailnet/storage"
)

// Store is what routing reads; *storage.DB satisfies it. Lookups by
// address take lower-cased addresses and return storage.ErrNotFound when
// nothing matches; any other error is a temporary failure.
type Store interface {
	Account(ctx context.Context, address string) (storage.Account, error)
	Teams(ctx context.Context) ([]storage.Team, error)
	ClientByEmail(ctx context.Context, address string) (storage.Client, error)
	ClientByDomain(ctx context.Context, domain string) (storage.Client, error)
	ActiveAbsence(ctx context.Context, counsellor string, at time.Time) (storage.Absence, error)
	CaseLinks(ctx context.Context, client string) ([]storage.CaseLink, error)
}

var _ Store = (*storage.DB)(nil)

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

// Target is where one copy of a message goes, and why.
type Target struct {
	// Address is the canonical envelope recipient the copy derives from
	// (for an expert's copy: the first local recipient of the message).
	Address string
	// Account receives the message.
	Account storage.Account
	// Mailbox is the folder in that account: "INBOX",
	// "Substitute/<local part>", "Dispatch/<team>" or "Linked/<id> <name>"
	// (see the package documentation).
	Mailbox string
	// Route is the rule that chose this target.
	Route Route
	// Reason says why, in words, for the delivery's audit trail and the
	// X-Mailnet-Route header field (see RouteHeader).
	Reason string
}

// Route names the rule behind a Target.
type Route string

// The routes a Target can take.
const (
	// RoutePersonal: the recipient's own INBOX, or the personal
	// counsellor's INBOX for a known client writing to a service address.
	RoutePersonal Route = "personal"
	// RouteSubstitute: the copy for the substitute of an absent counsellor.
	RouteSubstitute Route = "substitute"
	// RouteDispatch: a service address's mail from a sender that is not a
	// verified known client, in each team manager's dispatch folder.
	RouteDispatch Route = "dispatch"
	// RouteExpert: the copy for an expert linked to the client's case.
	RouteExpert Route = "expert"
	// RouteAssigned: a manager filed a dispatched message into a
	// counsellor's INBOX.
	RouteAssigned Route = "assigned"
)

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
