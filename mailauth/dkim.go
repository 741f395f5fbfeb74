package mailauth

import (
	"bytes"
	"context"
	"errors"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
)

// MaxSignatures is the most DKIM-Signature fields verified in one message,
// the first ones in header order; later ones are ignored and get no
// result. Each costs a DNS query and a pass over the body.
const MaxSignatures = 5

// checkDKIM verifies the first MaxSignatures signatures of raw (RFC 6376
// §6.1), looking keys up under ctx.
func (c *Checker) checkDKIM(ctx context.Context, raw []byte, h msgHeader) []DKIMResult {
	sigs := h.sigs
	if len(sigs) > MaxSignatures {
		sigs = sigs[:MaxSignatures]
	}
	if len(sigs) == 0 {
		return nil
	}
	results := make([]DKIMResult, len(sigs))
	for i, s := range sigs {
		results[i] = DKIMResult{Domain: s.domain, Selector: s.selector}
	}
	if h.tooLarge {
		return allPermError(results, "header section too large")
	}
	verifs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{
		LookupTXT: func(name string) ([]string, error) {
			return c.dns.LookupTXT(ctx, name)
		},
		MaxVerifications: MaxSignatures,
	})
	// Any other error means go-msgauth could not read the message (no end
	// of header); with several signatures it then also clears the failing
	// one's Err, so no verification of that call can be trusted.
	if err != nil && !errors.Is(err, dkim.ErrTooManySignatures) {
		return allPermError(results, trimDKIM(err))
	}
	if len(verifs) != len(results) {
		return allPermError(results, "signatures miscounted")
	}
	for i, v := range verifs {
		if v.Domain != "" {
			results[i].Domain = strings.ToLower(v.Domain)
		}
		if d, ok := normDomain(results[i].Domain); ok {
			results[i].Domain = d
		}
		results[i].Result, results[i].Err = c.dkimOutcome(v)
	}
	return results
}

// dkimOutcome maps one go-msgauth verification to a result (RFC 6376
// §6.1: TEMPFAIL is temperror, PERMFAIL permerror, a signature or body
// hash that does not verify is fail; RFC 8601 §2.7.1).
func (c *Checker) dkimOutcome(v *dkim.Verification) (Result, string) {
	switch {
	case v.Err == nil:
		// RFC 6376 §3.5 x=: go-msgauth compares with the wall clock; the
		// verdict must follow ours.
		if !v.Expiration.IsZero() && c.now().After(v.Expiration) {
			return PermError, "signature has expired"
		}
		return Pass, ""
	case dkim.IsTempFail(v.Err):
		return TempError, trimDKIM(v.Err)
	case dkim.IsPermFail(v.Err):
		return PermError, trimDKIM(v.Err)
	default:
		return Fail, trimDKIM(v.Err)
	}
}

func allPermError(results []DKIMResult, why string) []DKIMResult {
	for i := range results {
		results[i].Result, results[i].Err = PermError, why
	}
	return results
}

func trimDKIM(err error) string {
	return strings.TrimPrefix(err.Error(), "dkim: ")
}
