package mailauth

import (
	"io"
	"mime"
	"net/mail"
	"net/netip"
	"strings"

	"golang.org/x/net/idna"
	"golang.org/x/net/publicsuffix"
)

// normDomain returns d lowercase, as ASCII (IDNA A-labels), without a
// trailing dot, and whether it is a multi-label DNS name: labels of 1 to
// 63 letters, digits, hyphens or underscores, 253 bytes at most. Address
// literals and single labels are not domains here (RFC 7208 §4.3: SPF
// gives "none" for them; DMARC needs a DNS name).
func normDomain(d string) (string, bool) {
	d = strings.TrimSuffix(d, ".")
	if d == "" || len(d) > 253*4 {
		return "", false
	}
	if !isASCII(d) {
		a, err := idna.Lookup.ToASCII(d)
		if err != nil {
			return "", false
		}
		d = a
	}
	d = strings.ToLower(d)
	if len(d) > 253 || !strings.Contains(d, ".") {
		return "", false
	}
	if _, err := netip.ParseAddr(d); err == nil {
		return "", false
	}
	for label := range strings.SplitSeq(d, ".") {
		if label == "" || len(label) > 63 {
			return "", false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return "", false
			}
		}
	}
	return d, true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// orgDomain returns the organizational domain of a normalized domain (RFC
// 7489 §3.2): the public suffix plus one label. A domain that is itself a
// public suffix is its own organizational domain.
func orgDomain(d string) string {
	org, err := publicsuffix.EffectiveTLDPlusOne(d)
	if err != nil {
		return d
	}
	return org
}

// aligned reports whether two normalized domains are aligned (RFC 7489
// §3.1): identical in strict mode, or sharing the organizational domain in
// relaxed mode.
func aligned(a, b string, strict bool) bool {
	if a == "" || b == "" {
		return false
	}
	if strict {
		return a == b
	}
	return a == b || orgDomain(a) == orgDomain(b)
}

// newAddressParser returns a parser for From fields. Display names in an
// unknown charset are passed through rather than failing the parse: only
// the address matters here.
func newAddressParser() *mail.AddressParser {
	return &mail.AddressParser{WordDecoder: &mime.WordDecoder{
		CharsetReader: func(_ string, r io.Reader) (io.Reader, error) { return r, nil },
	}}
}

// fromDomain returns the normalized domain of the single RFC5322.From
// address, or "" when there is not exactly one From field holding exactly
// one address with a usable domain (RFC 7489 §6.6.1).
func fromDomain(froms []string) string {
	if len(froms) != 1 {
		return ""
	}
	list, err := newAddressParser().ParseList(froms[0])
	if err != nil || len(list) != 1 {
		return ""
	}
	at := strings.LastIndexByte(list[0].Address, '@')
	if at < 0 {
		return ""
	}
	d, ok := normDomain(list[0].Address[at+1:])
	if !ok {
		return ""
	}
	return d
}
