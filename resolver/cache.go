package resolver

import (
	"context"
	"net"
	"strings"
	"sync"
	"time"
)

// Cache bounds. Go's resolver does not expose record TTLs, so answers are
// kept for a fixed, short time: a changed SPF, DKIM, DMARC or MX record is
// seen at most CacheTTL late (RFC 2181 §8 lets a resolver keep a record
// for less than its TTL, not more, and few mail records have TTLs under
// a minute). Names that do not exist are kept for NegativeTTL (RFC 2308).
// Temporary failures are never kept.
const (
	CacheTTL     = 60 * time.Second
	NegativeTTL  = 30 * time.Second
	cacheEntries = 10_000
)

// Cached returns r with a cache in front of it, safe for concurrent use.
// A mail server asks the same few names again and again (the sender
// domain's SPF and DMARC records for every message, the same MX hosts for
// every delivery), so without a cache each message would wait for the
// network several times.
func Cached(r Resolver, now func() time.Time) Resolver {
	if now == nil {
		now = time.Now
	}
	return &cache{next: r, now: now, entries: make(map[cacheKey]cacheEntry)}
}

type cacheKey struct {
	kind byte // 't' TXT, 'm' MX, 'i' IP, 'p' PTR
	name string
}

type cacheEntry struct {
	value   any
	err     error // a not-found error, or nil
	expires time.Time
}

type cache struct {
	next Resolver
	now  func() time.Time

	mu      sync.Mutex
	entries map[cacheKey]cacheEntry
}

func (c *cache) get(k cacheKey) (cacheEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[k]
	if ok && c.now().After(e.expires) {
		delete(c.entries, k)
		return cacheEntry{}, false
	}
	return e, ok
}

func (c *cache) put(k cacheKey, value any, err error) {
	ttl := CacheTTL
	switch {
	case err == nil:
	case IsNotFound(err):
		ttl = NegativeTTL
	default:
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if len(c.entries) >= cacheEntries {
		for key, e := range c.entries {
			if now.After(e.expires) {
				delete(c.entries, key)
			}
		}
		if len(c.entries) >= cacheEntries {
			clear(c.entries) // full of live entries: start again
		}
	}
	c.entries[k] = cacheEntry{value: value, err: err, expires: now.Add(ttl)}
}

// lookup answers from the cache or asks next and remembers the answer.
// Callers get their own copy of slices, so they may modify them.
func lookup[T any](c *cache, kind byte, name string, ask func() ([]T, error)) ([]T, error) {
	k := cacheKey{kind: kind, name: strings.ToLower(absolute(name))}
	if e, ok := c.get(k); ok {
		if e.err != nil {
			return nil, e.err
		}
		return append([]T(nil), e.value.([]T)...), nil
	}
	v, err := ask()
	c.put(k, append([]T(nil), v...), err)
	return v, err
}

func (c *cache) LookupTXT(ctx context.Context, name string) ([]string, error) {
	return lookup(c, 't', name, func() ([]string, error) { return c.next.LookupTXT(ctx, name) })
}

func (c *cache) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	mxs, err := lookup(c, 'm', name, func() ([]*net.MX, error) { return c.next.LookupMX(ctx, name) })
	// The *net.MX values are shared with the cache: hand out copies.
	for i, mx := range mxs {
		cp := *mx
		mxs[i] = &cp
	}
	return mxs, err
}

func (c *cache) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	return lookup(c, 'i', host, func() ([]net.IPAddr, error) { return c.next.LookupIPAddr(ctx, host) })
}

func (c *cache) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	return lookup(c, 'p', addr, func() ([]string, error) { return c.next.LookupAddr(ctx, addr) })
}
