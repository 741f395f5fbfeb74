package message

import "bytes"

// partScanner splits the body of a multipart entity into its parts without
// copying them (RFC 2046 §5.1.1). It follows the rules of go-message's
// MultipartReader, which go-imap's ExtractBodySection uses to serve
// BODY[n], so that the sizes in BODYSTRUCTURE match what FETCH BODY[n]
// returns:
//   - the first delimiter is a line "--boundary", optionally followed by
//     blanks; whether it ends in CRLF or in a bare LF sets the line ending
//     of every later delimiter;
//   - a later delimiter is line ending + "--boundary" followed by a blank,
//     CR, LF, '-' or the end of the body; the line ending before it belongs
//     to the delimiter, not to the part;
//   - "--boundary--" ends the parts; the preamble and epilogue are not parts;
//   - a last part without a closing delimiter runs to the end of the body.
type partScanner struct {
	body  []byte
	delim []byte // "--" + boundary
	nl    []byte // line ending of the delimiters
	pos   int    // start of the next part; -1 when there is none
}

func newPartScanner(body []byte, boundary string) *partScanner {
	s := &partScanner{body: body, delim: []byte("--" + boundary), pos: -1}
	if boundary == "" {
		return s
	}
	for i := 0; i < len(body); {
		end := len(body)
		if j := bytes.IndexByte(body[i:], '\n'); j >= 0 {
			end = i + j + 1
		}
		line := body[i:end]
		if rest, ok := bytes.CutPrefix(line, s.delim); ok {
			rest = bytes.TrimLeft(rest, " \t")
			switch {
			case bytes.HasPrefix(rest, []byte("--")):
				return s
			case string(rest) == "\r\n":
				s.nl, s.pos = []byte("\r\n"), end
				return s
			case string(rest) == "\n":
				s.nl, s.pos = []byte("\n"), end
				return s
			}
		}
		i = end
	}
	return s
}

// next returns the raw bytes (header and content) of the next part.
func (s *partScanner) next() ([]byte, bool) {
	if s.pos < 0 {
		return nil, false
	}
	start := s.pos
	at, after := s.findDelimiter(start)
	if at < 0 {
		s.pos = -1
		return s.body[start:], true
	}
	s.pos = s.afterDelimiter(after)
	return s.body[start:at], true
}

// findDelimiter returns the offset where the delimiter after the part that
// starts at from begins (its leading line ending included), and the offset
// just after "--boundary"; or -1 if there is none.
func (s *partScanner) findDelimiter(from int) (at, after int) {
	if bytes.HasPrefix(s.body[from:], s.delim) && s.delimEnds(from+len(s.delim)) {
		return from, from + len(s.delim)
	}
	for i := from; i < len(s.body); {
		j := bytes.Index(s.body[i:], s.delim)
		if j < 0 {
			return -1, -1
		}
		d := i + j
		if d-len(s.nl) >= from && bytes.Equal(s.body[d-len(s.nl):d], s.nl) && s.delimEnds(d+len(s.delim)) {
			return d - len(s.nl), d + len(s.delim)
		}
		i = d + 1
	}
	return -1, -1
}

// delimEnds reports whether "--boundary" ending at i is a whole delimiter
// and not the prefix of a longer line.
func (s *partScanner) delimEnds(i int) bool {
	if i == len(s.body) {
		return true
	}
	switch s.body[i] {
	case ' ', '\t', '\r', '\n', '-':
		return true
	}
	return false
}

// afterDelimiter returns where the next part starts, given the offset just
// after a "--boundary", or -1 if the delimiter closes the multipart or is
// not followed by a line ending (go-message ends the parts there too).
func (s *partScanner) afterDelimiter(i int) int {
	rest := bytes.TrimLeft(s.body[i:], " \t")
	switch {
	case bytes.HasPrefix(rest, []byte("\r\n")):
		return len(s.body) - len(rest) + 2
	case bytes.HasPrefix(rest, []byte("\n")):
		return len(s.body) - len(rest) + 1
	}
	return -1
}
