package mailauth

import (
	"context"
	"net"
	"strings"

	"blitiri.com.ar/go/spf"

	"mailnet/resolver"
)

// SPF identities (RFC 7208 §2.3, §2.4), for SPFResult.Identity.
const (
	IdentityMailFrom = "mailfrom"
	IdentityHelo     = "helo"
)

// checkSPF runs check_host() for the MAIL FROM identity, or for
// postmaster@HELO when the reverse-path is null (RFC 7208 §2.4).
func checkSPF(ctx context.Context, dns dnsAdapter, in Input) SPFResult {
	sender, identity := in.MailFrom, IdentityMailFrom
	if sender == "" {
		sender, identity = "postmaster@"+in.Helo, IdentityHelo
	}
	local, dom := "postmaster", sender
	if at := strings.LastIndexByte(sender, '@'); at >= 0 {
		local, dom = sender[:at], sender[at+1:]
	}
	res := SPFResult{Identity: identity}
	d, ok := normDomain(dom)
	if !ok {
		// RFC 7208 §4.3: a malformed or single-label domain gives "none".
		res.Result, res.Err = None, "no usable domain"
		return res
	}
	res.Domain = d
	// RFC 7208 §4.3: a sender without local-part is postmaster; blitiri
	// cuts at the first '@', so a quoted local-part holding one is replaced
	// too (it only matters to the %{l} macro).
	if local == "" || strings.ContainsRune(local, '@') {
		local = "postmaster"
	}
	if !in.RemoteIP.IsValid() {
		res.Result, res.Err = PermError, "no remote IP"
		return res
	}
	ip := net.IP(in.RemoteIP.Unmap().AsSlice())
	helo := in.Helo
	if h, ok := normDomain(helo); ok {
		helo = h
	}
	r, err := spf.CheckHostWithSender(ip, helo, local+"@"+d, spf.WithResolver(dns), spf.WithContext(ctx))
	res.Result = Result(r)
	switch r {
	case spf.None, spf.Neutral, spf.Pass, spf.Fail, spf.SoftFail, spf.TempError, spf.PermError:
	default:
		res.Result = PermError
	}
	// blitiri calls permerror what it cannot classify; an ended context
	// or a failed lookup is temporary (RFC 7208 §2.6.6).
	if res.Result == PermError && (resolver.IsTemporary(err) || ctx.Err() != nil) {
		res.Result = TempError
	}
	if res.Result != Pass && err != nil {
		res.Err = err.Error()
	}
	return res
}
