package resolver

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/foxcpp/go-mockdns"
)

// counting counts the lookups that reach the resolver behind a cache.
type counting struct {
	Resolver
	mu sync.Mutex
	n  int
}

func (c *counting) count() {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
}

func (c *counting) LookupTXT(ctx context.Context, name string) ([]string, error) {
	c.count()
	return c.Resolver.LookupTXT(ctx, name)
}

func (c *counting) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	c.count()
	return c.Resolver.LookupMX(ctx, name)
}

func TestCache(t *testing.T) {
	t.Parallel()
	zones := map[string]mockdns.Zone{
		"example.org.":        {TXT: []string{"v=spf1 -all"}, MX: []net.MX{{Host: "mx.example.org.", Pref: 10}}},
		"down.example.":       {Err: &net.DNSError{Err: "server failure", IsTemporary: true}},
		"_dmarc.example.org.": {TXT: []string{"v=DMARC1; p=reject"}},
	}
	next := &counting{Resolver: &mockdns.Resolver{Zones: zones}}
	now := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	c := Cached(next, func() time.Time { return now })
	ctx := context.Background()
	lookups := func() int {
		next.mu.Lock()
		defer next.mu.Unlock()
		return next.n
	}

	for range 3 {
		txt, err := c.LookupTXT(ctx, "Example.ORG")
		if err != nil || len(txt) != 1 || txt[0] != "v=spf1 -all" {
			t.Fatalf("TXT = %v, %v", txt, err)
		}
		txt[0] = "scribbled" // callers own their copy
	}
	if lookups() != 1 {
		t.Fatalf("%d lookups for the same name, want 1", lookups())
	}
	mx, _ := c.LookupMX(ctx, "example.org")
	mx[0].Host = "scribbled."
	if mx, _ := c.LookupMX(ctx, "example.org"); mx[0].Host != "mx.example.org." {
		t.Fatalf("cached MX changed by a caller: %v", mx[0].Host)
	}

	// Not found is remembered, for NegativeTTL.
	for range 2 {
		if _, err := c.LookupTXT(ctx, "_dmarc.nowhere.example"); !IsNotFound(err) {
			t.Fatalf("err = %v, want not found", err)
		}
	}
	base := lookups()
	// Temporary failures are not.
	for range 2 {
		if _, err := c.LookupTXT(ctx, "down.example"); !IsTemporary(err) {
			t.Fatalf("err = %v, want temporary", err)
		}
	}
	if got := lookups() - base; got != 2 {
		t.Fatalf("temporary failure cached: %d lookups, want 2", got)
	}

	now = now.Add(NegativeTTL + time.Second)
	base = lookups()
	c.LookupTXT(ctx, "_dmarc.nowhere.example")
	c.LookupTXT(ctx, "example.org")
	if got := lookups() - base; got != 1 {
		t.Fatalf("after NegativeTTL: %d lookups, want 1 (only the negative answer expired)", got)
	}
	now = now.Add(CacheTTL)
	base = lookups()
	c.LookupTXT(ctx, "example.org")
	if got := lookups() - base; got != 1 {
		t.Fatalf("after CacheTTL: %d lookups, want 1", got)
	}
}
