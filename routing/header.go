package routing

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// RouteHeaderName is the header field that records a message's routing.
const RouteHeaderName = "X-Mailnet-Route"

const (
	// foldAt is the line length RFC 5322 §2.1.1 recommends (78 characters
	// without CRLF).
	foldAt = 78
	// maxReason bounds a rendered reason, in runes, so that no line can
	// reach the 998-character limit of RFC 5322 §2.1.1.
	maxReason = 200
)

// RouteHeader renders targets as one "X-Mailnet-Route:" header field,
// CRLF-terminated and folded at white space before 78 characters where it
// can be (RFC 5322 §2.2.3): one entry per target, separated by ",", each
// "<account> <folder>; reason=<reason>". The folder is a quoted-string
// when it holds spaces or specials. Values are sanitised: control
// characters (CR and LF among them) and invalid UTF-8 become spaces, and
// "," and ";" in a reason become spaces, so each entry parses back. It
// returns "" for no targets.
func RouteHeader(targets []Target) string {
	if len(targets) == 0 {
		return ""
	}
	var words []string
	for i, t := range targets {
		entry := headerText(t.Account.Address, false) + " " + headerFolder(t.Mailbox) +
			"; reason=" + headerText(t.Reason, true)
		if i < len(targets)-1 {
			entry += ","
		}
		words = append(words, strings.Split(entry, " ")...)
	}
	var b strings.Builder
	line := RouteHeaderName + ":"
	for _, w := range words {
		if len(line)+1+len(w) > foldAt && line != RouteHeaderName+":" {
			b.WriteString(line)
			b.WriteString("\r\n")
			line = ""
		}
		line += " " + w
	}
	b.WriteString(line)
	b.WriteString("\r\n")
	return b.String()
}

// headerText makes s one line of single-spaced printable text, bounded to
// maxReason runes; reason also replaces the entry separators "," and ";".
func headerText(s string, reason bool) string {
	var b strings.Builder
	space, n := false, 0
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.IsSpace(r) ||
			reason && (r == ',' || r == ';') {
			space = b.Len() > 0
			continue
		}
		if n >= maxReason-1 {
			break
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
		}
		b.WriteRune(r)
		n++
	}
	if b.Len() == 0 {
		return "-"
	}
	return b.String()
}

// headerFolder renders a folder name, quoted (RFC 5322 §3.2.4) when it
// holds anything but atext and "/".
func headerFolder(f string) string {
	f = headerText(f, false)
	if !strings.ContainsAny(f, " \"\\,;()<>@:[]") {
		return f
	}
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(f) + `"`
}
