package auth

import (
	"container/list"
	"net/netip"
	"sync"
	"time"
)

// Limits bound failed logins, counted in memory over a sliding window, per
// account and per client network (an IPv4 address or an IPv6 /64).
type Limits struct {
	// FailuresPerAccount is how many failed logins an account may see within
	// Window; further attempts on it get ErrThrottled until old failures
	// leave the window. Zero means DefaultLimits.FailuresPerAccount, a
	// negative value no limit.
	FailuresPerAccount int
	// FailuresPerIP is the same limit per client network, across accounts.
	// Zero means DefaultLimits.FailuresPerIP, a negative value no limit.
	FailuresPerIP int
	// Window is how long a failure counts: at least Window and at most
	// Window×17/16, as failures are kept in 16 buckets per window. Zero or
	// negative means DefaultLimits.Window.
	Window time.Duration
}

// DefaultLimits are the limits used for zero Limits fields: 10 failures per
// account and 100 per client network within 15 minutes. The per-network
// limit is the looser one because a whole office may share one address
// behind NAT, and a mail client retrying a stale password fails several
// times per hour. It is a read-only table: do not modify it.
var DefaultLimits = Limits{FailuresPerAccount: 10, FailuresPerIP: 100, Window: 15 * time.Minute}

// withDefaults returns l with zero fields replaced by DefaultLimits'.
func (l Limits) withDefaults() Limits {
	if l.FailuresPerAccount == 0 {
		l.FailuresPerAccount = DefaultLimits.FailuresPerAccount
	}
	if l.FailuresPerIP == 0 {
		l.FailuresPerIP = DefaultLimits.FailuresPerIP
	}
	if l.Window <= 0 {
		l.Window = DefaultLimits.Window
	}
	return l
}

const (
	// slotsPerWindow is the number of buckets a window is cut into.
	slotsPerWindow = 16
	// ringSize is one bucket more than a window, so that a failure counts
	// for at least a whole window.
	ringSize = slotsPerWindow + 1
	// maxTrackedKeys bounds each of the two maps of counters. At about
	// 200 bytes per entry, both together stay under 40 MiB.
	maxTrackedKeys = 100_000
)

// Names of the limits, for logs.
const (
	scopeAccount = "account"
	scopeIP      = "ip"
)

// throttle counts recent login attempts. Each attempt is counted as a
// failure when it begins, atomically with the check of the limits, so that
// concurrent attempts cannot all slip under a limit; begin's ticket then
// takes the count back for a success or an attempt that could not be
// decided. It is safe for concurrent use.
type throttle struct {
	limits    Limits // with defaults applied
	slotWidth time.Duration
	maxKeys   int

	mu       sync.Mutex
	accounts counters[string]
	sources  counters[netip.Prefix]
}

// ticket identifies one attempt counted by throttle.begin.
type ticket struct {
	account string // "" if the username was not an address
	source  netip.Prefix
	slot    int64
}

func newThrottle(l Limits, maxKeys int) *throttle {
	l = l.withDefaults()
	w := l.Window / slotsPerWindow
	if w <= 0 {
		w = 1
	}
	return &throttle{
		limits:    l,
		slotWidth: w,
		maxKeys:   maxKeys,
		accounts:  newCounters[string](),
		sources:   newCounters[netip.Prefix](),
	}
}

// slot returns the number of the bucket holding now.
func (t *throttle) slot(now time.Time) int64 {
	n, w := now.UnixNano(), int64(t.slotWidth)
	s := n / w
	if n%w < 0 {
		s-- // floor, for clocks before 1970
	}
	return s
}

// begin checks the limits for an attempt on account (empty if the username
// is not an address) from source and, if they allow it, counts it as a
// failure. It returns the name of the exceeded limit, or "" and a ticket.
func (t *throttle) begin(account string, source netip.Prefix, now time.Time) (ticket, string) {
	slot := t.slot(now)
	checkAccount := account != "" && t.limits.FailuresPerAccount > 0
	checkSource := t.limits.FailuresPerIP > 0

	t.mu.Lock()
	defer t.mu.Unlock()
	t.accounts.prune(slot)
	t.sources.prune(slot)
	if checkAccount && t.accounts.count(account, slot) >= t.limits.FailuresPerAccount {
		return ticket{}, scopeAccount
	}
	if checkSource && t.sources.count(source, slot) >= t.limits.FailuresPerIP {
		return ticket{}, scopeIP
	}
	tk := ticket{source: source, slot: slot}
	if checkAccount {
		tk.account = account
		t.accounts.add(account, slot, t.maxKeys)
	}
	if checkSource {
		t.sources.add(source, slot, t.maxKeys)
	}
	return tk, ""
}

// succeed records a successful login: the account's failures are forgotten
// and the attempt is taken back from the source's count (earlier failures
// from the source still count).
func (t *throttle) succeed(tk ticket) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if tk.account != "" {
		t.accounts.remove(tk.account)
	}
	t.sources.undo(tk.source, tk.slot)
}

// cancel takes back the attempt tk, which ended without a verdict on the
// password (storage failure, cancelled context).
func (t *throttle) cancel(tk ticket) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if tk.account != "" {
		t.accounts.undo(tk.account, tk.slot)
	}
	t.sources.undo(tk.source, tk.slot)
}

// len returns the number of tracked accounts and sources.
func (t *throttle) len() (accounts, sources int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.accounts.byKey), len(t.sources.byKey)
}

// counters holds failure counts per key in ring buffers of buckets, and the
// keys in a list from the most to the least recently counted, so that
// expired and excess entries are dropped from its back. Not safe for
// concurrent use.
type counters[K comparable] struct {
	byKey map[K]*list.Element // of *counter[K]
	order *list.List
}

// counter is the ring of buckets of one key.
type counter[K comparable] struct {
	key    K
	head   int64 // newest slot counted
	counts [ringSize]uint32
}

func newCounters[K comparable]() counters[K] {
	return counters[K]{byKey: make(map[K]*list.Element), order: list.New()}
}

// ringIndex maps a slot number, possibly negative, to its bucket.
func ringIndex(slot int64) int {
	i := slot % ringSize
	if i < 0 {
		i += ringSize
	}
	return int(i)
}

// live reports whether a failure counted in slot still counts at slot now.
func live(slot, now int64) bool {
	return now-slot < ringSize
}

// count returns the failures of key that still count at slot now.
func (cs *counters[K]) count(key K, now int64) int {
	e, ok := cs.byKey[key]
	if !ok {
		return 0
	}
	c := e.Value.(*counter[K])
	n := 0
	for s := c.head; s > c.head-ringSize && live(s, now); s-- {
		n += int(c.counts[ringIndex(s)])
	}
	return n
}

// add counts one failure of key at slot now, evicting the least recently
// counted key if this one is new and maxKeys are already tracked.
func (cs *counters[K]) add(key K, now int64, maxKeys int) {
	e, ok := cs.byKey[key]
	if !ok {
		for len(cs.byKey) >= maxKeys && cs.order.Len() > 0 {
			cs.removeElement(cs.order.Back())
		}
		e = cs.order.PushFront(&counter[K]{key: key, head: now})
		cs.byKey[key] = e
	}
	c := e.Value.(*counter[K])
	if now > c.head {
		// Clear the buckets between the old head and now: they are being
		// reused for newer slots. A clock that went back counts in head.
		for s := c.head + 1; s <= now && s <= c.head+ringSize; s++ {
			c.counts[ringIndex(s)] = 0
		}
		c.head = now
	}
	if c.counts[ringIndex(c.head)] < ^uint32(0) {
		c.counts[ringIndex(c.head)]++
	}
	cs.order.MoveToFront(e)
}

// undo takes back one failure of key counted at slot, unless its bucket has
// expired or been reused since.
func (cs *counters[K]) undo(key K, slot int64) {
	e, ok := cs.byKey[key]
	if !ok {
		return
	}
	c := e.Value.(*counter[K])
	if slot > c.head || !live(slot, c.head) {
		return
	}
	if i := ringIndex(slot); c.counts[i] > 0 {
		c.counts[i]--
	}
}

// remove forgets key.
func (cs *counters[K]) remove(key K) {
	if e, ok := cs.byKey[key]; ok {
		cs.removeElement(e)
	}
}

func (cs *counters[K]) removeElement(e *list.Element) {
	delete(cs.byKey, e.Value.(*counter[K]).key)
	cs.order.Remove(e)
}

// prune drops the keys whose every failure has expired at slot now.
func (cs *counters[K]) prune(now int64) {
	for e := cs.order.Back(); e != nil; e = cs.order.Back() {
		if live(e.Value.(*counter[K]).head, now) {
			return
		}
		cs.removeElement(e)
	}
}
