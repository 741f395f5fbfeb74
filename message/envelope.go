package message

import (
	gomail "net/mail"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	gomessage "github.com/emersion/go-message"
	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// envelope builds the ENVELOPE of RFC 3501 §7.4.2 from a header. It does
// what go-imap's imapserver.ExtractEnvelope does, minus its losses (see
// doc.go): decoded names and subject in more charsets, an address list kept
// when one of its addresses is malformed, malformed message IDs kept, the
// obsolete zone names of RFC 5322 §4.3 honoured.
func envelope(h textproto.Header) *imap.Envelope {
	return &imap.Envelope{
		Date:      parseDate(h.Get("Date")),
		Subject:   decodeText(h.Get("Subject")),
		From:      addressList(h.Get("From")),
		Sender:    addressList(h.Get("Sender")),
		ReplyTo:   addressList(h.Get("Reply-To")),
		To:        addressList(h.Get("To")),
		Cc:        addressList(h.Get("Cc")),
		Bcc:       addressList(h.Get("Bcc")),
		InReplyTo: msgIDList(h, "In-Reply-To"),
		MessageID: messageID(h),
	}
}

// obsoleteZone returns the UTC offset of a US zone name of RFC 5322 §4.3,
// which net/mail reads as +0000 unless the local time zone defines it.
func obsoleteZone(name string) (off int, ok bool) {
	switch strings.ToUpper(name) {
	case "EDT":
		return -4 * 3600, true
	case "EST", "CDT":
		return -5 * 3600, true
	case "CST", "MDT":
		return -6 * 3600, true
	case "MST", "PDT":
		return -7 * 3600, true
	case "PST":
		return -8 * 3600, true
	}
	return 0, false
}

// parseDate parses an RFC 5322 §3.3 date-time. A date without a zone is
// read as UTC. It returns the zero time if v is empty or unparsable. The
// result's location is normalised by inZone, so that it survives Marshal
// and Unmarshal unchanged.
func parseDate(v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	t, err := gomail.ParseDate(v)
	if err != nil {
		if t, err = gomail.ParseDate(v + " +0000"); err != nil {
			return time.Time{}
		}
	}
	if name, off := t.Zone(); off == 0 {
		if zoneOff, ok := obsoleteZone(name); ok {
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), zone(zoneOff))
		}
	}
	if t.IsZero() { // would be stored as "no date" and lose its zone
		return time.Time{}
	}
	_, off := t.Zone()
	return t.In(zone(off))
}

// quarterHourZones holds a shared, immutable fixed zone for every offset
// from -14:00 to +14:00 in steps of 15 minutes, so decoding a date does not
// allocate a time.Location. Read-only after package initialisation.
var quarterHourZones = func() [113]*time.Location {
	var z [113]*time.Location
	for i := range z {
		z[i] = time.FixedZone("", (i-56)*900)
	}
	return z
}()

// zone returns the location for a UTC offset in seconds: time.UTC for 0,
// an unnamed fixed zone otherwise.
func zone(off int) *time.Location {
	if off == 0 {
		return time.UTC
	}
	if off%900 == 0 && off >= -56*900 && off <= 56*900 {
		return quarterHourZones[off/900+56]
	}
	return time.FixedZone("", off)
}

// addressList parses an RFC 5322 §3.4 address list into ENVELOPE
// addresses. If net/mail rejects the list, each comma-separated element is
// tried on its own and, failing that, read loosely (an "<addr>" or a word
// with an '@'), so one bad address does not hide the others. Group names
// are dropped and their members kept, as in go-imap; addresses without an
// '@' are dropped.
func addressList(v string) []imap.Address {
	if strings.TrimSpace(v) == "" {
		return nil
	}
	p := gomail.AddressParser{WordDecoder: newWordDecoder()}
	var out []imap.Address
	if l, err := p.ParseList(v); err == nil {
		for _, a := range l {
			out = appendAddress(out, a.Name, a.Address)
		}
		return out
	}
	for _, item := range splitAddressList(v) {
		if a, err := p.Parse(item); err == nil {
			out = appendAddress(out, a.Name, a.Address)
			continue
		}
		name, addr := looseAddress(item)
		out = appendAddress(out, name, addr)
	}
	return out
}

func appendAddress(l []imap.Address, name, addr string) []imap.Address {
	i := strings.LastIndexByte(addr, '@')
	if i <= 0 || i == len(addr)-1 {
		return l
	}
	return append(l, imap.Address{
		Name:    decodeText(name), // net/mail leaves quoted encoded words alone
		Mailbox: toUTF8(addr[:i]),
		Host:    toUTF8(addr[i+1:]),
	})
}

// splitAddressList splits v at the commas and semicolons that are outside
// quoted strings, comments and angle brackets.
func splitAddressList(v string) []string {
	var out []string
	quoted, comment, angle, start := false, 0, false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case quoted && c == '\\':
			i++
		case c == '"' && comment == 0:
			quoted = !quoted
		case quoted:
		case c == '(':
			comment++
		case c == ')' && comment > 0:
			comment--
		case comment > 0:
		case c == '<':
			angle = true
		case c == '>':
			angle = false
		case (c == ',' || c == ';') && !angle:
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	return append(out, v[start:])
}

// looseAddress reads "name <addr>" or the first word holding an '@'.
func looseAddress(s string) (name, addr string) {
	if i := strings.IndexByte(s, '<'); i >= 0 {
		if j := strings.IndexByte(s[i:], '>'); j > 0 {
			return unquote(strings.TrimSpace(s[:i])), strings.TrimSpace(s[i+1 : i+j])
		}
	}
	for w := range strings.FieldsSeq(s) {
		if strings.Contains(w, "@") {
			return "", strings.Trim(w, `<>"':;,()`)
		}
	}
	return "", ""
}

// messageID returns the Message-ID without its angle brackets (RFC 5322
// §3.6.4). A value go-message cannot parse is read loosely rather than
// dropped: it is what threading keys on.
func messageID(h textproto.Header) string {
	mh := mail.Header{Header: gomessage.Header{Header: h}}
	if id, err := mh.MessageID(); err == nil && id != "" {
		return id
	}
	ids := looseMsgIDs(h.Get("Message-Id"))
	if len(ids) == 0 {
		return ""
	}
	return ids[0]
}

// msgIDList returns the message IDs of an In-Reply-To or References field.
func msgIDList(h textproto.Header, key string) []string {
	mh := mail.Header{Header: gomessage.Header{Header: h}}
	if ids, err := mh.MsgIDList(key); err == nil {
		return ids
	}
	return looseMsgIDs(h.Get(key))
}

// looseMsgIDs returns the texts between '<' and '>' in v or, if there are
// none, its first word.
func looseMsgIDs(v string) []string {
	var ids []string
	for rest := v; ; {
		i := strings.IndexByte(rest, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i:], '>')
		if j < 0 {
			break
		}
		if id := strings.TrimSpace(rest[i+1 : i+j]); id != "" {
			ids = append(ids, id)
		}
		rest = rest[i+j+1:]
	}
	if len(ids) == 0 {
		if f := strings.Fields(v); len(f) > 0 {
			ids = append(ids, f[0])
		}
	}
	return ids
}
