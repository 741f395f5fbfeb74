package auth

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"mailnet/storage"

	"mailnet/internal/testutil"
)

// testParams make hashing cheap, so that tests stay fast.
var testParams = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// Passwords of the accounts in newTestStore.
const (
	mariePassword = "correct horse battery staple"
	paulPassword  = "paul's password"
)

// Remote addresses for tests (RFC 5737 and RFC 3849 documentation ranges).
var (
	remoteA = netip.MustParseAddr("192.0.2.1")
	remoteB = netip.MustParseAddr("198.51.100.7")
)

// fakeStore is an in-memory Store. Its fields are set before use and not
// changed afterwards; calls counts lookups.
type fakeStore struct {
	accounts map[string]storage.Account
	err      error // if set, returned by every lookup
	calls    atomic.Int64
}

func (s *fakeStore) Account(ctx context.Context, address string) (storage.Account, error) {
	s.calls.Add(1)
	if s.err != nil {
		return storage.Account{}, s.err
	}
	a, ok := s.accounts[address]
	if !ok {
		return storage.Account{}, fmt.Errorf("account %s: %w", address, storage.ErrNotFound)
	}
	return a, nil
}

// newTestStore returns a store with marie (counsellor), paul (disabled) and
// broken (unusable hash).
func newTestStore(t *testing.T) *fakeStore {
	t.Helper()
	hashed := func(pw string) string {
		h, err := HashPasswordParams(pw, testParams)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	return &fakeStore{accounts: map[string]storage.Account{
		"marie@example.org": {
			ID: 1, Address: "marie@example.org", Role: storage.RoleCounsellor,
			PasswordHash: hashed(mariePassword),
		},
		"paul@example.org": {
			ID: 2, Address: "paul@example.org", Role: storage.RoleManager,
			PasswordHash: hashed(paulPassword), Disabled: true,
		},
		"broken@example.org": {
			ID: 3, Address: "broken@example.org", Role: storage.RoleAdmin,
			PasswordHash: "$argon2id$v=19$m=0,t=0,p=0$$",
		},
	}}
}

// testAuth is an Authenticator with its fakes.
// testEpoch is when the tests' clocks start: a whole minute, so that
// throttle bucket boundaries fall on round times.
var testEpoch = time.Date(2025, time.January, 6, 9, 0, 0, 0, time.UTC)

type testAuth struct {
	*Authenticator
	store *fakeStore
	clock *testutil.Clock
	logs  *testutil.LogBuffer
}

// newTestAuth returns an Authenticator over newTestStore with a fake clock,
// captured logs, testParams and the given limits.
func newTestAuth(t *testing.T, limits Limits) testAuth {
	t.Helper()
	ta := testAuth{store: newTestStore(t), clock: testutil.NewClock(testEpoch), logs: &testutil.LogBuffer{}}
	ta.Authenticator = New(ta.store, Options{
		Limits: limits,
		Now:    ta.clock.Now,
		Logger: newTextLogger(ta.logs),
		Params: testParams,
	})
	return ta
}

// newTextLogger returns a logger writing every level as text to w.
func newTextLogger(w *testutil.LogBuffer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
