package auth

import (
	"fmt"
	"strings"
)

// Length limits on addresses, in octets.
const (
	maxLocalLen   = 64  // RFC 5321 §4.5.3.1.1
	maxDomainLen  = 253 // RFC 1035 §2.3.4: 255 octets on the wire
	maxLabelLen   = 63  // RFC 1035 §2.3.4
	maxAddressLen = 254 // RFC 5321 §4.5.3.1.3: a path is at most 256 octets with "<" and ">"
)

// NormalizeAddress returns s as a login: surrounding white space trimmed,
// lower-cased. It accepts only a simple ASCII local@domain address:
//
//   - the local part is a dot-atom (RFC 5321 §4.1.2 Dot-string), at most 64
//     octets; quoted local parts are refused;
//   - the domain is a DNS host name (RFC 1123 §2.1) with labels of letters,
//     digits and inner hyphens, at most 253 octets, without trailing dot and
//     not ending in an all-numeric label; address literals are refused;
//   - the whole is at most 254 octets.
//
// Internationalized addresses (RFC 6531) are refused; domains must be given
// in their A-label (xn--) form. The error wraps ErrInvalidAddress.
func NormalizeAddress(s string) (string, error) {
	s = strings.TrimSpace(s)
	if len(s) > maxAddressLen {
		return "", fmt.Errorf("longer than %d octets: %w", maxAddressLen, ErrInvalidAddress)
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || strings.Contains(domain, "@") {
		return "", fmt.Errorf("want exactly one @: %w", ErrInvalidAddress)
	}
	if !validLocalPart(local) {
		return "", fmt.Errorf("local part not a dot-atom of at most %d octets: %w", maxLocalLen, ErrInvalidAddress)
	}
	if !validDomain(domain) {
		return "", fmt.Errorf("domain not a host name: %w", ErrInvalidAddress)
	}
	// Only ASCII is left, so lower-casing cannot change the length or map a
	// non-ASCII letter (such as the Kelvin sign) onto an ASCII one.
	return strings.ToLower(s), nil
}

// validLocalPart reports whether s is a dot-atom: atoms of atext joined by
// single dots (RFC 5321 §4.1.2, RFC 5322 §3.2.3).
func validLocalPart(s string) bool {
	if len(s) > maxLocalLen {
		return false
	}
	for atom := range strings.SplitSeq(s, ".") {
		if atom == "" {
			return false
		}
		for i := 0; i < len(atom); i++ {
			if !isAtext(atom[i]) {
				return false
			}
		}
	}
	return true
}

// isAtext reports whether c is an RFC 5322 §3.2.3 atext character.
func isAtext(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// validDomain reports whether s is a host name: labels of letters, digits
// and hyphens, not starting or ending with a hyphen (RFC 1035 §2.3.1 as
// relaxed by RFC 1123 §2.1), whose last label is not all digits, so that it
// cannot be mistaken for an IPv4 address.
func validDomain(s string) bool {
	if s == "" || len(s) > maxDomainLen {
		return false
	}
	allDigits := false
	for label := range strings.SplitSeq(s, ".") {
		if label == "" || len(label) > maxLabelLen || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		allDigits = true
		for i := 0; i < len(label); i++ {
			c := label[i]
			switch {
			case '0' <= c && c <= '9':
			case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', c == '-':
				allDigits = false
			default:
				return false
			}
		}
	}
	return !allDigits
}
