package resolver

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"time"
)

// Resolver is what mailnet asks of DNS. *net.Resolver and
// *mockdns.Resolver satisfy it, and so does the method set of
// blitiri.com.ar/go/spf's DNSResolver, so a Resolver can be handed to
// spf.WithResolver as it is.
//
// Implementations must be safe for concurrent use. Errors should be
// *net.DNSError values, with IsNotFound set for a name that does not exist
// and IsTimeout or IsTemporary set for transient failures.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
	LookupAddr(ctx context.Context, addr string) ([]string, error)
}

// DefaultTimeout bounds one query to one server when Options.Timeout is 0.
const DefaultTimeout = 5 * time.Second

// Options configures the Resolver made by New.
type Options struct {
	// Servers are the DNS servers to ask, in order. Empty means the system
	// resolver configuration (/etc/resolv.conf).
	Servers []netip.AddrPort
	// Timeout bounds each query to each server. 0 means DefaultTimeout.
	Timeout time.Duration
}

// New returns a Resolver built on net.Resolver with PreferGo, asking
// opts.Servers in order (see the package documentation). It does no I/O;
// the returned Resolver is safe for concurrent use and holds no
// connections between lookups.
func New(opts Options) Resolver {
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	r := &netResolver{timeout: timeout}
	if len(opts.Servers) == 0 {
		r.servers = []*net.Resolver{{PreferGo: true}}
		return r
	}
	for _, s := range opts.Servers {
		r.servers = append(r.servers, &net.Resolver{PreferGo: true, Dial: dialServer(s)})
	}
	return r
}

// dialServer returns a net.Resolver Dial function that connects to server
// whatever address net asks for: net passes the servers of
// /etc/resolv.conf, which are not ours. The network ("udp" or "tcp") is
// kept, so net's TCP retry of truncated answers reaches the same server.
func dialServer(server netip.AddrPort) func(ctx context.Context, network, _ string) (net.Conn, error) {
	addr := server.String()
	return func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
}

// netResolver asks its servers in order, each try bounded by timeout.
type netResolver struct {
	servers []*net.Resolver
	timeout time.Duration
}

var _ Resolver = (*netResolver)(nil)

// LookupTXT returns the TXT records of name, each record's strings joined.
func (r *netResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	return try(ctx, r, func(ctx context.Context, s *net.Resolver) ([]string, error) {
		return s.LookupTXT(ctx, absolute(name))
	})
}

// LookupMX returns the MX records of name, sorted by preference.
func (r *netResolver) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	return try(ctx, r, func(ctx context.Context, s *net.Resolver) ([]*net.MX, error) {
		return s.LookupMX(ctx, absolute(name))
	})
}

// LookupIPAddr returns the IPv4 and IPv6 addresses of host.
func (r *netResolver) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	return try(ctx, r, func(ctx context.Context, s *net.Resolver) ([]net.IPAddr, error) {
		return s.LookupIPAddr(ctx, absolute(host))
	})
}

// LookupAddr returns the names that the address addr maps to (PTR).
func (r *netResolver) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	return try(ctx, r, func(ctx context.Context, s *net.Resolver) ([]string, error) {
		return s.LookupAddr(ctx, addr)
	})
}

// try runs lookup against each server in turn, each try under its own
// timeout, until one gives an answer or a permanent error, or ctx ends.
// The error returned is the last server's, unwrapped.
func try[T any](ctx context.Context, r *netResolver, lookup func(context.Context, *net.Resolver) (T, error)) (T, error) {
	var (
		res T
		err error
	)
	for _, s := range r.servers {
		res, err = tryOne(ctx, r.timeout, s, lookup)
		if err == nil || !IsTemporary(err) || ctx.Err() != nil {
			return res, err
		}
	}
	return res, err
}

func tryOne[T any](ctx context.Context, timeout time.Duration, s *net.Resolver, lookup func(context.Context, *net.Resolver) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	return lookup(ctx, s)
}

// absolute returns name with a trailing dot, so that net does not try the
// search domains of /etc/resolv.conf. IP literals and empty names are left
// alone: net answers "1.2.3.4" itself but would query "1.2.3.4." in DNS.
func absolute(name string) string {
	if name == "" || strings.HasSuffix(name, ".") {
		return name
	}
	if _, err := netip.ParseAddr(name); err == nil {
		return name
	}
	return name + "."
}
