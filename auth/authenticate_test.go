package auth

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"mailnet/storage"

	"mailnet/internal/testutil"
)

func TestAuthenticate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, username, password string
		wantErr                  error // nil: success as marie
		wantLog                  string
	}{
		{"success", "marie@example.org", mariePassword, nil, ""},
		{"success normalised", "  Marie@Example.ORG ", mariePassword, nil, ""},
		{"wrong password", "marie@example.org", "Tr0ub4dor&3", ErrInvalidCredentials, "reason=\"wrong password\""},
		{"password case", "marie@example.org", strings.ToUpper(mariePassword), ErrInvalidCredentials, "wrong password"},
		{"empty password", "marie@example.org", "", ErrInvalidCredentials, "wrong password"},
		{"unknown account", "nobody@example.org", mariePassword, ErrInvalidCredentials, "unknown account"},
		{"disabled, right password", "paul@example.org", paulPassword, ErrInvalidCredentials, "account disabled"},
		{"disabled, wrong password", "paul@example.org", "Tr0ub4dor&3", ErrInvalidCredentials, "wrong password"},
		{"unusable stored hash", "broken@example.org", "anything", ErrInvalidCredentials, "stored password hash unusable"},
		{"username not an address", "marie", mariePassword, ErrInvalidCredentials, "username not an address"},
		{"empty username", "", "", ErrInvalidCredentials, "username not an address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ta := newTestAuth(t, Limits{})
			acct, err := ta.Authenticate(t.Context(), tc.username, tc.password, remoteA)
			if tc.wantErr == nil {
				if err != nil || acct.ID != 1 || acct.Address != "marie@example.org" {
					t.Fatalf("Authenticate = %+v, %v; want marie", acct, err)
				}
				return
			}
			if !errors.Is(err, tc.wantErr) || acct != (storage.Account{}) {
				t.Fatalf("Authenticate = %+v, %v; want zero account and %v", acct, err, tc.wantErr)
			}
			logs := ta.logs.String()
			if !strings.Contains(logs, tc.wantLog) {
				t.Errorf("logs %q lack %q", logs, tc.wantLog)
			}
			if tc.password != "" && strings.Contains(logs, tc.password) {
				t.Errorf("logs %q contain the password", logs)
			}
		})
	}
}

func TestAuthenticateInvalidUsernameSkipsStore(t *testing.T) {
	t.Parallel()
	ta := newTestAuth(t, Limits{})
	if _, err := ta.Authenticate(t.Context(), "my secret password", "x", remoteA); !errors.Is(err, ErrInvalidCredentials) {
		t.Fatalf("Authenticate = %v, want ErrInvalidCredentials", err)
	}
	if n := ta.store.calls.Load(); n != 0 {
		t.Errorf("store called %d times, want 0", n)
	}
	if logs := ta.logs.String(); strings.Contains(logs, "secret") {
		t.Errorf("logs %q contain the username, which may be a password", logs)
	}
}

func TestAuthenticateStoreFailure(t *testing.T) {
	t.Parallel()
	ta := newTestAuth(t, Limits{FailuresPerAccount: 2, FailuresPerIP: 2})
	errDown := errors.New("disk on fire")
	ta.store.err = errDown
	for i := range 5 {
		_, err := ta.Authenticate(t.Context(), "marie@example.org", mariePassword, remoteA)
		if !errors.Is(err, errDown) || errors.Is(err, ErrInvalidCredentials) || errors.Is(err, ErrThrottled) {
			t.Fatalf("attempt %d: Authenticate = %v; want the store's error only", i, err)
		}
	}
	// Storage failures are not the client's: nothing was counted.
	ta.store.err = nil
	if _, err := ta.Authenticate(t.Context(), "marie@example.org", mariePassword, remoteA); err != nil {
		t.Errorf("after recovery: %v", err)
	}
}

// TestAuthenticateUnknownAccountHashes checks that an unknown account still
// costs an argon2id computation: with the only hashing slot taken, the
// login waits for it until its context ends.
func TestAuthenticateUnknownAccountHashes(t *testing.T) {
	t.Parallel()
	ta := newTestAuth(t, Limits{FailuresPerAccount: 1, FailuresPerIP: 1})
	ta.hashSlots = make(chan struct{}, 1)
	ta.hashSlots <- struct{}{}
	for _, user := range []string{"nobody@example.org", "marie@example.org", "broken@example.org"} {
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Millisecond)
		_, err := ta.Authenticate(ctx, user, "x", remoteA)
		cancel()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: Authenticate = %v, want it to wait for a hashing slot", user, err)
		}
	}
	// The cancelled attempts were not counted against the limit of 1.
	<-ta.hashSlots
	if _, err := ta.Authenticate(t.Context(), "marie@example.org", mariePassword, remoteA); err != nil {
		t.Errorf("after slot freed: %v", err)
	}
}

func TestNewDefaults(t *testing.T) {
	t.Parallel()
	a := New(&fakeStore{}, Options{})
	if a.dummy.params != DefaultParams {
		t.Errorf("dummy params = %+v, want DefaultParams", a.dummy.params)
	}
	if cap(a.hashSlots) < 1 || a.throttle.limits != DefaultLimits {
		t.Errorf("slots %d, limits %+v; want ≥ 1 and DefaultLimits", cap(a.hashSlots), a.throttle.limits)
	}
	var logs testutil.LogBuffer
	a = New(&fakeStore{}, Options{Params: Params{Memory: 1}, Logger: newTextLogger(&logs), MaxConcurrentHashes: 3})
	if a.dummy.params != DefaultParams || !strings.Contains(logs.String(), "invalid") {
		t.Errorf("invalid params: dummy params %+v, logs %q; want DefaultParams and an error logged", a.dummy.params, logs.String())
	}
	if cap(a.hashSlots) != 3 {
		t.Errorf("slots = %d, want 3", cap(a.hashSlots))
	}
}
