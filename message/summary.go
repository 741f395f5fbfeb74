package message

import (
	"bytes"
	"math"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-message/textproto"
)

const (
	// maxDepth bounds the nesting of body parts (multipart children and
	// message/rfc822 bodies): the root is at depth 0. Deeper parts are
	// described as text/plain, as Dovecot does past its own limit, and
	// Unmarshal rejects deeper encodings.
	maxDepth = 100
	// maxParts bounds the body parts Summarize describes. Once reached,
	// multiparts stop listing children, so a message made of millions of
	// empty parts cannot make a huge summary.
	maxParts = 10000
)

// Summary is what IMAP needs about one message, computed once at delivery by
// Summarize and stored in the compact form of Marshal. A Summary does not
// reference the raw message.
type Summary struct {
	// HeaderSize is the size in bytes of the header section, including the
	// empty line that ends it (see HeaderEnd): BODY[HEADER] is
	// raw[:HeaderSize] and BODY[TEXT] is raw[HeaderSize:] (RFC 3501 §6.4.5).
	HeaderSize int64
	// Envelope is the FETCH ENVELOPE value (RFC 3501 §7.4.2). Summarize
	// never leaves it nil.
	Envelope *imap.Envelope
	// Body is the extended FETCH BODYSTRUCTURE value (RFC 3501 §7.4.2):
	// every multipart has at least one child and every part has its
	// extension data, as go-imap's FETCH writer requires.
	Body imap.BodyStructure

	// Subject is the Subject header as SEARCH SUBJECT matches it (RFC 3501
	// §6.4.4): unfolded, RFC 2047 words decoded, in UTF-8.
	Subject string
	// From, To, Cc and Bcc are those header fields as SEARCH FROM, TO, CC
	// and BCC match them: the unfolded value with RFC 2047 words decoded,
	// so both display names and addresses are found.
	From, To, Cc, Bcc string
	// MessageID is the Message-ID header as SEARCH HEADER Message-ID
	// matches it, angle brackets included ("<id@host>"); Envelope.MessageID
	// has them removed.
	MessageID string
	// Date is the Date header (RFC 5322 §3.3) for SEARCH SENTBEFORE, SENTON
	// and SENTSINCE, or the zero time if it is missing or invalid. Its
	// location is a fixed zone with the header's offset (time.UTC for
	// +0000), so it survives Marshal and Unmarshal unchanged.
	Date time.Time
}

// Summarize parses a raw RFC 5322 message and computes its Summary. It is
// tolerant like production IMAP servers: malformed header lines are
// skipped, an invalid Content-Type means text/plain (RFC 2045 §5.2), a
// multipart whose boundary never appears gets one empty text/plain part,
// parts nested deeper than 100 levels are described as text/plain, and at
// most about 10,000 parts are listed. Summarize never panics and keeps no
// reference to raw.
//
// The only error is ErrEmpty, for a zero-length raw: every other input,
// even one that is not a message at all, gets a summary (text without an
// empty line is all header, with an empty text/plain body).
func Summarize(raw []byte) (*Summary, error) {
	if len(raw) == 0 {
		return nil, ErrEmpty
	}
	hs := HeaderEnd(raw)
	h := parseHeader(raw[:hs])
	env := envelope(h)
	w := walker{budget: maxParts}
	return &Summary{
		HeaderSize: hs,
		Envelope:   env,
		Body:       w.part(h, raw[hs:], 0, ""),
		Subject:    env.Subject,
		From:       decodeText(h.Get("From")),
		To:         decodeText(h.Get("To")),
		Cc:         decodeText(h.Get("Cc")),
		Bcc:        decodeText(h.Get("Bcc")),
		MessageID:  toUTF8(h.Get("Message-Id")),
		Date:       env.Date,
	}, nil
}

// walker builds a body structure, counting the parts it still may add.
type walker struct {
	budget int
}

// part describes the part with header h and content body at the given
// depth; parent is the subtype of the enclosing multipart, if any.
func (w *walker) part(h textproto.Header, body []byte, depth int, parent string) imap.BodyStructure {
	w.budget--
	mt := contentType(h, parent)
	nests := mt.typ == "multipart" || isMessage(mt)
	if nests && (depth >= maxDepth || w.budget <= 0) {
		mt = defaultMediaType()
	}
	if mt.typ == "multipart" {
		return w.multipart(h, body, depth, mt)
	}
	return w.single(h, body, depth, mt)
}

// isMessage reports whether a part encapsulates a message whose envelope
// and structure BODYSTRUCTURE shows (RFC 3501 §7.4.2 body-type-msg; RFC
// 6532 §3.7 for message/global).
func isMessage(mt mediaType) bool {
	return mt.is("message", "rfc822") || mt.is("message", "global")
}

func (w *walker) single(h textproto.Header, body []byte, depth int, mt mediaType) *imap.BodyStructureSinglePart {
	bs := &imap.BodyStructureSinglePart{
		Type:        mt.typ,
		Subtype:     mt.sub,
		Params:      mt.params,
		ID:          h.Get("Content-Id"),
		Description: h.Get("Content-Description"),
		Encoding:    strings.ToLower(h.Get("Content-Transfer-Encoding")),
		Size:        uint32(min(len(body), math.MaxUint32)),
		Extended: &imap.BodyStructureSinglePartExt{
			Disposition: disposition(h),
			Language:    language(h),
			Location:    h.Get("Content-Location"),
		},
	}
	lines := int64(bytes.Count(body, []byte("\n")))
	if isMessage(mt) {
		hs := HeaderEnd(body)
		mh := parseHeader(body[:hs])
		bs.MessageRFC822 = &imap.BodyStructureMessageRFC822{
			Envelope:      envelope(mh),
			BodyStructure: w.part(mh, body[hs:], depth+1, ""),
			NumLines:      lines,
		}
	}
	if mt.typ == "text" {
		bs.Text = &imap.BodyStructureText{NumLines: lines}
	}
	return bs
}

func (w *walker) multipart(h textproto.Header, body []byte, depth int, mt mediaType) *imap.BodyStructureMultiPart {
	bs := &imap.BodyStructureMultiPart{
		Subtype: mt.sub,
		Extended: &imap.BodyStructureMultiPartExt{
			Params:      mt.params,
			Disposition: disposition(h),
			Language:    language(h),
			Location:    h.Get("Content-Location"),
		},
	}
	s := newPartScanner(body, mt.params["boundary"])
	for w.budget > 0 || len(bs.Children) == 0 {
		p, ok := s.next()
		if !ok {
			break
		}
		hs := HeaderEnd(p)
		bs.Children = append(bs.Children, w.part(parseHeader(p[:hs]), p[hs:], depth+1, mt.sub))
	}
	if len(bs.Children) == 0 {
		// A multipart must have a part (RFC 2046 §5.1.1), and go-imap's
		// writer panics without one: show an empty text part, as Dovecot does.
		bs.Children = append(bs.Children, emptyTextPart())
	}
	return bs
}

func emptyTextPart() *imap.BodyStructureSinglePart {
	mt := defaultMediaType()
	return &imap.BodyStructureSinglePart{
		Type:     mt.typ,
		Subtype:  mt.sub,
		Params:   mt.params,
		Encoding: "7bit",
		Text:     &imap.BodyStructureText{},
		Extended: &imap.BodyStructureSinglePartExt{},
	}
}
