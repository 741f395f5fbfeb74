package message

import (
	"encoding/binary"
	"fmt"
	"math"
	"time"

	"github.com/emersion/go-imap/v2"
)

// Bounds of decoded dates, wide enough for any date Summarize produces and
// narrow enough that time.Unix cannot overflow.
const (
	maxUnixSeconds = 1 << 50
	maxZoneOffset  = 100 * 3600
)

// Unmarshal decodes bytes made by Marshal. It copies what it keeps, so b
// may be reused or unmapped afterwards (a bbolt value, say).
//
// It returns an error wrapping ErrVersion if the format version is
// unknown, and one wrapping ErrCorrupt if b is truncated, has trailing
// bytes, nests parts deeper than 100 levels, or holds a body structure that
// go-imap's FETCH writer would panic on: a nil body, a multipart without
// children, or a part without extension data. It never panics.
func Unmarshal(b []byte) (*Summary, error) {
	if err := checkVersion(b); err != nil {
		return nil, err
	}
	d := decoder{b: b, s: string(b), off: 1}
	blk := new(summaryBlock)
	s := &blk.sum
	s.Subject = d.str()
	s.From = d.str()
	s.To = d.str()
	s.Cc = d.str()
	s.Bcc = d.str()
	s.MessageID = d.str()
	s.Date = d.date()
	s.HeaderSize = int64(d.uvarint())
	s.Envelope = d.envelope(&blk.env, s)
	s.Body = d.node(0)
	if d.err == nil && d.off != len(b) {
		d.fail()
	}
	if d.err != nil {
		return nil, fmt.Errorf("unmarshal summary at byte %d: %w", d.errOff, d.err)
	}
	return s, nil
}

func checkVersion(b []byte) error {
	if len(b) == 0 {
		return fmt.Errorf("unmarshal summary: no bytes: %w", ErrCorrupt)
	}
	if b[0] != version1 {
		return fmt.Errorf("unmarshal summary: version %d: %w", b[0], ErrVersion)
	}
	return nil
}

// summaryBlock puts a Summary and its Envelope in one allocation.
type summaryBlock struct {
	sum Summary
	env imap.Envelope
}

// singleBlock puts a single part and its optional members in one
// allocation; unused members cost a few bytes, not an allocation each.
type singleBlock struct {
	part imap.BodyStructureSinglePart
	ext  imap.BodyStructureSinglePartExt
	text imap.BodyStructureText
	disp imap.BodyStructureDisposition
}

type multiBlock struct {
	part imap.BodyStructureMultiPart
	ext  imap.BodyStructureMultiPartExt
	disp imap.BodyStructureDisposition
}

// decoder reads the format of encode.go. b and s hold the same bytes: b for
// varints, s to slice strings without one allocation per string; with s
// empty, strings are copied from b one by one. The first
// error sticks: later reads return zero values, and callers check err once.
type decoder struct {
	b      []byte
	s      string
	off    int
	err    error
	errOff int
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err, d.errOff = ErrCorrupt, d.off
	}
	d.off = len(d.b)
}

func (d *decoder) byte() byte {
	if d.off >= len(d.b) {
		d.fail()
		return 0
	}
	c := d.b[d.off]
	d.off++
	return c
}

func (d *decoder) uvarint() uint64 {
	if d.off < len(d.b) && d.b[d.off] < 0x80 {
		v := uint64(d.b[d.off])
		d.off++
		return v
	}
	v, n := binary.Uvarint(d.b[d.off:])
	if n <= 0 {
		d.fail()
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) varint() int64 {
	v, n := binary.Varint(d.b[d.off:])
	if n <= 0 {
		d.fail()
		return 0
	}
	d.off += n
	return v
}

func (d *decoder) str() string {
	tag := d.uvarint()
	if tag&1 == 1 {
		if tag>>1 >= uint64(len(dictionary)) {
			d.fail()
			return ""
		}
		return dictionary[tag>>1]
	}
	n := tag >> 1
	if n > uint64(len(d.b)-d.off) {
		d.fail()
		return ""
	}
	var s string
	if d.s == "" { // SearchField: copy just this string
		s = string(d.b[d.off : d.off+int(n)])
	} else {
		s = d.s[d.off : d.off+int(n)]
	}
	d.off += int(n)
	return s
}

// count reads a slice or map length. Each element takes at least minSize
// bytes, which bounds what the caller allocates by the size of the input.
func (d *decoder) count(minSize int) (n int, isNil bool) {
	v := d.uvarint()
	if v == 0 {
		return 0, true
	}
	if v-1 > uint64((len(d.b)-d.off)/minSize) {
		d.fail()
		return 0, true
	}
	return int(v - 1), false
}

func (d *decoder) date() time.Time {
	switch d.byte() {
	case 0:
		return time.Time{}
	case 1:
	default:
		d.fail()
		return time.Time{}
	}
	sec, nsec, off := d.varint(), d.uvarint(), d.varint()
	if d.err != nil || sec < -maxUnixSeconds || sec > maxUnixSeconds || nsec >= 1e9 ||
		off < -maxZoneOffset || off > maxZoneOffset {
		d.fail()
		return time.Time{}
	}
	t := time.Unix(sec, int64(nsec)).In(zone(int(off)))
	if t.IsZero() { // would be written back as the zero time
		d.fail()
	}
	return t
}

func (d *decoder) strMap() map[string]string {
	n, isNil := d.count(2)
	if isNil {
		return nil
	}
	m := make(map[string]string, n)
	for range n {
		k, v := d.str(), d.str()
		m[k] = v
		if d.err != nil {
			return nil
		}
	}
	if len(m) != n { // duplicate keys: Marshal never writes them
		d.fail()
	}
	return m
}

func (d *decoder) strs() []string {
	n, isNil := d.count(1)
	if isNil {
		return nil
	}
	l := make([]string, n)
	for i := range l {
		l[i] = d.str()
	}
	return l
}

func (d *decoder) addrs() []imap.Address {
	n, isNil := d.count(3)
	if isNil {
		return nil
	}
	l := make([]imap.Address, n)
	for i := range l {
		l[i] = imap.Address{Name: d.str(), Mailbox: d.str(), Host: d.str()}
	}
	return l
}

// envelope reads an envelope into env (allocated if nil) and returns it, or
// nil. top is the summary whose fields a top-level envelope may share, nil
// for an encapsulated message's envelope.
func (d *decoder) envelope(env *imap.Envelope, top *Summary) *imap.Envelope {
	flags := d.uvarint()
	if flags == 0 {
		return nil
	}
	allowed := uint64(envPresent)
	if top != nil {
		allowed |= envSameSubject | envSameDate
	}
	if flags&^allowed != 0 || flags&envPresent == 0 {
		d.fail()
		return nil
	}
	if env == nil {
		env = new(imap.Envelope)
	}
	if flags&envSameDate != 0 {
		env.Date = top.Date
	} else {
		env.Date = d.date()
	}
	if flags&envSameSubject != 0 {
		env.Subject = top.Subject
	} else {
		env.Subject = d.str()
	}
	env.From = d.addrs()
	env.Sender = d.addrs()
	env.ReplyTo = d.addrs()
	env.To = d.addrs()
	env.Cc = d.addrs()
	env.Bcc = d.addrs()
	env.InReplyTo = d.strs()
	env.MessageID = d.str()
	return env
}

// node reads a body structure at the given depth. Nil bodies are refused:
// go-imap's writer panics on them.
func (d *decoder) node(depth int) imap.BodyStructure {
	if depth > maxDepth {
		d.fail()
		return nil
	}
	tag := d.byte()
	switch {
	case d.err != nil:
		return nil
	case tag&3 == kindSingle && tag&^(3|flagMessage|flagText|flagExtended) == 0 && tag&flagExtended != 0:
		return d.single(tag, depth)
	case tag&3 == kindMulti && tag == kindMulti|flagMultiExt:
		return d.multi(depth)
	}
	d.fail()
	return nil
}

func (d *decoder) single(tag byte, depth int) imap.BodyStructure {
	blk := new(singleBlock)
	bs := &blk.part
	bs.Type = d.str()
	bs.Subtype = d.str()
	bs.Params = d.strMap()
	bs.ID = d.str()
	bs.Description = d.str()
	bs.Encoding = d.str()
	size := d.uvarint()
	if size > math.MaxUint32 {
		d.fail()
	}
	bs.Size = uint32(size)
	if tag&flagMessage != 0 {
		bs.MessageRFC822 = &imap.BodyStructureMessageRFC822{
			Envelope:      d.envelope(nil, nil),
			BodyStructure: d.node(depth + 1),
			NumLines:      int64(d.uvarint()),
		}
	}
	if tag&flagText != 0 {
		blk.text.NumLines = int64(d.uvarint())
		bs.Text = &blk.text
	}
	bs.Extended = &blk.ext
	blk.ext.Disposition = d.disposition(&blk.disp)
	blk.ext.Language = d.strs()
	blk.ext.Location = d.str()
	if d.err != nil {
		return nil
	}
	return bs
}

func (d *decoder) multi(depth int) imap.BodyStructure {
	n, isNil := d.count(1)
	if isNil || n == 0 {
		d.fail() // go-imap's writer panics on a multipart without children
		return nil
	}
	blk := new(multiBlock)
	bs := &blk.part
	bs.Children = make([]imap.BodyStructure, n)
	for i := range bs.Children {
		if bs.Children[i] = d.node(depth + 1); d.err != nil {
			return nil
		}
	}
	bs.Subtype = d.str()
	bs.Extended = &blk.ext
	blk.ext.Params = d.strMap()
	blk.ext.Disposition = d.disposition(&blk.disp)
	blk.ext.Language = d.strs()
	blk.ext.Location = d.str()
	if d.err != nil {
		return nil
	}
	return bs
}

// disposition reads a disposition into disp and returns it, or nil.
func (d *decoder) disposition(disp *imap.BodyStructureDisposition) *imap.BodyStructureDisposition {
	switch d.byte() {
	case 0:
		return nil
	case 1:
		disp.Value = d.str()
		disp.Params = d.strMap()
		return disp
	}
	d.fail()
	return nil
}
