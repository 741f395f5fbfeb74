package imapd

import (
	"bufio"
	"bytes"
	"net/textproto"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"

	"mailnet/message"
	"mailnet/storage"
)

// Search answers SEARCH and UID SEARCH, with ESEARCH results and SEARCHRES.
// Envelope fields are matched on the stored summaries; the body is read
// only when a BODY, TEXT or non-envelope HEADER criterion asks for it.
func (s *session) Search(kind imapserver.NumKind, criteria *imap.SearchCriteria, options *imap.SearchOptions) (*imap.SearchData, error) {
	refs := s.resolveAll()
	var highest uint32
	if n := len(refs); n > 0 {
		highest = refs[n-1].seq
	}
	m := matcher{searchRes: s.sel.searchRes, highest: highest}
	want := storage.Want{}
	needs(criteria, &want)
	var seqs imap.SeqSet
	var uids imap.UIDSet
	var saved []uint32
	data := &imap.SearchData{}
	if want.Raw && len(refs) > 0 && s.sel.view.foreign() {
		// Searching bodies reads them: one entry per command.
		if err := s.audit("search", s.sel.view, uidsOf(refs)); err != nil {
			return nil, s.fail("search", err)
		}
	}
	for start := 0; start < len(refs); start += fetchChunk {
		chunk := refs[start:min(start+fetchChunk, len(refs))]
		msgs, err := s.messages(uidsOf(chunk), want)
		if err != nil {
			return nil, s.fail("search", err)
		}

		bySeq := seqByUID(chunk)
		for i := range msgs {
			c := candidate{msg: &msgs[i], seq: bySeq[msgs[i].UID]}
			if !m.match(&c, criteria) {
				continue
			}
			saved = append(saved, c.msg.UID)
			num := c.seq
			if kind == imapserver.NumKindUID {
				num = c.msg.UID
				uids.AddNum(imap.UID(num))
			} else {
				seqs.AddNum(num)
			}
			if data.Min == 0 || num < data.Min {
				data.Min = num
			}
			data.Max = max(data.Max, num)
			data.Count++
		}
	}
	if kind == imapserver.NumKindUID {
		data.All = uids
	} else {
		data.All = seqs
	}
	if options != nil && options.ReturnSave {
		s.sel.searchRes = saved
	}
	return data, nil
}

// needs sets what must be read from storage to evaluate c.
func needs(c *imap.SearchCriteria, want *storage.Want) {
	if len(c.Body) > 0 || len(c.Text) > 0 {
		want.Raw = true
	}
	for _, h := range c.Header {
		if _, ok := summaryFields[strings.ToLower(h.Key)]; ok {
			want.Summary = true
		} else {
			want.Raw = true
		}
	}
	if !c.SentSince.IsZero() || !c.SentBefore.IsZero() {
		want.Summary = true
	}
	for i := range c.Not {
		needs(&c.Not[i], want)
	}
	for i := range c.Or {
		needs(&c.Or[i][0], want)
		needs(&c.Or[i][1], want)
	}
}

var summaryFields = map[string]message.Field{
	"subject":    message.FieldSubject,
	"from":       message.FieldFrom,
	"to":         message.FieldTo,
	"cc":         message.FieldCc,
	"bcc":        message.FieldBcc,
	"message-id": message.FieldMessageID,
}

// candidate is a message under evaluation, with what has been derived from
// it so far.
type candidate struct {
	msg    *storage.Message
	seq    uint32
	text   string // decoded body text, computed on first need
	header textproto.MIMEHeader
}

type matcher struct {
	searchRes []uint32
	highest   uint32
}

// match reports whether c satisfies every key of crit (RFC 9051 §6.4.4).
func (m *matcher) match(c *candidate, crit *imap.SearchCriteria) bool {
	return m.matchSets(c, crit) &&
		matchDates(c, crit) &&
		matchFlags(c.msg.Flags, crit) &&
		(crit.Larger == 0 || c.msg.Size > crit.Larger) &&
		(crit.Smaller == 0 || c.msg.Size < crit.Smaller) &&
		m.matchText(c, crit) &&
		m.matchLogic(c, crit)
}

func (m *matcher) matchSets(c *candidate, crit *imap.SearchCriteria) bool {
	for _, set := range crit.SeqNum {
		if !containsSeq(set, c.seq, m.highest) {
			return false
		}
	}
	for _, set := range crit.UID {
		if imap.IsSearchRes(set) {
			if !containsUID32(m.searchRes, c.msg.UID) {
				return false
			}
			continue
		}
		if !containsUID(set, c.msg.UID, m.highest) {
			return false
		}
	}
	return true
}

func containsSeq(set imap.SeqSet, seq, highest uint32) bool {
	for _, r := range set {
		start, stop := staticRange(r.Start, r.Stop, highest)
		if seq >= start && seq <= stop {
			return true
		}
	}
	return false
}

func containsUID(set imap.UIDSet, uid, _ uint32) bool {
	for _, r := range set {
		if r.Stop == 0 { // n:* includes every UID from n up
			if uid >= uint32(r.Start) || r.Start == 0 {
				return true
			}
			continue
		}
		start, stop := uint32(r.Start), uint32(r.Stop)
		if start > stop {
			start, stop = stop, start
		}
		if uid >= start && uid <= stop {
			return true
		}
	}
	return false
}

func containsUID32(v []uint32, uid uint32) bool {
	for _, u := range v {
		if u == uid {
			return true
		}
	}
	return false
}

// day returns t's calendar date; SEARCH compares dates, not times.
func day(t time.Time) time.Time {
	y, mo, d := t.Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC)
}

func matchDates(c *candidate, crit *imap.SearchCriteria) bool {
	internal := day(c.msg.InternalDate)
	if !crit.Since.IsZero() && internal.Before(day(crit.Since)) {
		return false
	}
	if !crit.Before.IsZero() && !internal.Before(day(crit.Before)) {
		return false
	}
	if crit.SentSince.IsZero() && crit.SentBefore.IsZero() {
		return true
	}
	sent, err := message.SearchDate(c.msg.Summary)
	if err != nil || sent.IsZero() {
		return false
	}
	sent = day(sent)
	if !crit.SentSince.IsZero() && sent.Before(day(crit.SentSince)) {
		return false
	}
	if !crit.SentBefore.IsZero() && !sent.Before(day(crit.SentBefore)) {
		return false
	}
	return true
}

func matchFlags(flags []string, crit *imap.SearchCriteria) bool {
	for _, f := range crit.Flag {
		if !hasFlagFold(flags, string(f)) {
			return false
		}
	}
	for _, f := range crit.NotFlag {
		if hasFlagFold(flags, string(f)) {
			return false
		}
	}
	return true
}

func hasFlagFold(flags []string, f string) bool {
	for _, g := range flags {
		if strings.EqualFold(g, f) {
			return true
		}
	}
	return false
}

func (m *matcher) matchText(c *candidate, crit *imap.SearchCriteria) bool {
	for _, h := range crit.Header {
		if !matchHeader(c, h) {
			return false
		}
	}
	for _, needle := range crit.Body {
		if !containsFold(c.bodyText(), needle) {
			return false
		}
	}
	for _, needle := range crit.Text {
		if !containsFold(c.headerText(), needle) && !containsFold(c.bodyText(), needle) {
			return false
		}
	}
	return true
}

func (m *matcher) matchLogic(c *candidate, crit *imap.SearchCriteria) bool {
	for i := range crit.Not {
		if m.match(c, &crit.Not[i]) {
			return false
		}
	}
	for i := range crit.Or {
		if !m.match(c, &crit.Or[i][0]) && !m.match(c, &crit.Or[i][1]) {
			return false
		}
	}
	return true
}

// matchHeader matches HEADER field-name string: a substring of the field's
// value, or the field's presence when the string is empty.
func matchHeader(c *candidate, h imap.SearchCriteriaHeaderField) bool {
	if f, ok := summaryFields[strings.ToLower(h.Key)]; ok {
		v, err := message.SearchField(c.msg.Summary, f)
		if err != nil {
			return false
		}
		if h.Value == "" {
			return v != "" || c.headerHas(h.Key)
		}
		return containsFold(v, h.Value)
	}
	values := c.headers()[textproto.CanonicalMIMEHeaderKey(h.Key)]
	if h.Value == "" {
		return len(values) > 0
	}
	for _, v := range values {
		if containsFold(v, h.Value) {
			return true
		}
	}
	return false
}

func (c *candidate) headerHas(key string) bool {
	if c.msg.Raw == nil {
		return false
	}
	return len(c.headers()[textproto.CanonicalMIMEHeaderKey(key)]) > 0
}

func (c *candidate) headers() textproto.MIMEHeader {
	if c.header == nil {
		end := message.HeaderEnd(c.msg.Raw)
		r := textproto.NewReader(bufio.NewReader(bytes.NewReader(c.msg.Raw[:end])))
		h, _ := r.ReadMIMEHeader() // a broken header still yields what parsed
		if h == nil {
			h = textproto.MIMEHeader{}
		}
		c.header = h
	}
	return c.header
}

func (c *candidate) headerText() string {
	return string(c.msg.Raw[:message.HeaderEnd(c.msg.Raw)])
}

func (c *candidate) bodyText() string {
	if c.text == "" && c.msg.Raw != nil {
		c.text = bodyText(c.msg.Raw)
	}
	return c.text
}

// containsFold reports whether needle occurs in s, ignoring case.
func containsFold(s, needle string) bool {
	if needle == "" {
		return true
	}
	if isASCII(s) && isASCII(needle) {
		n := len(needle)
		for i := 0; i+n <= len(s); i++ {
			if strings.EqualFold(s[i:i+n], needle) {
				return true
			}
		}
		return false
	}
	return strings.Contains(strings.ToLower(s), strings.ToLower(needle))
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
