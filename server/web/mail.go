package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	gomessage "github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode non-UTF-8 text parts
	"github.com/microcosm-cc/bluemonday"

	"mailnet/message"
	"mailnet/routing"
	"mailnet/storage"
)

// Limits of the reading view.
const (
	maxShown    = 100     // messages shown, the most recent
	maxBodyText = 1 << 20 // bytes of text read from one part
	// maxAttachment bounds a decoded attachment; the message size limit
	// (25 MiB by default) keeps real ones under it.
	maxAttachment = 64 << 20
)

// mailItem is one message of the exchange with a conversation's client,
// as the archive holds it.
type mailItem struct {
	// UID is the message's archive sequence number (its UID in the
	// client's Cases/ view).
	UID uint32
	// Mailbox is the client's case view name; Owner is the client's
	// personal counsellor (for the audit log, which records no entry for
	// a counsellor reading their own client's exchange).
	Mailbox string
	Owner   string
	Date    time.Time
	From    string
	To      string
	Subject string
	// Inbound: from the client; otherwise to the client.
	Inbound bool
}

// findMail returns the messages of the exchange with c's client, both
// directions, whoever the counsellor was, from the archive (the record of
// legal value: a message expunged from a mailbox is still there), oldest
// first, at most maxShown (the most recent). It reads the stored summaries
// only; no message is parsed.
func (s *Server) findMail(ctx context.Context, c storage.Conversation) ([]mailItem, error) {
	client, err := s.deps.Store.Client(ctx, c.Client)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	isClient := func(addr string) bool {
		addr = strings.ToLower(addr)
		if slices.Contains(client.Emails, addr) {
			return true
		}
		at := strings.LastIndexByte(addr, '@')
		return at >= 0 && slices.Contains(client.Domains, addr[at+1:])
	}
	uids, err := s.deps.Store.CaseUIDs(ctx, client.ID)
	if err != nil {
		return nil, err
	}
	if len(uids) > maxShown {
		uids = uids[len(uids)-maxShown:]
	}
	msgs, err := s.deps.Store.CaseMessages(ctx, client.ID, uids, storage.Want{Summary: true})
	if err != nil {
		return nil, err
	}
	view := routing.CaseView(client)
	items := make([]mailItem, 0, len(msgs))
	for _, m := range msgs {
		sum, err := message.Unmarshal(m.Summary)
		if err != nil {
			s.log.Warn("web: unreadable summary", "case", client.ID, "uid", m.UID, "err", err)
			continue
		}
		inbound, _ := matchEnvelope(sum, isClient)
		items = append(items, mailItem{UID: m.UID, Mailbox: view, Owner: client.Counsellor,
			Date: m.InternalDate, From: sum.From, To: sum.To, Subject: sum.Subject, Inbound: inbound})
	}
	return items, nil
}

// matchEnvelope reports whether the message is from the client (inbound)
// or to them (To or Cc).
func matchEnvelope(sum *message.Summary, isClient func(string) bool) (inbound, match bool) {
	env := sum.Envelope
	for _, a := range env.From {
		if isClient(a.Addr()) {
			return true, true
		}
	}
	for _, list := range [][]imap.Address{env.To, env.Cc} {
		for _, a := range list {
			if isClient(a.Addr()) {
				return false, true
			}
		}
	}
	return false, false
}

// body is a message prepared for the reading view.
type body struct {
	Text        string
	HTML        template.HTML // sanitised
	Attachments []attachmentInfo
}

// attachmentInfo names a downloadable part.
type attachmentInfo struct {
	Part int // index among the message's leaf parts
	Name string
	Type string
	Size int
}

// newPolicy is the sanitiser of HTML bodies: user-generated-content rules
// (no scripts, styles, forms or event attributes), links opened with
// rel="nofollow noopener". Remote images stay in the markup but the
// page's Content-Security-Policy does not load them.
func newPolicy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return p
}

// leaf is one non-multipart part of a message, in walk order.
type leaf struct {
	index      int
	mediaType  string
	attachment bool
	name       string
	entity     *gomessage.Entity
}

// walkLeaves calls fn for each leaf part of raw, in order; fn returning
// false stops the walk.
func walkLeaves(raw []byte, fn func(leaf) bool) error {
	e, err := gomessage.Read(bytes.NewReader(raw))
	if err != nil && !gomessage.IsUnknownCharset(err) && !gomessage.IsUnknownEncoding(err) {
		return fmt.Errorf("parse message: %w", err)
	}
	n := 0
	errStop := errors.New("stop")
	err = e.Walk(func(_ []int, part *gomessage.Entity, err error) error {
		if err != nil || part.MultipartReader() != nil {
			return nil
		}
		mt, ctParams, _ := part.Header.ContentType()
		if mt == "" {
			mt = "text/plain"
		}
		disp, dParams, _ := part.Header.ContentDisposition()
		name := dParams["filename"]
		if name == "" {
			name = ctParams["name"]
		}
		l := leaf{index: n, mediaType: strings.ToLower(mt), attachment: disp == "attachment" || name != "" ||
			!strings.HasPrefix(strings.ToLower(mt), "text/"), name: name, entity: part}
		n++
		if !fn(l) {
			return errStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, errStop) {
		return fmt.Errorf("walk message: %w", err)
	}
	return nil
}

// renderBody prepares raw for reading: the first HTML part, sanitised, or
// else the first plain text part (escaped by the template), and the list
// of attachments.
//
// A part that cannot be decoded is shown as far as it could be, and the
// first such error is returned with the rest of the body.
func renderBody(raw []byte, policy *bluemonday.Policy) (body, error) {
	var b body
	var html string
	var partErr error
	read := func(r io.Reader, limit int64) []byte {
		data, err := io.ReadAll(io.LimitReader(r, limit))
		if err != nil && partErr == nil {
			partErr = err
		}
		return data
	}
	err := walkLeaves(raw, func(l leaf) bool {
		if l.attachment {
			data := read(l.entity.Body, maxAttachment)
			name := l.name
			if name == "" {
				name = fmt.Sprintf("part-%d", l.index)
			}
			b.Attachments = append(b.Attachments, attachmentInfo{Part: l.index, Name: name, Type: l.mediaType, Size: len(data)})
			return true
		}
		text := read(l.entity.Body, maxBodyText)
		switch {
		case l.mediaType == "text/html" && html == "":
			html = string(text)
		case b.Text == "":
			b.Text = string(text)
		}
		return true
	})
	if html != "" {
		b.HTML = template.HTML(policy.Sanitize(html)) // #nosec: sanitised by bluemonday
		b.Text = ""
	}
	return b, errors.Join(err, partErr)
}

// extractPart returns the decoded content of leaf part n, with its media
// type and file name.
func extractPart(raw []byte, n int) (data []byte, mediaType, name string, err error) {
	found := false
	var readErr error
	err = walkLeaves(raw, func(l leaf) bool {
		if l.index != n {
			return true
		}
		found = true
		data, readErr = io.ReadAll(io.LimitReader(l.entity.Body, maxAttachment))
		mediaType, name = l.mediaType, l.name
		return false
	})
	switch {
	case err != nil:
		return nil, "", "", err
	case readErr != nil:
		return nil, "", "", fmt.Errorf("decode part %d: %w", n, readErr)
	case !found:
		return nil, "", "", fmt.Errorf("part %d: %w", n, storage.ErrNotFound)
	}
	return data, mediaType, name, nil
}
