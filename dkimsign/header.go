package dkimsign

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"strings"
)

// field is one header field as go-msgauth reads it: lines split at LF, a
// CR before the LF dropped, continuation lines appended.
type field struct {
	name  string // before the colon, without surrounding white space
	value string // after the colon, unfolded
}

// headerFields splits the header of raw into fields the way go-msgauth's
// signer and verifier do (net/textproto lines), so that the fields Sign
// lists are the fields they pick. It returns the fields it found, with
// ErrMalformed if raw cannot be signed: if its first line is a
// continuation line, which a verifier would read as part of the prepended
// DKIM-Signature field, or if no empty line ends the header, which
// go-msgauth requires.
func headerFields(raw []byte) ([]field, error) {
	var err error
	if len(raw) > 0 && (raw[0] == ' ' || raw[0] == '\t') {
		err = fmt.Errorf("%w: the first line is a continuation line", ErrMalformed)
	}
	var fields []field
	var cur []byte
	flush := func() {
		if cur != nil {
			name, value, _ := bytes.Cut(cur, []byte(":"))
			fields = append(fields, field{name: string(bytes.TrimSpace(name)), value: string(value)})
		}
		cur = nil
	}
	for {
		line, rest, found := bytes.Cut(raw, []byte("\n"))
		if !found {
			flush()
			return fields, fmt.Errorf("%w: no empty line ends the header", ErrMalformed)
		}
		raw = rest
		line = bytes.TrimSuffix(line, []byte("\r"))
		switch {
		case len(line) == 0:
			flush()
			return fields, err
		case line[0] == ' ' || line[0] == '\t':
			cur = append(cur, line...)
		default:
			flush()
			cur = append([]byte{}, line...)
		}
	}
}

// fieldsToSign returns the h= list for a header: each name of signedFields
// as many times as it occurs, From once more.
func fieldsToSign(fields []field) []string {
	count := make(map[string]int)
	for _, f := range fields {
		count[strings.ToLower(f.name)]++
	}
	var keys []string
	for _, name := range signedFields {
		n := count[strings.ToLower(name)]
		if name == "From" {
			n++
		}
		for range n {
			keys = append(keys, name)
		}
	}
	return keys
}

// fromDomain returns the lower-case domain of the address of the only From
// field, or "" if there is not exactly one From field with exactly one
// address.
func fromDomain(fields []field) string {
	var from []string
	for _, f := range fields {
		if strings.EqualFold(f.name, "From") {
			from = append(from, f.value)
		}
	}
	if len(from) != 1 {
		return ""
	}
	// Display names are not needed: keep encoded words in unknown
	// charsets as they are rather than failing.
	p := mail.AddressParser{WordDecoder: &mime.WordDecoder{
		CharsetReader: func(_ string, r io.Reader) (io.Reader, error) { return r, nil },
	}}
	addrs, err := p.ParseList(from[0])
	if err != nil || len(addrs) != 1 {
		return ""
	}
	return addressDomain(addrs[0].Address)
}

// addressDomain returns the lower-case domain of addr, "user@domain" or
// "<user@domain>", without a final dot; "" if addr has no '@'.
func addressDomain(addr string) string {
	addr = strings.TrimSuffix(strings.TrimPrefix(addr, "<"), ">")
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return strings.TrimSuffix(strings.ToLower(addr[i+1:]), ".")
}
