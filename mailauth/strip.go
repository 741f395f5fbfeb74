package mailauth

import (
	"strings"
)

// StripOwnResults returns raw without the Authentication-Results fields
// that claim authServID, as RFC 8601 §5 requires of a border MTA before it
// adds its own: a field claims it when its authserv-id equals authServID,
// compared case-insensitively and ignoring a trailing dot. A field too
// malformed to yield an authserv-id (an unterminated comment or quoted
// string) claims it when it mentions authServID anywhere. Other fields,
// lookalike ids ("mx.example.net.evil") and the body are kept byte for
// byte. Only the header section is read, up to the first empty line;
// folded fields go as a whole.
//
// The result shares raw's memory when nothing is removed. An empty
// authServID removes nothing.
func StripOwnResults(raw []byte, authServID string) []byte {
	if normID(authServID) == "" {
		return raw
	}
	var out []byte
	kept := 0 // raw[:kept] is decided
	s := headerScanner{raw: raw}
	for {
		start, end, ok := s.next()
		if !ok {
			break
		}
		if !claims(raw[start:end], authServID) {
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(raw))
		}
		out = append(out, raw[kept:start]...)
		kept = end
	}
	if out == nil {
		return raw
	}
	return append(out, raw[kept:]...)
}

// claims reports whether the raw field f is an Authentication-Results
// field claiming authServID.
func claims(f []byte, authServID string) bool {
	name, value, ok := splitField(f)
	if !ok || !strings.EqualFold(name, "Authentication-Results") {
		return false
	}
	id, ok := authServIDOf(value)
	if !ok {
		return strings.Contains(strings.ToLower(value), normID(authServID))
	}
	return normID(id) == normID(authServID)
}

// normID lowercases an authserv-id and drops one trailing dot.
func normID(id string) string {
	return strings.ToLower(strings.TrimSuffix(id, "."))
}

// authServIDOf returns the authserv-id at the start of an unfolded
// Authentication-Results value (RFC 8601 §2.2: [CFWS] authserv-id, a
// token or a quoted-string, RFC 2045 §5.1). ok is false when it cannot be
// read.
func authServIDOf(v string) (id string, ok bool) {
	i, ok := skipCFWS(v)
	if !ok || i == len(v) {
		return "", false
	}
	v = v[i:]
	if v[0] == '"' {
		var b strings.Builder
		for j := 1; j < len(v); j++ {
			switch v[j] {
			case '\\':
				j++
				if j < len(v) {
					b.WriteByte(v[j])
				}
			case '"':
				return b.String(), b.Len() > 0
			default:
				b.WriteByte(v[j])
			}
		}
		return "", false
	}
	end := strings.IndexAny(v, " \t;(")
	if end < 0 {
		end = len(v)
	}
	return v[:end], end > 0
}

// skipCFWS returns the index of the first byte of v after white space and
// comments (RFC 5322 §3.2.2: comments nest, and hold quoted-pairs). ok is
// false for an unterminated comment.
func skipCFWS(v string) (int, bool) {
	i := 0
	for i < len(v) {
		switch v[i] {
		case ' ', '\t', '\r', '\n':
			i++
		case '(':
			depth := 0
		comment:
			for ; i < len(v); i++ {
				switch v[i] {
				case '\\':
					i++
				case '(':
					depth++
				case ')':
					depth--
					if depth == 0 {
						break comment
					}
				}
			}
			if depth != 0 {
				return i, false
			}
			i++
		default:
			return i, true
		}
	}
	return i, true
}
