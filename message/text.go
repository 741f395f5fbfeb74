package message

import (
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode/utf8"
)

// cp1252C1 maps the bytes 0x80–0x9F of windows-1252 to Unicode. The five
// bytes the code page leaves unassigned map to the same C1 control, as the
// WHATWG Encoding Standard does.
var cp1252C1 = [32]rune{
	'€', '\u0081', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u008d', 'Ž', '\u008f',
	'\u0090', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u009d', 'ž', 'Ÿ',
}

// byteDecoder converts one byte of a single-byte charset to a rune.
type byteDecoder func(b byte) rune

func latin1Rune(b byte) rune { return rune(b) }

func cp1252Rune(b byte) rune {
	if b >= 0x80 && b < 0xa0 {
		return cp1252C1[b-0x80]
	}
	return rune(b)
}

// latin9Rune decodes ISO-8859-15, which differs from ISO-8859-1 in eight
// places (ISO/IEC 8859-15:1999 §6).
func latin9Rune(b byte) rune {
	switch b {
	case 0xa4:
		return '€'
	case 0xa6:
		return 'Š'
	case 0xa8:
		return 'š'
	case 0xb4:
		return 'Ž'
	case 0xb8:
		return 'ž'
	case 0xbc:
		return 'Œ'
	case 0xbd:
		return 'œ'
	case 0xbe:
		return 'Ÿ'
	}
	return rune(b)
}

// charsetDecoder returns the decoder for a charset name, or nil when the
// charset is not one this package converts. The standard library already
// handles utf-8, us-ascii and iso-8859-1 itself; these are the other
// charsets French mail commonly carries, plus aliases of Latin-1.
func charsetDecoder(name string) byteDecoder {
	switch strings.ToLower(name) {
	case "windows-1252", "cp1252", "x-cp1252":
		return cp1252Rune
	case "iso-8859-15", "iso8859-15", "iso_8859-15", "latin-9", "latin9":
		return latin9Rune
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "cp819", "ascii":
		return latin1Rune
	}
	return nil
}

// charsetReader is a mime.WordDecoder CharsetReader for the charsets of
// charsetDecoder. Any other charset is an error, so the encoded word stays
// as it was: a client that knows the charset can still decode it.
func charsetReader(charset string, input io.Reader) (io.Reader, error) {
	dec := charsetDecoder(charset)
	if dec == nil {
		return nil, fmt.Errorf("%w %q", errUnknownCharset, charset)
	}
	b, err := io.ReadAll(input)
	if err != nil {
		return nil, err
	}
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/2)
	for _, c := range b {
		sb.WriteRune(dec(c))
	}
	return strings.NewReader(sb.String()), nil
}

// newWordDecoder returns an RFC 2047 decoder that knows the charsets of
// charsetDecoder without touching go-message's global CharsetReader.
func newWordDecoder() *mime.WordDecoder {
	return &mime.WordDecoder{CharsetReader: charsetReader}
}

// decodeText returns a header value as UTF-8 text: RFC 2047 §6.1 encoded
// words are decoded, and bytes that are not UTF-8 (raw 8-bit headers, which
// RFC 5322 forbids but old clients send) are read as windows-1252. When an
// encoded word uses an unknown charset the value keeps its encoded words.
func decodeText(s string) string {
	if strings.Contains(s, "=?") {
		if d, err := newWordDecoder().DecodeHeader(s); err == nil {
			s = d
		}
	}
	return toUTF8(s)
}

// toUTF8 returns s unchanged if it is valid UTF-8, otherwise a copy where
// each byte of an invalid sequence is read as windows-1252.
func toUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s) + len(s)/2)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			r = cp1252Rune(s[i])
		}
		sb.WriteRune(r)
		i += n
	}
	return sb.String()
}
