package mailauth

import (
	"context"
	"errors"
	"net"

	"blitiri.com.ar/go/spf"

	"mailnet/resolver"
)

// dnsAdapter puts our rules on the Resolver for the libraries we call.
// blitiri spf and go-msgauth test errors with type assertions
// (*net.DNSError, net.Error) rather than errors.As, so every error leaves
// here as a bare *net.DNSError: IsNotFound for a name without records,
// IsTemporary for anything else. A failed lookup is never taken as
// absence: a forged sender must not pass because DNS was down (RFC 7208
// §2.6.6, RFC 6376 §6.1.2, RFC 7489 §6.6.3). A context that has ended
// fails the lookup before it is asked.
type dnsAdapter struct {
	r resolver.Resolver
}

var _ spf.DNSResolver = dnsAdapter{}

func (d dnsAdapter) LookupTXT(ctx context.Context, name string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, dnsError(err, name)
	}
	txt, err := d.r.LookupTXT(ctx, name)
	return txt, dnsError(err, name)
}

func (d dnsAdapter) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	if err := ctx.Err(); err != nil {
		return nil, dnsError(err, name)
	}
	mx, err := d.r.LookupMX(ctx, name)
	return mx, dnsError(err, name)
}

func (d dnsAdapter) LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error) {
	if err := ctx.Err(); err != nil {
		return nil, dnsError(err, host)
	}
	ips, err := d.r.LookupIPAddr(ctx, host)
	return ips, dnsError(err, host)
}

func (d dnsAdapter) LookupAddr(ctx context.Context, addr string) ([]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, dnsError(err, addr)
	}
	names, err := d.r.LookupAddr(ctx, addr)
	return names, dnsError(err, addr)
}

// dnsError returns err as a bare *net.DNSError, not-found or temporary.
func dnsError(err error, name string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if de, ok := errors.AsType[*net.DNSError](err); ok {
		msg = de.Err
	}
	if resolver.IsNotFound(err) {
		return &net.DNSError{Err: msg, Name: name, IsNotFound: true, UnwrapErr: err}
	}
	return &net.DNSError{Err: msg, Name: name, IsTemporary: true, UnwrapErr: err}
}
