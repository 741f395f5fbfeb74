package auth

import (
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"mailnet/internal/testutil"
)

// login is one Authenticate call and the error class it must give.
type login struct {
	user, password string
	remote         netip.Addr
	want           error // nil, ErrInvalidCredentials or ErrThrottled
}

// run plays steps in order on ta.
func (ta testAuth) run(t *testing.T, steps []login) {
	t.Helper()
	for i, s := range steps {
		_, err := ta.Authenticate(t.Context(), s.user, s.password, s.remote)
		if (s.want == nil && err != nil) || (s.want != nil && !errors.Is(err, s.want)) {
			t.Fatalf("step %d (%s from %s): Authenticate = %v, want %v", i, s.user, s.remote, err, s.want)
		}
	}
}

const (
	marie  = "marie@example.org"
	nobody = "nobody@example.org"
	wrong  = "not the password"
)

func TestThrottleAccount(t *testing.T) {
	t.Parallel()
	ta := newTestAuth(t, Limits{FailuresPerAccount: 3, FailuresPerIP: 100, Window: 16 * time.Minute})
	ta.run(t, []login{
		{marie, wrong, remoteA, ErrInvalidCredentials},
		{"MARIE@example.org", wrong, remoteB, ErrInvalidCredentials},
		{marie, wrong, remoteA, ErrInvalidCredentials},
	})
	calls := ta.store.calls.Load()
	// Even the right password, from another network, is refused unchecked.
	ta.run(t, []login{
		{marie, mariePassword, remoteB, ErrThrottled},
		{marie, wrong, remoteA, ErrThrottled},
	})
	if n := ta.store.calls.Load(); n != calls {
		t.Errorf("store called %d times while throttled, want 0", n-calls)
	}
	// Other accounts are not affected.
	ta.run(t, []login{{nobody, wrong, remoteA, ErrInvalidCredentials}})
}

func TestThrottleWindowExpiry(t *testing.T) {
	t.Parallel()
	const window = 16 * time.Minute
	ta := newTestAuth(t, Limits{FailuresPerAccount: 2, FailuresPerIP: 100, Window: window})
	ta.run(t, []login{
		{marie, wrong, remoteA, ErrInvalidCredentials},
		{marie, wrong, remoteA, ErrInvalidCredentials},
		{marie, mariePassword, remoteA, ErrThrottled},
	})
	ta.clock.Advance(window - time.Nanosecond)
	ta.run(t, []login{{marie, mariePassword, remoteA, ErrThrottled}})
	// Failures count for at most Window×17/16.
	ta.clock.Advance(window/slotsPerWindow + time.Nanosecond)
	ta.run(t, []login{{marie, mariePassword, remoteA, nil}})
}

func TestThrottleSlidingWindow(t *testing.T) {
	t.Parallel()
	const window = 16 * time.Minute
	ta := newTestAuth(t, Limits{FailuresPerAccount: 2, FailuresPerIP: 100, Window: window})
	ta.run(t, []login{{marie, wrong, remoteA, ErrInvalidCredentials}})
	ta.clock.Advance(window / 2)
	ta.run(t, []login{
		{marie, wrong, remoteA, ErrInvalidCredentials},
		{marie, mariePassword, remoteA, ErrThrottled},
	})
	// The first failure has left the window, the second has not.
	ta.clock.Advance(window/2 + window/slotsPerWindow)
	ta.run(t, []login{
		{marie, wrong, remoteA, ErrInvalidCredentials},
		{marie, mariePassword, remoteA, ErrThrottled},
	})
}

func TestThrottleSuccessResetsAccount(t *testing.T) {
	t.Parallel()
	ta := newTestAuth(t, Limits{FailuresPerAccount: 3, FailuresPerIP: 100})
	ta.run(t, []login{
		{marie, wrong, remoteA, ErrInvalidCredentials},
		{marie, wrong, remoteA, ErrInvalidCredentials},
		{marie, mariePassword, remoteA, nil},
		{marie, wrong, remoteA, ErrInvalidCredentials},
		{marie, wrong, remoteA, ErrInvalidCredentials},
		{marie, wrong, remoteA, ErrInvalidCredentials},
		{marie, mariePassword, remoteA, ErrThrottled},
	})
}

func TestThrottleIPAcrossAccounts(t *testing.T) {
	t.Parallel()
	ta := newTestAuth(t, Limits{FailuresPerAccount: 100, FailuresPerIP: 3})
	ta.run(t, []login{
		{"a@example.org", wrong, remoteA, ErrInvalidCredentials},
		{"b@example.org", wrong, remoteA, ErrInvalidCredentials},
		// A success neither counts as a failure nor clears the network's.
		{marie, mariePassword, remoteA, nil},
		{"not an address", wrong, remoteA, ErrInvalidCredentials},
		{marie, mariePassword, remoteA, ErrThrottled},
		{"c@example.org", wrong, remoteA, ErrThrottled},
		// Another network is not affected.
		{marie, mariePassword, remoteB, nil},
	})
}

func TestThrottleIPv6Prefix(t *testing.T) {
	t.Parallel()
	ip := netip.MustParseAddr
	ta := newTestAuth(t, Limits{FailuresPerAccount: 100, FailuresPerIP: 2})
	ta.run(t, []login{
		{nobody, wrong, ip("2001:db8:1:2::1"), ErrInvalidCredentials},
		{nobody, wrong, ip("2001:db8:1:2:ffff:ffff:ffff:fffe"), ErrInvalidCredentials},
		{marie, mariePassword, ip("2001:db8:1:2::abcd"), ErrThrottled},
		{marie, mariePassword, ip("2001:db8:1:3::1"), nil},
		// IPv4-mapped IPv6 counts as the IPv4 address.
		{nobody, wrong, ip("::ffff:192.0.2.1"), ErrInvalidCredentials},
		{nobody, wrong, ip("192.0.2.1"), ErrInvalidCredentials},
		{marie, mariePassword, ip("::ffff:192.0.2.1"), ErrThrottled},
		{marie, mariePassword, ip("192.0.2.2"), nil},
	})
}

func TestSourceKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"192.0.2.55", "192.0.2.55/32"},
		{"::ffff:192.0.2.55", "192.0.2.55/32"},
		{"2001:db8:aa:bb:cc:dd:ee:ff", "2001:db8:aa:bb::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"::1", "::/64"},
	}
	for _, tc := range tests {
		if got := sourceKey(netip.MustParseAddr(tc.in)); got.String() != tc.want {
			t.Errorf("sourceKey(%s) = %s, want %s", tc.in, got, tc.want)
		}
	}
	if got := sourceKey(netip.Addr{}); got != (netip.Prefix{}) {
		t.Errorf("sourceKey(zero) = %s, want the zero Prefix", got)
	}
}

func TestThrottleDisabledLimits(t *testing.T) {
	t.Parallel()
	ta := newTestAuth(t, Limits{FailuresPerAccount: -1, FailuresPerIP: -1})
	for range 50 {
		ta.run(t, []login{{marie, wrong, remoteA, ErrInvalidCredentials}})
	}
	ta.run(t, []login{{marie, mariePassword, remoteA, nil}})
	if accounts, sources := ta.throttle.len(); accounts != 0 || sources != 0 {
		t.Errorf("tracked %d accounts, %d sources; want none with limits off", accounts, sources)
	}
}

// TestThrottleConcurrent checks that parallel attempts cannot slip past a
// limit: each is counted when it starts.
func TestThrottleConcurrent(t *testing.T) {
	t.Parallel()
	const limit, attempts = 5, 60
	ta := newTestAuth(t, Limits{FailuresPerAccount: limit, FailuresPerIP: 1000})
	var wg sync.WaitGroup
	errs := make(chan error, attempts)
	for i := range attempts {
		wg.Go(func() {
			remote := netip.AddrFrom4([4]byte{10, 0, byte(i), 1})
			_, err := ta.Authenticate(t.Context(), marie, wrong, remote)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	counts := make(map[error]int)
	for err := range errs {
		counts[err]++
	}
	if counts[ErrInvalidCredentials] != limit || counts[ErrThrottled] != attempts-limit {
		t.Errorf("results %v; want %d invalid credentials, the rest throttled", counts, limit)
	}
}

func TestThrottlePruning(t *testing.T) {
	t.Parallel()
	const maxKeys = 10
	clock := testutil.NewClock(testEpoch)
	th := newThrottle(Limits{FailuresPerAccount: 2, FailuresPerIP: 2, Window: 16 * time.Minute}, maxKeys)
	src := func(i int) netip.Prefix { return sourceKey(netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})) }
	for i := range 100 {
		if _, limit := th.begin(fmt.Sprintf("u%d@example.org", i), src(i), clock.Now()); limit != "" {
			t.Fatalf("attempt %d throttled by %s", i, limit)
		}
		clock.Advance(time.Second)
	}
	if accounts, sources := th.len(); accounts != maxKeys || sources != maxKeys {
		t.Errorf("tracked %d accounts, %d sources; want the cap, %d", accounts, sources, maxKeys)
	}
	// The oldest were evicted, the newest kept.
	th.begin("u99@example.org", src(99), clock.Now())
	if _, limit := th.begin("u99@example.org", src(99), clock.Now()); limit != scopeAccount {
		t.Errorf("newest key: limit %q, want %q", limit, scopeAccount)
	}
	if _, limit := th.begin("u0@example.org", src(0), clock.Now()); limit != "" {
		t.Errorf("evicted key: limit %q, want none", limit)
	}
	// Once the window has passed, expired keys are dropped.
	clock.Advance(time.Hour)
	th.begin("late@example.org", src(1000), clock.Now())
	if accounts, sources := th.len(); accounts != 1 || sources != 1 {
		t.Errorf("after the window: tracked %d accounts, %d sources; want 1 each", accounts, sources)
	}
}

func TestThrottleTicketUndo(t *testing.T) {
	t.Parallel()
	clock := testutil.NewClock(testEpoch)
	th := newThrottle(Limits{FailuresPerAccount: 2, FailuresPerIP: 2, Window: 16 * time.Minute}, 100)
	src := sourceKey(remoteA)
	tk, _ := th.begin(marie, src, clock.Now())
	th.begin(marie, src, clock.Now())
	th.cancel(tk)
	if _, limit := th.begin(marie, src, clock.Now()); limit != "" {
		t.Fatalf("after cancel: limit %q, want none", limit)
	}
	// A ticket whose bucket has expired takes nothing back from newer ones.
	old, _ := th.begin(nobody, sourceKey(remoteB), clock.Now())
	clock.Advance(time.Hour)
	th.begin(nobody, sourceKey(remoteB), clock.Now())
	th.begin(nobody, sourceKey(remoteB), clock.Now())
	th.cancel(old)
	if _, limit := th.begin(nobody, sourceKey(remoteB), clock.Now()); limit == "" {
		t.Errorf("stale ticket undid a fresh failure")
	}
}

func TestThrottleClockBeforeEpoch(t *testing.T) {
	t.Parallel()
	th := newThrottle(Limits{FailuresPerAccount: 1, Window: time.Minute}, 100)
	now := time.Date(1960, time.March, 1, 0, 0, 0, 1, time.UTC)
	th.begin(marie, sourceKey(remoteA), now)
	if _, limit := th.begin(marie, sourceKey(remoteA), now.Add(time.Minute-2)); limit != scopeAccount {
		t.Errorf("limit %q, want %q", limit, scopeAccount)
	}
	if _, limit := th.begin(marie, sourceKey(remoteA), now.Add(2*time.Minute)); limit != "" {
		t.Errorf("after window: limit %q, want none", limit)
	}
}
