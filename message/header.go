package message

import (
	"bufio"
	"bytes"
	"errors"
	"mime"
	"strings"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-message/textproto"
)

// HeaderEnd returns the size of the header section of raw: the offset just
// after the first empty line, which ends the header (RFC 5322 §2.1). The
// empty line may end in CRLF or in a bare LF, so both CRLFCRLF and LFLF
// separators are found, as is an empty line at the very start (a message
// with an empty header). When raw has no empty line, all of it is header and
// HeaderEnd returns len(raw).
func HeaderEnd(raw []byte) int64 {
	for i := 0; i < len(raw); {
		j := bytes.IndexByte(raw[i:], '\n')
		if j < 0 {
			break
		}
		if j == 0 || (j == 1 && raw[i] == '\r') {
			return int64(i + j + 1)
		}
		i += j + 1
	}
	return int64(len(raw))
}

// parseHeader parses a header section (as cut by HeaderEnd). Lines that are
// not header fields are skipped instead of ending the header: go-message's
// ReadHeader stops at the first such line (an mbox "From " line, a stray
// word), which would lose every field after it.
func parseHeader(hdr []byte) textproto.Header {
	h, err := readHeader(hdr)
	if err == nil {
		return h
	}
	h, _ = readHeader(cleanHeader(hdr)) // best effort: keep what parsed
	return h
}

func readHeader(hdr []byte) (textproto.Header, error) {
	size := min(len(hdr)+1, 4096)
	return textproto.ReadHeader(bufio.NewReaderSize(bytes.NewReader(hdr), size))
}

// cleanHeader returns the lines of hdr that form valid header fields (RFC
// 5322 §2.2: a field name of printable ASCII but colon, then a colon), with
// their continuation lines. It stops at the empty line.
func cleanHeader(hdr []byte) []byte {
	out := make([]byte, 0, len(hdr))
	keep := false
	for len(hdr) > 0 {
		line := hdr
		if i := bytes.IndexByte(hdr, '\n'); i >= 0 {
			line = hdr[:i+1]
		}
		hdr = hdr[len(line):]
		if len(bytes.TrimRight(line, "\r\n")) == 0 {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			if keep {
				out = append(out, line...)
			}
			continue
		}
		keep = validFieldLine(line)
		if keep {
			out = append(out, line...)
		}
	}
	return out
}

func validFieldLine(line []byte) bool {
	i := bytes.IndexByte(line, ':')
	if i < 0 {
		return false
	}
	name := bytes.Trim(line[:i], " \t")
	if len(name) == 0 {
		return false
	}
	for _, c := range name {
		if c < 33 || c > 126 {
			return false
		}
	}
	return true
}

// mediaType is a parsed Content-Type: lower-case type and subtype, and the
// parameters with RFC 2231 and RFC 2047 values decoded.
type mediaType struct {
	typ, sub string
	params   map[string]string
}

func (m mediaType) is(typ, sub string) bool { return m.typ == typ && m.sub == sub }

// defaultMediaType is the type of a part without a valid Content-Type
// (RFC 2045 §5.2).
func defaultMediaType() mediaType {
	return mediaType{typ: "text", sub: "plain", params: map[string]string{"charset": "us-ascii"}}
}

// contentType reads the Content-Type of a part whose parent multipart has
// subtype parent (empty for a message). A missing or invalid Content-Type
// means text/plain; charset=us-ascii (RFC 2045 §5.2), except that a missing
// one inside multipart/digest means message/rfc822 (RFC 2046 §5.1.5).
func contentType(h textproto.Header, parent string) mediaType {
	v := h.Get("Content-Type")
	if v == "" {
		if parent == "digest" {
			return mediaType{typ: "message", sub: "rfc822"}
		}
		return defaultMediaType()
	}
	value, params, ok := parseParams(v)
	typ, sub, found := strings.Cut(value, "/")
	if !ok || !found || typ == "" || sub == "" || strings.Contains(sub, "/") {
		return defaultMediaType()
	}
	return mediaType{typ: typ, sub: sub, params: params}
}

// disposition reads Content-Disposition (RFC 2183), or returns nil if the
// header is missing or names no disposition type. The type is lower-cased;
// an invalid one is cut at the first ';' or blank.
func disposition(h textproto.Header) *imap.BodyStructureDisposition {
	v := h.Get("Content-Disposition")
	if v == "" {
		return nil
	}
	value, params, ok := parseParams(v)
	if !ok {
		value = strings.ToLower(v[:strings.IndexAny(v+";", "; \t")])
	}
	if value == "" {
		return nil
	}
	return &imap.BodyStructureDisposition{Value: value, Params: params}
}

// language reads Content-Language (RFC 3282 §2) as a list of tags, or nil.
func language(h textproto.Header) []string {
	var l []string
	for tag := range strings.SplitSeq(h.Get("Content-Language"), ",") {
		if tag = strings.TrimSpace(tag); tag != "" {
			l = append(l, tag)
		}
	}
	return l
}

// parseParams parses a "value; key=val; …" header (RFC 2045 §5.1) with
// mime.ParseMediaType, which lower-cases the value and the keys and decodes
// RFC 2231 parameters. ok is false when the value itself is invalid. Invalid
// parameters are read one by one by lenientParams rather than all dropped.
// Values also have RFC 2047 words decoded: not allowed by the RFC, but
// common in filenames, and go-message decodes them too. An empty parameter
// list is nil.
func parseParams(v string) (value string, params map[string]string, ok bool) {
	value, params, err := mime.ParseMediaType(v)
	ok = err == nil || errors.Is(err, mime.ErrInvalidMediaParameter)
	if err != nil {
		params = lenientParams(v)
	}
	if len(params) == 0 {
		return value, nil, ok
	}
	for k, p := range params {
		params[k] = decodeText(p)
	}
	return value, params, ok
}

// lenientParams reads the parameters after the first ';' of v: each
// "key=value", the value quoted or not, the first of duplicate keys kept.
// RFC 2231 extended parameters ("key*") are skipped: mime.ParseMediaType
// decodes them when the header is valid.
func lenientParams(v string) map[string]string {
	_, rest, _ := strings.Cut(v, ";")
	var params map[string]string
	for rest != "" {
		var item string
		item, rest = cutParam(rest)
		k, val, found := strings.Cut(item, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !found || k == "" || strings.ContainsAny(k, "* \t\"") {
			continue
		}
		if params == nil {
			params = make(map[string]string)
		}
		if _, dup := params[k]; !dup {
			params[k] = unquote(strings.TrimSpace(val))
		}
	}
	return params
}

// cutParam returns the text up to the first ';' that is not inside a quoted
// string, and the text after it.
func cutParam(s string) (item, rest string) {
	quoted := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case c == ';' && !quoted:
			return s[:i], s[i+1:]
		}
	}
	return s, ""
}

// unquote removes the quotes and backslash escapes of an RFC 5322 §3.2.4
// quoted string. A value without a leading quote is returned as is.
func unquote(s string) string {
	if len(s) < 2 || s[0] != '"' {
		return s
	}
	s = strings.TrimSuffix(s[1:], `"`)
	if !strings.Contains(s, `\`) {
		return s
	}
	var sb strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		sb.WriteByte(s[i])
	}
	return sb.String()
}
