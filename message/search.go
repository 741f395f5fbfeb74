package message

import (
	"fmt"
	"time"
)

// Field names a search field of a Summary that SearchField reads from the
// encoded bytes. The zero Field is invalid.
type Field uint8

// The search fields, in the order Marshal writes them.
const (
	FieldSubject   Field = iota + 1 // Summary.Subject: SEARCH SUBJECT (RFC 3501 §6.4.4)
	FieldFrom                       // Summary.From: SEARCH FROM
	FieldTo                         // Summary.To: SEARCH TO
	FieldCc                         // Summary.Cc: SEARCH CC
	FieldBcc                        // Summary.Bcc: SEARCH BCC
	FieldMessageID                  // Summary.MessageID: SEARCH HEADER Message-ID
)

// String returns the field's lower-case name, as in "subject".
func (f Field) String() string {
	switch f {
	case FieldSubject:
		return "subject"
	case FieldFrom:
		return "from"
	case FieldTo:
		return "to"
	case FieldCc:
		return "cc"
	case FieldBcc:
		return "bcc"
	case FieldMessageID:
		return "message-id"
	}
	return fmt.Sprintf("Field(%d)", uint8(f))
}

// SearchField returns one search field straight from bytes made by
// Marshal, without decoding the rest: it equals the same field of
// Unmarshal(b). The result is a copy; b may be reused afterwards. It
// returns an error wrapping ErrUnknownField for an invalid f, ErrVersion
// for an unknown format version and ErrCorrupt if b is too short. It does
// not check the bytes after the field, so it may succeed where Unmarshal
// fails.
func SearchField(b []byte, f Field) (string, error) {
	if f < FieldSubject || f > FieldMessageID {
		return "", fmt.Errorf("search %v: %w", f, ErrUnknownField)
	}
	if err := checkVersion(b); err != nil {
		return "", err
	}
	d := decoder{b: b, off: 1}
	for range f - FieldSubject {
		d.skipStr()
	}
	s := d.str()
	if d.err != nil {
		return "", fmt.Errorf("search %v at byte %d: %w", f, d.errOff, d.err)
	}
	return s, nil
}

// SearchDate returns Summary.Date straight from bytes made by Marshal, for
// SEARCH SENTBEFORE, SENTON and SENTSINCE (RFC 3501 §6.4.4); the zero time
// if the message has no valid Date. Errors are as for SearchField.
func SearchDate(b []byte) (time.Time, error) {
	if err := checkVersion(b); err != nil {
		return time.Time{}, err
	}
	d := decoder{b: b, off: 1}
	for range FieldMessageID { // the date follows the last string field
		d.skipStr()
	}
	t := d.date()
	if d.err != nil {
		return time.Time{}, fmt.Errorf("search date at byte %d: %w", d.errOff, d.err)
	}
	return t, nil
}

// skipStr moves past a string without reading it.
func (d *decoder) skipStr() {
	tag := d.uvarint()
	if tag&1 == 1 {
		return
	}
	if tag>>1 > uint64(len(d.b)-d.off) {
		d.fail()
		return
	}
	d.off += int(tag >> 1)
}
