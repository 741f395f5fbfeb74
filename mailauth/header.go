package mailauth

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/emersion/go-msgauth/authres"
)

// maxReason bounds the reason text of a DKIM result in the header.
const maxReason = 80

// Header returns one Authentication-Results field for v (RFC 8601 §2.2),
// with our authserv-id, folded one result per line and CRLF-terminated:
//
//	Authentication-Results: mx.example.net;
//		spf=pass smtp.mailfrom=example.org;
//		dkim=pass header.d=example.org header.s=sel;
//		dmarc=pass header.from=example.org
//
// SPF names the MAIL FROM domain (smtp.mailfrom), or the HELO domain
// (smtp.helo) for the null sender; there is one dkim result per signature,
// or dkim=none. Values from the message that could break the field's
// syntax are left out, so the field is always well-formed whatever the
// message held. Prepend it to the message after StripOwnResults.
func (c *Checker) Header(v Verdict) string {
	results := []authres.Result{spfResult(v.SPF)}
	if len(v.DKIM) == 0 {
		results = append(results, &authres.GenericResult{Method: "dkim", Value: authres.ResultNone})
	}
	for _, d := range v.DKIM {
		params := map[string]string{"header.d": safeValue(d.Domain), "header.s": safeValue(d.Selector)}
		if d.Result != Pass {
			params["reason"] = safeReason(d.Err)
		}
		results = append(results, &authres.GenericResult{Method: "dkim", Value: authres.ResultValue(d.Result), Params: params})
	}
	results = append(results, &authres.DMARCResult{Value: authres.ResultValue(v.DMARC.Result), From: safeValue(v.DMARC.FromDomain)})

	var b strings.Builder
	b.WriteString("Authentication-Results: ")
	b.WriteString(c.authServID)
	for _, r := range results {
		// authres.Format gives "<id>; method=value props "; with an empty
		// id, the part after "; " is this result alone.
		s := strings.TrimPrefix(authres.Format("", []authres.Result{r}), "; ")
		b.WriteString(";\r\n\t")
		b.WriteString(strings.TrimRight(s, " "))
	}
	b.WriteString("\r\n")
	return b.String()
}

func spfResult(r SPFResult) *authres.SPFResult {
	res := &authres.SPFResult{Value: authres.ResultValue(r.Result)}
	if r.Identity == IdentityHelo {
		res.Helo = safeValue(r.Domain)
	} else {
		res.From = safeValue(r.Domain)
	}
	return res
}

// safeValue returns s if it can stand as a property value (RFC 8601 §2.2
// pvalue) that authres writes as it is or quotes, and "" otherwise, which
// leaves the property out: white space, controls, quotes, backslashes,
// parentheses, and ';' (which would end the result) are refused.
func safeValue(s string) string {
	if len(s) > 255 || !utf8.ValidString(s) {
		return ""
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || strings.ContainsRune(`"\();`, r) || !unicode.IsPrint(r) {
			return ""
		}
	}
	return s
}

// safeReason returns s cut to maxReason bytes with everything but
// printable ASCII and the characters safeValue refuses (space excepted)
// replaced, for a quoted reason= (RFC 8601 §2.7.1).
func safeReason(s string) string {
	if len(s) > maxReason {
		s = s[:maxReason]
	}
	return strings.Map(func(r rune) rune {
		if r < ' ' || r > '~' || strings.ContainsRune(`"\();`, r) {
			return '_'
		}
		return r
	}, s)
}
