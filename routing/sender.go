package routing

import (
	"context"
	"errors"
	"fmt"
	"time"

	"mailnet/storage"
)

// SenderAllowed reports whether the authenticated account may send a
// message whose From address is from, at the instant at. Its own address
// is always allowed (sender ""). Another counsellor's address is allowed
// only while that counsellor has an active absence whose substitute is
// the authenticated account; sender is then the authenticated address,
// which the submission server must set as the Sender field (RFC 5322
// §3.6.2), so the client sees who wrote and still replies to the absent
// counsellor's address. A malformed from fails with ErrBadAddress; other
// errors are temporary storage failures.
func (r *Router) SenderAllowed(ctx context.Context, authenticated storage.Account, from string, at time.Time) (sender string, ok bool, err error) {
	addr, _, err := Canonical(from)
	if err != nil {
		return "", false, err
	}
	if addr == authenticated.Address {
		return "", true, nil
	}
	abs, err := r.store.ActiveAbsence(ctx, addr, at)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		return "", false, nil
	case err != nil:
		return "", false, fmt.Errorf("absence of %s: %w", addr, err)
	}
	sub, _, err := Canonical(abs.Substitute)
	if err != nil || sub != authenticated.Address {
		return "", false, nil
	}
	return authenticated.Address, true, nil
}
