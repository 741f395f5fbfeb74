package routing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"mailnet/storage"
)

// Inbox is the folder of a counsellor's own mail.
const Inbox = "INBOX"

// Reasons shared by several rules.
const (
	reasonPersonal    = "personal address"
	reasonNotVerified = "sender not verified"
	reasonUnknown     = "unknown sender"
	reasonNoFrom      = "no valid From address"
)

// Message is what Route needs to know about one message.
type Message struct {
	// Recipients are the envelope recipients (RCPT TO) that are local;
	// remote ones of a submission go to the queue, not to Route.
	Recipients []string
	// Sender is the envelope sender (MAIL FROM), "" for the null sender.
	// Route does not use it to identify clients: it is not authenticated.
	Sender string
	// From is the single RFC 5322 From address, "" if absent or invalid.
	From string
	// VerifiedDomain is mailauth.Verdict.VerifiedDomain: From's domain
	// when the sender is verified, "" otherwise.
	VerifiedDomain string
	// At is the time the message is routed for (absences are looked up
	// at that instant).
	At time.Time
}

// Decision is where a message goes.
type Decision struct {
	// Targets are distinct by (account, mailbox), in a stable order: per
	// recipient in the order given (own INBOX or dispatch folders, then
	// the substitute's copy), then the linked experts by address.
	Targets []Target
	// Client is the client the message is known to come from, or nil
	// when the sender is unverified or not a client.
	Client *storage.Client
}

// origin is who a message is known to come from.
type origin struct {
	client *storage.Client
	// why is the reason no client is known, for dispatch.
	why string
}

// Accept checks one envelope recipient at RCPT time: an account's address
// or a team's service address. It returns the canonical address, or
// ErrNotLocal, ErrUnknownRecipient, ErrBadAddress; other errors are
// temporary storage failures.
func (r *Router) Accept(ctx context.Context, rcpt string) (string, error) {
	addr, domain, err := Canonical(rcpt)
	if err != nil {
		return "", err
	}
	if !r.IsLocal(domain) {
		return "", ErrNotLocal
	}
	if _, ok, err := r.serviceTeam(ctx, addr); err != nil || ok {
		return addr, err
	}
	if _, err := r.account(ctx, addr); err != nil {
		return "", err
	}
	return addr, nil
}

// Route decides every copy of m: see the package documentation for the
// rules. It fails with ErrNotLocal, ErrUnknownRecipient or ErrBadAddress
// (wrapped, naming the recipient) when a recipient is not routable,
// ErrNoDispatch when a service address's team has no manager account to
// receive dispatch; other errors are temporary storage failures. It only
// reads the Store, so calling it twice gives the same Decision until the
// caseload changes.
func (r *Router) Route(ctx context.Context, m Message) (Decision, error) {
	o, err := r.identify(ctx, m)
	if err != nil {
		return Decision{}, err
	}
	var targets []Target
	for _, rcpt := range m.Recipients {
		ts, err := r.routeRecipient(ctx, rcpt, o, m.At)
		if err != nil {
			return Decision{}, fmt.Errorf("route %s: %w", rcpt, err)
		}
		targets = append(targets, ts...)
	}
	if o.client != nil && len(targets) > 0 {
		ts, err := r.experts(ctx, *o.client, targets[0].Address)
		if err != nil {
			return Decision{}, err
		}
		targets = append(targets, ts...)
	}
	return Decision{Targets: dedupe(targets), Client: o.client}, nil
}

// identify finds the client m comes from (RFC 7489 §3.1: only a verified
// From domain is trusted): by address, else, for employers, by domain.
func (r *Router) identify(ctx context.Context, m Message) (origin, error) {
	from, domain, err := Canonical(m.From)
	if err != nil {
		return origin{why: reasonNoFrom}, nil
	}
	if m.VerifiedDomain == "" || !strings.EqualFold(m.VerifiedDomain, domain) {
		return origin{why: reasonNotVerified}, nil
	}
	c, err := r.store.ClientByEmail(ctx, from)
	if err == nil {
		return origin{client: &c}, nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return origin{}, fmt.Errorf("look up client %s: %w", from, err)
	}
	c, err = r.store.ClientByDomain(ctx, domain)
	switch {
	case err == nil && c.Kind == storage.ClientEmployer:
		return origin{client: &c}, nil
	case err == nil || errors.Is(err, storage.ErrNotFound):
		return origin{why: reasonUnknown}, nil
	}
	return origin{}, fmt.Errorf("look up client domain %s: %w", domain, err)
}

// routeRecipient returns the targets of one recipient.
func (r *Router) routeRecipient(ctx context.Context, rcpt string, o origin, at time.Time) ([]Target, error) {
	addr, domain, err := Canonical(rcpt)
	if err != nil {
		return nil, err
	}
	if !r.IsLocal(domain) {
		return nil, ErrNotLocal
	}
	team, ok, err := r.serviceTeam(ctx, addr)
	if err != nil {
		return nil, err
	}
	if ok {
		return r.routeService(ctx, addr, team, o, at)
	}
	acc, err := r.account(ctx, addr)
	if err != nil {
		return nil, err
	}
	return r.personal(ctx, addr, acc, reasonPersonal, at)
}

// routeService routes mail to a team's service address: a known client's
// personal counsellor, else the team's dispatch.
func (r *Router) routeService(ctx context.Context, addr string, team storage.Team, o origin, at time.Time) ([]Target, error) {
	if o.client == nil {
		return r.dispatch(ctx, addr, team, o.why)
	}
	c := o.client
	acc, err := r.account(ctx, strings.ToLower(c.Counsellor))
	if errors.Is(err, ErrUnknownRecipient) {
		why := fmt.Sprintf("client %s: personal counsellor %s has no account", c.ID, c.Counsellor)
		return r.dispatch(ctx, addr, team, why)
	}
	if err != nil {
		return nil, err
	}
	why := fmt.Sprintf("client %s, personal counsellor, via service address of team %s", c.ID, team.ID)
	return r.personal(ctx, addr, acc, why, at)
}

// personal returns acc's INBOX target and, during acc's absence at at, the
// substitute's copy. A substitute who is absent too still gets the copy:
// absences do not chain.
func (r *Router) personal(ctx context.Context, addr string, acc storage.Account, why string, at time.Time) ([]Target, error) {
	own := Target{Address: addr, Account: acc, Mailbox: Inbox, Route: RoutePersonal, Reason: why}
	abs, err := r.store.ActiveAbsence(ctx, acc.Address, at)
	if errors.Is(err, storage.ErrNotFound) {
		return []Target{own}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("absence of %s: %w", acc.Address, err)
	}
	sub, err := r.account(ctx, strings.ToLower(abs.Substitute))
	if errors.Is(err, ErrUnknownRecipient) {
		own.Reason += "; absent, substitute " + abs.Substitute + " has no account"
		return []Target{own}, nil
	}
	if err != nil {
		return nil, err
	}
	own.Reason += "; absent, copy to substitute " + sub.Address
	return []Target{own, {
		Address: addr,
		Account: sub,
		Mailbox: SubstituteFolder(acc.Address),
		Route:   RouteSubstitute,
		Reason: fmt.Sprintf("substitute for %s until %s (%s)",
			acc.Address, abs.To.UTC().Format(time.RFC3339), why),
	}}, nil
}

// experts returns the copies for the experts linked to c's case, ordered
// by expert address. An expert without an account is skipped.
func (r *Router) experts(ctx context.Context, c storage.Client, addr string) ([]Target, error) {
	links, err := r.store.CaseLinks(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("case links of %s: %w", c.ID, err)
	}
	links = slices.Clone(links)
	slices.SortFunc(links, func(a, b storage.CaseLink) int { return strings.Compare(a.Expert, b.Expert) })
	var out []Target
	for _, l := range links {
		acc, err := r.account(ctx, strings.ToLower(l.Expert))
		if errors.Is(err, ErrUnknownRecipient) {
			continue
		}
		if err != nil {
			return nil, err
		}
		why := "expert linked to case " + c.ID
		if l.Reason != "" {
			why += ": " + l.Reason
		}
		out = append(out, Target{Address: addr, Account: acc, Mailbox: ExpertFolder(c), Route: RouteExpert, Reason: why})
	}
	return out, nil
}

// account returns the account of addr, or ErrUnknownRecipient.
func (r *Router) account(ctx context.Context, addr string) (storage.Account, error) {
	acc, err := r.store.Account(ctx, addr)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return storage.Account{}, ErrUnknownRecipient
	case err != nil:
		return storage.Account{}, fmt.Errorf("look up %s: %w", addr, err)
	}
	return acc, nil
}

// dedupe keeps the first target of each (account, mailbox).
func dedupe(targets []Target) []Target {
	type key struct {
		account uint64
		mailbox string
	}
	seen := make(map[key]bool, len(targets))
	out := make([]Target, 0, len(targets))
	for _, t := range targets {
		k := key{t.Account.ID, t.Mailbox}
		if !seen[k] {
			seen[k] = true
			out = append(out, t)
		}
	}
	return out
}
