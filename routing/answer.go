package routing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"mailnet/storage"
)

// AnsweredClient returns the known client that a message submitted by
// account at the instant at answers: the first recipient that is a
// client's address (storage ClientByEmail) when account is that client's
// personal counsellor, the substitute of the personal counsellor during
// an absence covering at, or an expert linked to the client's case. It
// returns nil when no recipient is such a client. Malformed recipients are
// skipped; errors are temporary storage failures.
func (r *Router) AnsweredClient(ctx context.Context, account storage.Account, recipients []string, at time.Time) (*storage.Client, error) {
	for _, rcpt := range recipients {
		addr, _, err := Canonical(rcpt)
		if err != nil {
			continue
		}
		c, err := r.store.ClientByEmail(ctx, addr)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("client of %s: %w", addr, err)
		}
		ok, err := r.serves(ctx, account, c, at)
		if err != nil {
			return nil, err
		}
		if ok {
			return &c, nil
		}
	}
	return nil, nil
}

// serves reports whether account answers for client c at the instant at:
// as its personal counsellor, as the counsellor's substitute, or as a
// linked expert.
func (r *Router) serves(ctx context.Context, account storage.Account, c storage.Client, at time.Time) (bool, error) {
	counsellor := strings.ToLower(c.Counsellor)
	if counsellor == account.Address {
		return true, nil
	}
	abs, err := r.store.ActiveAbsence(ctx, counsellor, at)
	switch {
	case err == nil && strings.EqualFold(abs.Substitute, account.Address):
		return true, nil
	case err != nil && !errors.Is(err, storage.ErrNotFound):
		return false, fmt.Errorf("absence of %s: %w", counsellor, err)
	}
	links, err := r.store.CaseLinks(ctx, c.ID)
	if err != nil {
		return false, fmt.Errorf("case links of %s: %w", c.ID, err)
	}
	for _, l := range links {
		if strings.EqualFold(l.Expert, account.Address) {
			return true, nil
		}
	}
	return false, nil
}
