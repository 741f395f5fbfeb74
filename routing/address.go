package routing

import (
	"strings"
	"unicode/utf8"
)

// maxAddress is the longest path RFC 5321 §4.5.3.1.3 allows (256 octets
// including the angle brackets).
const maxAddress = 254

// Canonical returns the lower-cased form of an envelope address and its
// domain. Local parts are compared case-insensitively here: every mailnet
// account is stored lower-cased (RFC 5321 §2.4 lets the receiving host
// decide). It returns ErrBadAddress when the address has no single @, an
// empty part, spaces, control characters or invalid UTF-8.
func Canonical(addr string) (address, domain string, err error) {
	if len(addr) > maxAddress || !utf8.ValidString(addr) {
		return "", "", ErrBadAddress
	}
	at := strings.LastIndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 {
		return "", "", ErrBadAddress
	}
	for _, r := range addr {
		if r <= ' ' || r == 0x7f {
			return "", "", ErrBadAddress
		}
	}
	if strings.Contains(addr[at+1:], "..") || strings.HasPrefix(addr[at+1:], ".") {
		return "", "", ErrBadAddress
	}
	address = strings.ToLower(addr)
	return address, address[at+1:], nil
}
