package queue

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"slices"
	"strings"
)

// route returns the hosts to try for domain, best first (RFC 5321 §5.1),
// or a *failure: permanent when the domain does not exist (5.1.2), has a
// null MX (5.1.10) or routes back to us (5.4.6); temporary when DNS fails.
func (w *Worker) route(ctx context.Context, domain string) ([]string, error) {
	mxs, err := w.dns.LookupMX(ctx, domain)
	switch {
	case err != nil && !isNotFound(err):
		return nil, &failure{"4.4.3", fmt.Sprintf("MX lookup for %s: %v", domain, err)}
	case len(mxs) == 0:
		// No MX: the domain itself is the implicit MX, if it has an
		// address (RFC 5321 §5.1). Go's resolver reports a name without
		// MX records as not found, like a name that does not exist, so
		// the address lookup tells the two apart.
		return w.implicitMX(ctx, domain)
	}
	return orderMX(mxs, domain, w.cfg.Hostname)
}

// implicitMX returns domain as its own mail host if it has an address.
func (w *Worker) implicitMX(ctx context.Context, domain string) ([]string, error) {
	addrs, err := w.dns.LookupIPAddr(ctx, domain)
	switch {
	case err != nil && !isNotFound(err):
		return nil, &failure{"4.4.3", fmt.Sprintf("address lookup for %s: %v", domain, err)}
	case len(addrs) == 0:
		return nil, &failure{"5.1.2", fmt.Sprintf("domain not found: %s has no MX and no address", domain)}
	}
	return []string{domain}, nil
}

// orderMX sorts MX records by preference, shuffling equal preferences to
// spread the load (RFC 5321 §5.1), and returns their host names. A null MX
// (RFC 7505 §3) is a permanent failure. If our own host name is listed,
// it and every host of equal or lower priority are dropped, to avoid a
// loop (RFC 5321 §5.1).
func orderMX(mxs []*net.MX, domain, self string) ([]string, error) {
	recs := make([]net.MX, 0, len(mxs))
	for _, mx := range mxs {
		host := strings.ToLower(strings.TrimSuffix(mx.Host, "."))
		if host == "" {
			continue // a null MX among others: ignore it
		}
		recs = append(recs, net.MX{Host: host, Pref: mx.Pref})
	}
	if len(recs) == 0 {
		return nil, &failure{"5.1.10", fmt.Sprintf("%s accepts no mail (null MX)", domain)}
	}
	rand.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
	slices.SortStableFunc(recs, func(a, b net.MX) int { return cmp.Compare(a.Pref, b.Pref) })
	if i := slices.IndexFunc(recs, func(r net.MX) bool { return strings.EqualFold(r.Host, self) }); i >= 0 {
		ours := recs[i].Pref
		recs = slices.DeleteFunc(recs, func(r net.MX) bool { return r.Pref >= ours })
	}
	hosts := make([]string, 0, len(recs))
	for _, r := range recs {
		hosts = append(hosts, r.Host)
	}
	if len(hosts) == 0 {
		return nil, &failure{"5.4.6", fmt.Sprintf("mail loop: the best MX for %s is this server", domain)}
	}
	return hosts, nil
}
