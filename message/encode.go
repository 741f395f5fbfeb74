package message

import (
	"encoding/binary"
	"maps"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
)

// Format version 1 (all integers are encoding/binary varints):
//
//	summary   = version subject from to cc bcc message-id date  ; search fields first
//	            header-size envelope node
//	version   = byte 1
//	str       = uvarint tag: tag&1 == 0: tag>>1 bytes of text follow;
//	            tag&1 == 1: the text is dictionary[tag>>1]
//	count     = uvarint: 0 for a nil slice or map, else length+1
//	date      = byte 0 (zero time) / byte 1 varint(unix seconds)
//	            uvarint(nanoseconds) varint(UTC offset in seconds)
//	map       = count (str key, str value)…, keys sorted
//	strs      = count str…
//	addrs     = count (str name, str mailbox, str host)…
//	envelope  = uvarint flags: 0 nil; bit 0 present; bit 1 subject is the
//	            summary's Subject; bit 2 date is the summary's Date (bits 1
//	            and 2 only at the top) — then [date] [str subject] addrs×6
//	            (from sender reply-to to cc bcc) strs(in-reply-to) str(message-id)
//	node      = byte tag: tag&3 is the kind (0 nil, 1 single, 2 multi);
//	            single flags bit 2 message/rfc822, bit 3 text, bit 4 extended;
//	            multi flag bit 2 extended
//	single    = str type, str subtype, map params, str id, str description,
//	            str encoding, uvarint size,
//	            [envelope node uvarint(lines)] [uvarint(lines)]
//	            [disposition strs(language) str(location)]
//	multi     = count node… str subtype
//	            [map params, disposition strs(language) str(location)]
//	disposition = byte 0 (nil) / byte 1 str value map params
//
// Changing any of this, the dictionary included, needs a new version.
const version1 = 1

const (
	kindNil    = 0
	kindSingle = 1
	kindMulti  = 2

	flagMessage  = 1 << 2 // single part: MessageRFC822 present
	flagText     = 1 << 3 // single part: Text present
	flagExtended = 1 << 4 // single part: Extended present
	flagMultiExt = 1 << 2 // multipart: Extended present

	envPresent     = 1
	envSameSubject = 1 << 1
	envSameDate    = 1 << 2
)

// dictionary holds the strings most frequent in body structures; they are
// encoded as one byte. Read-only; frozen for format version 1.
var dictionary = [...]string{
	"text", "plain", "html", "multipart", "mixed", "alternative", "related",
	"application", "octet-stream", "pdf", "image", "jpeg", "png", "gif",
	"message", "rfc822", "charset", "utf-8", "UTF-8", "us-ascii",
	"iso-8859-1", "ISO-8859-1", "iso-8859-15", "windows-1252", "boundary",
	"name", "filename", "format", "flowed", "delsp", "yes", "attachment",
	"inline", "7bit", "8bit", "base64", "quoted-printable", "binary",
	"calendar", "method", "REQUEST", "report", "report-type",
	"delivery-status", "disposition-notification", "signed", "protocol",
	"micalg", "pgp-signature", "application/pgp-signature",
	"pkcs7-signature", "application/pkcs7-signature", "sha-256", "msword",
	"vnd.openxmlformats-officedocument.wordprocessingml.document",
	"vnd.ms-excel",
	"vnd.openxmlformats-officedocument.spreadsheetml.sheet", "zip", "size",
	"creation-date", "modification-date", "fr", "en", "global",
}

// dictionaryIndex maps each dictionary string to its index. Read-only.
var dictionaryIndex = func() map[string]uint64 {
	m := make(map[string]uint64, len(dictionary))
	for i, s := range dictionary {
		m[s] = uint64(i)
	}
	return m
}()

// Marshal encodes s in the compact, versioned binary format that Unmarshal,
// SearchField and SearchDate read; the first byte is the format version.
// The search fields come first so that SearchField reads one of them
// without decoding the rest. The encoding of a given Summary is always the
// same bytes. s must not be nil.
//
// Unmarshal(Marshal(s)) is deep-equal to s for every summary Summarize
// returns. For summaries built by hand, dates come back in a fixed zone
// with the same offset (time.UTC for +0000) and without monotonic clock
// reading, and Unmarshal refuses a body structure that go-imap's FETCH
// writer would panic on (see Unmarshal).
func (s *Summary) Marshal() []byte {
	e := encoder{buf: make([]byte, 0, 256+len(s.Subject)+len(s.From)+len(s.To)+len(s.Cc))}
	e.buf = append(e.buf, version1)
	e.str(s.Subject)
	e.str(s.From)
	e.str(s.To)
	e.str(s.Cc)
	e.str(s.Bcc)
	e.str(s.MessageID)
	e.date(s.Date)
	e.uvarint(uint64(s.HeaderSize))
	e.envelope(s.Envelope, s)
	e.node(s.Body)
	return e.buf
}

type encoder struct {
	buf []byte
}

func (e *encoder) uvarint(v uint64) { e.buf = binary.AppendUvarint(e.buf, v) }

func (e *encoder) str(s string) {
	if i, ok := dictionaryIndex[s]; ok {
		e.uvarint(i<<1 | 1)
		return
	}
	e.uvarint(uint64(len(s)) << 1)
	e.buf = append(e.buf, s...)
}

// count writes the count of a slice or map, telling nil from empty.
func (e *encoder) count(n int, isNil bool) {
	if isNil {
		e.uvarint(0)
		return
	}
	e.uvarint(uint64(n) + 1)
}

func (e *encoder) date(t time.Time) {
	if t.IsZero() {
		e.buf = append(e.buf, 0)
		return
	}
	_, off := t.Zone()
	e.buf = append(e.buf, 1)
	e.buf = binary.AppendVarint(e.buf, t.Unix())
	e.uvarint(uint64(t.Nanosecond()))
	e.buf = binary.AppendVarint(e.buf, int64(off))
}

func (e *encoder) strMap(m map[string]string) {
	e.count(len(m), m == nil)
	for _, k := range slices.Sorted(maps.Keys(m)) {
		e.str(k)
		e.str(m[k])
	}
}

func (e *encoder) strs(l []string) {
	e.count(len(l), l == nil)
	for _, s := range l {
		e.str(s)
	}
}

func (e *encoder) addrs(l []imap.Address) {
	e.count(len(l), l == nil)
	for _, a := range l {
		e.str(a.Name)
		e.str(a.Mailbox)
		e.str(a.Host)
	}
}

// envelope writes env; top is the summary whose search fields a top-level
// envelope may share, nil for the envelope of an encapsulated message.
func (e *encoder) envelope(env *imap.Envelope, top *Summary) {
	if env == nil {
		e.uvarint(0)
		return
	}
	flags := uint64(envPresent)
	sameSubject := top != nil && env.Subject == top.Subject
	sameDate := top != nil && env.Date == top.Date
	if sameSubject {
		flags |= envSameSubject
	}
	if sameDate {
		flags |= envSameDate
	}
	e.uvarint(flags)
	if !sameDate {
		e.date(env.Date)
	}
	if !sameSubject {
		e.str(env.Subject)
	}
	e.addrs(env.From)
	e.addrs(env.Sender)
	e.addrs(env.ReplyTo)
	e.addrs(env.To)
	e.addrs(env.Cc)
	e.addrs(env.Bcc)
	e.strs(env.InReplyTo)
	e.str(env.MessageID)
}

func (e *encoder) node(bs imap.BodyStructure) {
	switch bs := bs.(type) {
	case *imap.BodyStructureSinglePart:
		if bs != nil {
			e.single(bs)
			return
		}
	case *imap.BodyStructureMultiPart:
		if bs != nil {
			e.multi(bs)
			return
		}
	}
	e.buf = append(e.buf, kindNil)
}

func (e *encoder) single(bs *imap.BodyStructureSinglePart) {
	tag := byte(kindSingle)
	if bs.MessageRFC822 != nil {
		tag |= flagMessage
	}
	if bs.Text != nil {
		tag |= flagText
	}
	if bs.Extended != nil {
		tag |= flagExtended
	}
	e.buf = append(e.buf, tag)
	e.str(bs.Type)
	e.str(bs.Subtype)
	e.strMap(bs.Params)
	e.str(bs.ID)
	e.str(bs.Description)
	e.str(bs.Encoding)
	e.uvarint(uint64(bs.Size))
	if m := bs.MessageRFC822; m != nil {
		e.envelope(m.Envelope, nil)
		e.node(m.BodyStructure)
		e.uvarint(uint64(m.NumLines))
	}
	if bs.Text != nil {
		e.uvarint(uint64(bs.Text.NumLines))
	}
	if x := bs.Extended; x != nil {
		e.disposition(x.Disposition)
		e.strs(x.Language)
		e.str(x.Location)
	}
}

func (e *encoder) multi(bs *imap.BodyStructureMultiPart) {
	tag := byte(kindMulti)
	if bs.Extended != nil {
		tag |= flagMultiExt
	}
	e.buf = append(e.buf, tag)
	e.count(len(bs.Children), bs.Children == nil)
	for _, c := range bs.Children {
		e.node(c)
	}
	e.str(bs.Subtype)
	if x := bs.Extended; x != nil {
		e.strMap(x.Params)
		e.disposition(x.Disposition)
		e.strs(x.Language)
		e.str(x.Location)
	}
}

func (e *encoder) disposition(d *imap.BodyStructureDisposition) {
	if d == nil {
		e.buf = append(e.buf, 0)
		return
	}
	e.buf = append(e.buf, 1)
	e.str(d.Value)
	e.strMap(d.Params)
}
