package smtpd

import (
	"bytes"
	"mime"
	"net/mail"
	"strings"
	"time"

	"mailnet/routing"
	"mailnet/storage"
)

// track sets in.Conversation when the server tracks answers (a Calendar
// is set): on MX, for a message from d.Client, a known client, with its
// acknowledgement of receipt (see acknowledge); on
// submission, for a reply of account to answered, the client it serves
// (see answeredClient). The clock time is in.InternalDate, the time of
// delivery.
func (s *session) track(in *storage.Incoming, env envelope, account *storage.Account, d routing.Decision, answered *storage.Client) error {
	if s.srv.cal == nil {
		return nil
	}
	at := in.InternalDate
	ev := storage.ConversationEvent{At: at}
	switch {
	case s.srv.cfg.Mode == ModeSubmission && account != nil:
		if answered == nil {
			return nil
		}
		ev.Answer, ev.Client, ev.By = true, answered.ID, account.Address
	case s.srv.cfg.Mode == ModeMX && d.Client != nil:
		ev.Client, ev.Counsellor = d.Client.ID, d.Client.Counsellor
		ev.Due, ev.NoticeAt = s.srv.cal.Due(at), s.srv.cal.Notice(at)
	default:
		return nil
	}
	ev.Subject, ev.MessageID, ev.Refs = threadFields(in.Raw)
	in.Conversation = &ev
	if ev.Answer {
		return nil
	}
	return s.acknowledge(&ev, in.Raw, env.from, d)
}

// threadFields returns the decoded Subject, the Message-ID and the
// In-Reply-To and References message IDs of raw, IDs without angle
// brackets (RFC 5322 §3.6.4). A header that does not parse gives none.
func threadFields(raw []byte) (subject, id string, refs []string) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", "", nil
	}
	h := msg.Header
	subject = h.Get("Subject")
	if dec, err := new(mime.WordDecoder).DecodeHeader(subject); err == nil {
		subject = dec
	}
	if ids := msgIDs(h.Get("Message-ID")); len(ids) > 0 {
		id = ids[0]
	}
	refs = append(msgIDs(h.Get("In-Reply-To")), msgIDs(h.Get("References"))...)
	return subject, id, refs
}

// msgIDs returns the message IDs of a field value, "<a@b> <c@d>", without
// their brackets; text outside brackets (comments, phrases) is skipped.
func msgIDs(v string) []string {
	var out []string
	for {
		start := strings.IndexByte(v, '<')
		if start < 0 {
			return out
		}
		end := strings.IndexByte(v[start:], '>')
		if end < 0 {
			return out
		}
		if id := strings.TrimSpace(v[start+1 : start+end]); id != "" {
			out = append(out, id)
		}
		v = v[start+end+1:]
	}
}

// answeredClient returns the client a submitted message answers
// (Router.AnsweredClient over every recipient, remote ones included), or
// nil: on MX, without an account, or when no recipient is a client the
// account serves.
func (s *session) answeredClient(env envelope, account *storage.Account, at time.Time) (*storage.Client, error) {
	if s.srv.cfg.Mode != ModeSubmission || account == nil {
		return nil, nil
	}
	return s.srv.router.AnsweredClient(s.ctx, *account, env.rcpts, at)
}

// archive sets in.Archive: every message SMTP accepts goes to the archive
// in its delivery's transaction. An MX message is "in", with the client
// and personal counsellor routing found; a submitted one is "out" when a
// recipient is remote, "internal" otherwise, with the client it answers
// and that client's counsellor.
func archive(in *storage.Incoming, env envelope, d routing.Decision, answered *storage.Client, submission bool) {
	info := storage.ArchiveInfo{Direction: storage.DirectionIn, From: env.from, To: env.rcpts}
	client := d.Client
	if submission {
		client = answered
		info.Direction = storage.DirectionInternal
		if len(env.remote) > 0 {
			info.Direction = storage.DirectionOut
		}
	}
	if client != nil {
		info.Client, info.Counsellor = client.ID, client.Counsellor
	}
	in.Archive = &info
}
