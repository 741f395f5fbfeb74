package mailauth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-msgauth/dmarc"

	"mailnet/resolver"
)

// Outcomes of DMARC policy discovery other than a record.
var (
	// errNoRecord: no DMARC record at the name asked.
	errNoRecord = errors.New("no DMARC record")
	// errManyRecords: several DMARC records; RFC 7489 §6.6.3 step 5 ends
	// policy discovery, and DMARC is not applied.
	errManyRecords = errors.New("several DMARC records")
	// errBadRecord: the only DMARC record does not parse.
	errBadRecord = errors.New("unusable DMARC record")
	// errDNS: the lookup failed; nothing is known of the record.
	errDNS = errors.New("DMARC lookup failed")
)

// checkDMARC evaluates DMARC for v.FromDomain, from the SPF and DKIM
// results already in v (RFC 7489 §6.6.2, §6.6.3).
func checkDMARC(ctx context.Context, dns dnsAdapter, v Verdict) DMARCResult {
	out := DMARCResult{Result: None, Policy: PolicyNone, FromDomain: v.FromDomain}
	if v.FromDomain == "" {
		// RFC 7489 §6.6.1: no single author domain to evaluate.
		out.Result, out.Note = PermError, "no single RFC5322.From domain"
		return out
	}
	rec, atOrg, err := findRecord(ctx, dns, v.FromDomain)
	switch {
	case errors.Is(err, errNoRecord), errors.Is(err, errManyRecords):
		// No policy. Alignment is still reported, relaxed, because
		// VerifiedDomain trusts an aligned pass of a domain without DMARC.
		out.Aligned, out.Via = alignedPass(v, false, false)
		if errors.Is(err, errManyRecords) {
			out.Note = err.Error()
		}
		return out
	case errors.Is(err, errDNS):
		out.Result, out.Note = TempError, err.Error()
		return out
	case err != nil:
		// RFC 7489 §11.2 permerror: a record that cannot be interpreted.
		out.Result, out.Note = PermError, err.Error()
		return out
	}

	out.Policy = Policy(rec.Policy)
	if atOrg && rec.SubdomainPolicy != "" {
		// RFC 7489 §6.3 sp: the policy for subdomains of the
		// organizational domain where the record was found.
		out.Policy = Policy(rec.SubdomainPolicy)
	}
	strictDKIM := rec.DKIMAlignment == dmarc.AlignmentStrict
	strictSPF := rec.SPFAlignment == dmarc.AlignmentStrict
	out.Aligned, out.Via = alignedPass(v, strictDKIM, strictSPF)
	switch {
	case out.Aligned:
		out.Result = Pass
	case alignedTempError(v, strictDKIM, strictSPF):
		// An aligned identifier could not be checked: it might have
		// passed. Neither accept nor reject; the sender retries.
		out.Result, out.Note = TempError, "aligned SPF or DKIM check failed temporarily"
	default:
		out.Result = Fail
	}
	if rec.Percent != nil && *rec.Percent < 100 {
		// RFC 7489 §6.6.4 samples pct% of failing mail for the policy;
		// we apply it to all, deterministically.
		note := fmt.Sprintf("pct=%d: policy applied to every message", *rec.Percent)
		if out.Note != "" {
			note = out.Note + "; " + note
		}
		out.Note = note
	}
	return out
}

// findRecord discovers the DMARC record for from (RFC 7489 §6.6.3): at
// _dmarc.<from>, else, when there is none at all, at _dmarc.<organizational
// domain>. atOrg reports the second case.
func findRecord(ctx context.Context, dns dnsAdapter, from string) (rec *dmarc.Record, atOrg bool, err error) {
	rec, err = fetchRecord(ctx, dns, from)
	if !errors.Is(err, errNoRecord) {
		return rec, false, err
	}
	org := orgDomain(from)
	if org == from {
		return nil, false, err
	}
	rec, err = fetchRecord(ctx, dns, org)
	return rec, true, err
}

// fetchRecord reads and parses the one DMARC record at _dmarc.<domain>.
func fetchRecord(ctx context.Context, dns dnsAdapter, domain string) (*dmarc.Record, error) {
	txts, err := dns.LookupTXT(ctx, "_dmarc."+domain)
	if resolver.IsNotFound(err) {
		return nil, errNoRecord
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errDNS, err)
	}
	var recs []string
	for _, t := range txts {
		if r, ok := dmarcRecord(t); ok {
			recs = append(recs, r)
		}
	}
	switch len(recs) {
	case 0:
		return nil, errNoRecord
	case 1:
	default:
		return nil, errManyRecords
	}
	rec, err := dmarc.Parse(recs[0])
	if err != nil {
		return nil, fmt.Errorf("%w at %s: %v", errBadRecord, domain, strings.TrimPrefix(err.Error(), "dmarc: "))
	}
	return rec, nil
}

// dmarcRecord reports whether txt is a DMARC record, starting with
// "v=DMARC1" (RFC 7489 §6.4: version first, "DMARC1" case-sensitive, white
// space allowed around "="), and returns it with the version written
// plainly and the rest lowercased for go-msgauth's parser: the other tag
// names and the policy and alignment values are ABNF literals, hence
// case-insensitive (RFC 5234 §2.3). Report URIs, whose case could matter,
// are not used.
func dmarcRecord(txt string) (string, bool) {
	s := strings.TrimLeft(txt, " \t")
	if !strings.HasPrefix(s, "v") {
		return "", false
	}
	s = strings.TrimLeft(s[1:], " \t")
	if !strings.HasPrefix(s, "=") {
		return "", false
	}
	s = strings.TrimLeft(s[1:], " \t")
	rest, ok := strings.CutPrefix(s, "DMARC1")
	if !ok || rest != "" && rest[0] != ';' && rest[0] != ' ' && rest[0] != '\t' {
		return "", false
	}
	return "v=DMARC1" + strings.ToLower(rest), true
}

// alignedPass reports whether a DKIM pass (preferred) or an SPF pass is
// aligned with v.FromDomain (RFC 7489 §3.1.1, §3.1.2, §4.2), and which.
func alignedPass(v Verdict, strictDKIM, strictSPF bool) (bool, string) {
	for _, d := range v.DKIM {
		if d.Result == Pass && aligned(d.Domain, v.FromDomain, strictDKIM) {
			return true, "dkim"
		}
	}
	if v.SPF.Result == Pass && aligned(v.SPF.Domain, v.FromDomain, strictSPF) {
		return true, "spf"
	}
	return false, ""
}

// alignedTempError reports whether an SPF or DKIM check of an identifier
// aligned with v.FromDomain failed temporarily.
func alignedTempError(v Verdict, strictDKIM, strictSPF bool) bool {
	for _, d := range v.DKIM {
		if d.Result == TempError && aligned(d.Domain, v.FromDomain, strictDKIM) {
			return true
		}
	}
	return v.SPF.Result == TempError && aligned(v.SPF.Domain, v.FromDomain, strictSPF)
}
