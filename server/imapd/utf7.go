package imapd

import (
	"encoding/base64"
	"errors"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// Modified UTF-7 (RFC 3501 §5.1.3), the mailbox name encoding of IMAP4rev1
// clients that did not enable UTF-8. go-imap has its own, internal; the
// ACL commands, served outside go-imap, need one too.

// utf7Encoding is base64 with ',' for '/' and no padding.
var utf7Encoding = base64.NewEncoding("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,").WithPadding(base64.NoPadding)

// errUTF7 reports a name that is not valid modified UTF-7.
var errUTF7 = errors.New("imap: invalid modified UTF-7")

// encodeUTF7 encodes a UTF-8 mailbox name.
func encodeUTF7(s string) string {
	var b strings.Builder
	var run []rune
	flush := func() {
		if len(run) == 0 {
			return
		}
		units := utf16.Encode(run)
		buf := make([]byte, 2*len(units))
		for i, u := range units {
			buf[2*i], buf[2*i+1] = byte(u>>8), byte(u)
		}
		b.WriteByte('&')
		b.WriteString(utf7Encoding.EncodeToString(buf))
		b.WriteByte('-')
		run = run[:0]
	}
	for _, r := range s {
		if r >= 0x20 && r <= 0x7e {
			flush()
			if r == '&' {
				b.WriteString("&-")
			} else {
				b.WriteRune(r)
			}
			continue
		}
		run = append(run, r)
	}
	flush()
	return b.String()
}

// decodeUTF7 decodes a modified UTF-7 mailbox name to UTF-8.
func decodeUTF7(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e {
			return "", errUTF7
		}
		if c != '&' {
			b.WriteByte(c)
			continue
		}
		end := strings.IndexByte(s[i+1:], '-')
		if end < 0 {
			return "", errUTF7
		}
		enc := s[i+1 : i+1+end]
		i += end + 1
		if enc == "" {
			b.WriteByte('&')
			continue
		}
		buf, err := utf7Encoding.DecodeString(enc)
		if err != nil || len(buf)%2 != 0 {
			return "", errUTF7
		}
		units := make([]uint16, len(buf)/2)
		for j := range units {
			units[j] = uint16(buf[2*j])<<8 | uint16(buf[2*j+1])
		}
		for _, r := range utf16.Decode(units) {
			if r == utf8.RuneError || r >= 0x20 && r <= 0x7e {
				return "", errUTF7 // bad surrogate, or ASCII that had to be plain
			}
			b.WriteRune(r)
		}
	}
	return b.String(), nil
}
