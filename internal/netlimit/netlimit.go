// Package netlimit counts the open connections of each client network
// (an IPv4 address, or an IPv6 /64, which one subscriber usually holds
// whole) across every listener that shares a Limiter, SMTP and IMAP
// alike, and refuses those over a maximum.
package netlimit

import (
	"net"
	"net/netip"
	"sync"
)

// Limiter counts open connections per client network. It is safe for
// concurrent use.
type Limiter struct {
	max int // 0: unlimited

	mu   sync.Mutex
	open map[netip.Prefix]int
}

// New returns a Limiter allowing max connections per network; max <= 0
// allows any number.
func New(max int) *Limiter {
	return &Limiter{max: max, open: make(map[netip.Prefix]int)}
}

// Acquire counts one more connection from a, or reports false, counting
// nothing, when a's network already has the maximum.
func (l *Limiter) Acquire(a netip.Addr) bool {
	key := SourceKey(a)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.max > 0 && l.open[key] >= l.max {
		return false
	}
	l.open[key]++
	return true
}

// Release counts one connection from a less; every successful Acquire
// takes one Release.
func (l *Limiter) Release(a netip.Addr) {
	key := SourceKey(a)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[key]--; l.open[key] <= 0 {
		delete(l.open, key)
	}
}

// Open returns the connections counted for a's network.
func (l *Limiter) Open(a netip.Addr) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.open[SourceKey(a)]
}

// SourceKey is the network whose connections are counted together: the
// IPv4 address, or the IPv6 /64.
func SourceKey(a netip.Addr) netip.Prefix {
	bits := 32
	if a.Is6() {
		bits = 64
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return netip.Prefix{} // invalid address: all share one counter
	}
	return p
}

// RemoteAddr returns the client address of c, unmapped and without zone,
// or the zero Addr.
func RemoteAddr(c net.Conn) netip.Addr {
	ap, err := netip.ParseAddrPort(c.RemoteAddr().String())
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr().Unmap().WithZone("")
}
