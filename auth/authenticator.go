package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"runtime"
	"time"

	"mailnet/storage"
)

// Store is what the Authenticator needs from storage.
type Store interface {
	// Account returns the account whose login is address, already
	// normalised by NormalizeAddress, or an error wrapping
	// storage.ErrNotFound if there is none.
	Account(ctx context.Context, address string) (storage.Account, error)
}

// Options configure an Authenticator. The zero value is usable.
type Options struct {
	// Limits bound failed logins; zero fields take DefaultLimits' values.
	Limits Limits
	// Now returns the current time, for the login limits. Nil means
	// time.Now.
	Now func() time.Time
	// Logger receives one Info record per refused login, with the address
	// and the reason, never the password, and Error records for unusable
	// stored hashes. Nil discards.
	Logger *slog.Logger
	// Params should be the cost of the hashes in the store: logins for
	// unknown accounts verify a dummy hash of that cost, so that their
	// timing does not tell the account does not exist. Zero means
	// DefaultParams; invalid parameters are logged and replaced by
	// DefaultParams (check them first with Params.Validate).
	Params Params
	// MaxConcurrentHashes bounds the argon2id computations running at once,
	// and so the memory they take (Params.Memory each); further logins
	// wait. Zero or negative means runtime.NumCPU().
	MaxConcurrentHashes int
}

// Authenticator checks logins against a Store and throttles failures. Its
// failure counters live in memory: they are lost on restart and not shared
// between processes. It is safe for concurrent use.
type Authenticator struct {
	store     Store
	now       func() time.Time
	log       *slog.Logger
	dummy     hash
	hashSlots chan struct{}
	throttle  *throttle
}

// dummySalt salts the dummy hash. Any value does: no password is expected
// to match it, and the result is thrown away.
const dummySalt = "mailnet-unknown-account"

// New returns an Authenticator over store, which must not be nil.
func New(store Store, opts Options) *Authenticator {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	params := opts.Params
	if params == (Params{}) {
		params = DefaultParams
	} else if err := params.Validate(); err != nil {
		log.Error("argon2id parameters invalid, using defaults", "err", err)
		params = DefaultParams
	}
	slots := opts.MaxConcurrentHashes
	if slots <= 0 {
		slots = runtime.NumCPU()
	}
	return &Authenticator{
		store: store,
		now:   now,
		log:   log,
		// The key is never compared meaningfully; only its length and
		// the cost matter.
		dummy:     hash{params: params, salt: []byte(dummySalt), key: make([]byte, params.KeyLen)},
		hashSlots: make(chan struct{}, slots),
		throttle:  newThrottle(opts.Limits, maxTrackedKeys),
	}
}

// Authenticate checks that password is the password of the account whose
// login is username (normalised with NormalizeAddress first), for a client
// at remote, and returns that account.
//
// It returns ErrThrottled, without checking the password, if the account
// or remote's network (IPv4 address or IPv6 /64) has reached its limit of
// recent failures. It returns ErrInvalidCredentials for an unknown or
// malformed username, a wrong password or a disabled account, without
// telling which; the reason is logged. Other errors (storage failures, ctx
// ended while waiting for a hashing slot) are not the client's fault and do
// not count as failures. A success clears the account's failures.
func (a *Authenticator) Authenticate(ctx context.Context, username, password string, remote netip.Addr) (storage.Account, error) {
	log := a.log.With("remote", remote)
	address, err := NormalizeAddress(username)
	if err != nil {
		address = "" // The address has no counter; the remote still has one.
	}
	tk, limit := a.throttle.begin(address, sourceKey(remote), a.now())
	if limit != "" {
		log.Info("login throttled", "address", address, "limit", limit)
		return storage.Account{}, ErrThrottled
	}
	if address == "" {
		// The username may be a password typed in the wrong field: not
		// logged.
		log.Info("login failed", "reason", "username not an address")
		return storage.Account{}, ErrInvalidCredentials
	}
	acct, reason, err := a.check(ctx, address, password)
	if err != nil {
		a.throttle.cancel(tk)
		return storage.Account{}, err
	}
	if reason != "" {
		log.Info("login failed", "address", address, "reason", reason)
		return storage.Account{}, ErrInvalidCredentials
	}
	a.throttle.succeed(tk)
	return acct, nil
}

// check looks address up and verifies password. It runs exactly one
// argon2id computation whatever the outcome. It returns the account, or the
// reason the login fails, or an error that is not the client's fault.
func (a *Authenticator) check(ctx context.Context, address, password string) (storage.Account, string, error) {
	acct, err := a.store.Account(ctx, address)
	reason := ""
	h := a.dummy
	switch {
	case errors.Is(err, storage.ErrNotFound):
		reason = "unknown account"
	case err != nil:
		return storage.Account{}, "", fmt.Errorf("look up account %s: %w", address, err)
	default:
		h, err = parseHash(acct.PasswordHash)
		if err != nil {
			a.log.Error("stored password hash unusable", "address", address, "err", err)
			reason, h = "stored password hash unusable", a.dummy
		}
	}
	ok, err := a.verify(ctx, h, password)
	switch {
	case err != nil:
		return storage.Account{}, "", err
	case reason != "":
		return storage.Account{}, reason, nil
	case !ok:
		return storage.Account{}, "wrong password", nil
	case acct.Disabled:
		// Checked after the password, so that the timing is the same.
		return storage.Account{}, "account disabled", nil
	}
	return acct, "", nil
}

// verify reports whether password matches h, waiting for a hashing slot
// first.
func (a *Authenticator) verify(ctx context.Context, h hash, password string) (bool, error) {
	select {
	case a.hashSlots <- struct{}{}:
	case <-ctx.Done():
		return false, fmt.Errorf("wait for hashing slot: %w", ctx.Err())
	}
	defer func() { <-a.hashSlots }()
	return h.matches(password), nil
}

// sourceKey returns the network that the failures of a client at addr are
// counted against: the IPv4 address, or the IPv6 /64, which a single
// subscriber usually holds whole. The zero Addr maps to the zero Prefix, so
// callers that cannot tell the remote share one counter.
func sourceKey(addr netip.Addr) netip.Prefix {
	addr = addr.Unmap().WithZone("")
	bits := 32
	if addr.Is6() {
		bits = 64
	}
	p, err := addr.Prefix(bits)
	if err != nil {
		return netip.Prefix{} // Unreachable: bits fits every address family.
	}
	return p
}
