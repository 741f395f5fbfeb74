package smtpd

import (
	"crypto/tls"
	"net/netip"
	"strings"
	"time"
)

// trace is what a Received header field records about one message.
type trace struct {
	helo          string               // EHLO/HELO argument, as the client sent it
	remote        netip.Addr           // client address
	tls           *tls.ConnectionState // nil without TLS
	authenticated bool                 // AUTH succeeded (submission)
	by            string               // our host name
	id            string               // our message ID
	rcpt          string               // the recipient if there is exactly one, else ""
	when          time.Time            // time of receipt
}

// received returns the Received header field for t, folded, with its CRLF
// (RFC 5321 §4.4):
//
//	Received: from client.example.org ([192.0.2.1])
//		(using TLSv1.3 with cipher TLS_AES_128_GCM_SHA256)
//		by mx.example.net with ESMTPS id 0a1b2c3d4e5f6g7h
//		for <marie@example.net>; Sat, 28 Nov 2026 22:45:00 +0100
//
// A HELO argument that is neither a domain nor an address literal is
// replaced by "unknown", so client text cannot break the field's syntax.
// Without a resolver, TCP-info is the address literal alone. The "for"
// clause is left out for several recipients, which it would disclose to
// each other (Bcc).
func received(t trace) string {
	var b strings.Builder
	b.WriteString("Received: from ")
	if validHelo(t.helo) {
		b.WriteString(t.helo)
	} else {
		b.WriteString("unknown")
	}
	b.WriteString(" (")
	b.WriteString(addressLiteral(t.remote))
	b.WriteString(")\r\n")
	if t.tls != nil {
		b.WriteString("\t(using ")
		b.WriteString(tlsVersionName(t.tls.Version))
		b.WriteString(" with cipher ")
		b.WriteString(tls.CipherSuiteName(t.tls.CipherSuite))
		b.WriteString(")\r\n")
	}
	b.WriteString("\tby ")
	b.WriteString(t.by)
	b.WriteString(" with ")
	b.WriteString(withProtocol(t.tls != nil, t.authenticated))
	b.WriteString(" id ")
	b.WriteString(t.id)
	if t.rcpt != "" && safeForClause(t.rcpt) {
		b.WriteString("\r\n\tfor <")
		b.WriteString(t.rcpt)
		b.WriteString(">")
	}
	b.WriteString("; ")
	b.WriteString(t.when.Format(time.RFC1123Z))
	b.WriteString("\r\n")
	return b.String()
}

// withProtocol returns the "with" keyword of RFC 3848: ESMTP, plus S for
// TLS and A for an authenticated client. go-smtp does not tell EHLO from
// HELO, so plain "SMTP" is never used.
func withProtocol(tls, authenticated bool) string {
	p := "ESMTP"
	if tls {
		p += "S"
	}
	if authenticated {
		p += "A"
	}
	return p
}

// tlsVersionName returns the protocol name as OpenSSL and Postfix spell it
// in Received fields, "TLSv1.3".
func tlsVersionName(v uint16) string {
	return strings.Replace(tls.VersionName(v), "TLS 1.", "TLSv1.", 1)
}

// addressLiteral returns a's RFC 5321 §4.1.3 address literal, "[192.0.2.1]"
// or "[IPv6:2001:db8::1]".
func addressLiteral(a netip.Addr) string {
	a = a.Unmap().WithZone("")
	switch {
	case !a.IsValid():
		return "[unknown]"
	case a.Is4():
		return "[" + a.String() + "]"
	}
	return "[IPv6:" + a.String() + "]"
}

// validHelo reports whether s is a host name (letters, digits, hyphens and
// underscores, which Windows hosts use, in dot-separated labels) or an
// address literal.
func validHelo(s string) bool {
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		lit := s[1 : len(s)-1]
		if v6, ok := strings.CutPrefix(lit, "IPv6:"); ok {
			a, err := netip.ParseAddr(v6)
			return err == nil && a.Is6()
		}
		a, err := netip.ParseAddr(lit)
		return err == nil && a.Is4()
	}
	if s == "" || len(s) > 253 {
		return false
	}
	for label := range strings.SplitSeq(strings.TrimSuffix(s, "."), ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for i := 0; i < len(label); i++ {
			if !isHostChar(label[i]) {
				return false
			}
		}
	}
	return true
}

func isHostChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_'
}

// safeForClause reports whether addr can stand in "for <addr>" without
// changing the field's structure.
func safeForClause(addr string) bool {
	return !strings.ContainsAny(addr, "<>;()\\\" \t\r\n")
}
