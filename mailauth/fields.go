package mailauth

import (
	"bytes"
	"strings"
)

// maxHeaderBytes bounds the header section Check reads for From and
// DKIM-Signature fields. Real headers are a few kilobytes; a larger one is
// not authenticated (DKIM permerror, no From domain).
const maxHeaderBytes = 1 << 20

// headerScanner walks the header fields of a message, one field (with its
// continuation lines and line terminators) at a time. Lines end at LF,
// with or without CR. The header ends at the first empty line, or at the
// end of the input when there is none.
type headerScanner struct {
	raw []byte
	// pos is where the next field starts; once next has returned false, it
	// is the start of the body (after the empty line) or len(raw).
	pos  int
	done bool
}

// next returns the bounds of the next field, raw[start:end], or ok false at
// the end of the header. A line starting with space or tab continues the
// field before it (RFC 5322 §2.2.3); when there is none it is a field of
// its own, as are lines without a colon: they are simply not fields anyone
// looks for.
func (s *headerScanner) next() (start, end int, ok bool) {
	if s.done {
		return 0, 0, false
	}
	start = s.pos
	for s.pos < len(s.raw) {
		line := s.raw[s.pos:]
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i+1]
		}
		blank := len(line) == 1 && line[0] == '\n' || len(line) == 2 && line[0] == '\r' && line[1] == '\n'
		if s.pos == start {
			if blank {
				s.pos += len(line)
				s.done = true
				return 0, 0, false
			}
		} else if line[0] != ' ' && line[0] != '\t' {
			return start, s.pos, true
		}
		s.pos += len(line)
	}
	if s.pos == start {
		s.done = true
		return 0, 0, false
	}
	return start, s.pos, true
}

// splitField returns the name (without trailing white space, RFC 5322
// §4.5.1 obs-optional) and the unfolded value of a raw field. ok is false
// when the field has no colon.
func splitField(f []byte) (name, value string, ok bool) {
	n, v, ok := bytes.Cut(f, []byte(":"))
	if !ok {
		return "", "", false
	}
	return string(bytes.TrimRight(n, " \t")), unfold(v), true
}

// unfold removes the CR and LF bytes of a field value (RFC 5322 §2.2.3:
// unfolding removes each CRLF that precedes white space; a field's only
// other CRLF is its last, which goes too).
func unfold(v []byte) string {
	if !bytes.ContainsAny(v, "\r\n") {
		return string(v)
	}
	var b strings.Builder
	b.Grow(len(v))
	for _, c := range v {
		if c != '\r' && c != '\n' {
			b.WriteByte(c)
		}
	}
	return b.String()
}

// msgHeader is what Check needs from a message's header section.
type msgHeader struct {
	froms    []string  // the values of the From fields
	sigs     []sigInfo // the DKIM-Signature fields, in order
	tooLarge bool      // the header section exceeds maxHeaderBytes; froms and sigs are partial
}

// sigInfo is what we read ourselves from a DKIM-Signature field, to name
// the signature in results whatever go-msgauth says of it.
type sigInfo struct {
	domain, selector string
}

// readHeader collects the From and DKIM-Signature fields of raw.
func readHeader(raw []byte) msgHeader {
	var h msgHeader
	s := headerScanner{raw: raw}
	for {
		start, end, ok := s.next()
		if !ok {
			return h
		}
		if end > maxHeaderBytes {
			h.tooLarge = true
			return h
		}
		name, value, ok := splitField(raw[start:end])
		switch {
		case !ok:
		case strings.EqualFold(name, "From"):
			h.froms = append(h.froms, value)
		case strings.EqualFold(name, "DKIM-Signature"):
			h.sigs = append(h.sigs, parseSigInfo(value))
		}
	}
}

// parseSigInfo reads the d= and s= tags of a DKIM-Signature value (RFC 6376
// §3.2 tag-list; white space is not part of these values). The first of
// duplicate tags wins; go-msgauth rejects such a signature anyway.
func parseSigInfo(v string) sigInfo {
	var si sigInfo
	var haveD, haveS bool
	for tag := range strings.SplitSeq(v, ";") {
		k, val, ok := strings.Cut(tag, "=")
		if !ok {
			continue
		}
		switch strings.TrimSpace(k) {
		case "d":
			if !haveD {
				si.domain, haveD = strings.ToLower(stripWSP(val)), true
			}
		case "s":
			if !haveS {
				si.selector, haveS = stripWSP(val), true
			}
		}
	}
	return si
}

func stripWSP(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '\t' || r == '\r' || r == '\n' {
			return -1
		}
		return r
	}, s)
}
