package netlimit

import (
	"net/netip"
	"testing"
)

func TestLimiterCountsPerNetwork(t *testing.T) {
	t.Parallel()
	l := New(2)
	a, b := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("192.0.2.2")
	v6a, v6b := netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("2001:db8::ffff")
	for i, want := range []bool{true, true, false} {
		if got := l.Acquire(a); got != want {
			t.Fatalf("IPv4 connection %d: Acquire = %v, want %v", i+1, got, want)
		}
	}
	if !l.Acquire(b) {
		t.Fatal("another IPv4 address shares the count")
	}
	for i, addr := range []netip.Addr{v6a, v6b, v6a} {
		if got := l.Acquire(addr); got != (i < 2) {
			t.Fatalf("IPv6 connection %d: Acquire = %v; one /64 must share one count", i+1, got)
		}
	}
	l.Release(a)
	if !l.Acquire(a) {
		t.Fatal("a released slot is not reusable")
	}
	l.Release(a)
	l.Release(a)
	if n := l.Open(a); n != 0 {
		t.Fatalf("open after releasing all = %d", n)
	}
	unlimited := New(0)
	for range 1000 {
		if !unlimited.Acquire(a) {
			t.Fatal("New(0) refused a connection")
		}
	}
}
