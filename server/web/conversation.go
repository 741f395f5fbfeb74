package web

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"

	"mailnet/storage"
)

// conversationData is the reading view's template data.
type conversationData struct {
	Conv     storage.Conversation
	Overdue  bool
	Messages []shownMessage
}

// shownMessage is one message of the reading view.
type shownMessage struct {
	mailItem
	body
	Error string
}

// viewable loads the conversation named by the path and checks that v may
// see it: errForbidden, or storage.ErrNotFound.
func (s *Server) viewable(ctx context.Context, v *viewer, idText string) (storage.Conversation, error) {
	id, err := strconv.ParseUint(idText, 10, 64)
	if err != nil {
		return storage.Conversation{}, storage.ErrNotFound
	}
	c, err := s.deps.Store.ConversationByID(ctx, id)
	if err != nil {
		return storage.Conversation{}, err
	}
	if !v.sees(c.Counsellor) {
		return storage.Conversation{}, errForbidden
	}
	return c, nil
}

// lookupError shows the error of viewable.
func (s *Server) lookupError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, storage.ErrNotFound):
		s.errorPage(w, r, http.StatusNotFound, "No such conversation.")
	case errors.Is(err, errForbidden):
		s.errorPage(w, r, http.StatusForbidden, "This conversation is outside your scope.")
	default:
		s.serverError(w, r, err)
	}
}

// conversationPage is the read-only reading view of a conversation: the
// archived exchange with its client (see findMail), HTML sanitised,
// attachments listed for download. The reading is audited
// before anything is shown.
func (s *Server) conversationPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	c, err := s.viewable(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.lookupError(w, r, err)
		return
	}
	items, err := s.findMail(r.Context(), c)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	if err := s.audit(r.Context(), v, "web-view", remoteAddr(r).String(), c.Client, items); err != nil {
		s.serverError(w, r, err)
		return
	}
	d := conversationData{Conv: c, Overdue: c.Overdue(s.now())}
	uids := make([]uint32, len(items))
	for i, it := range items {
		uids[i] = it.UID
	}
	msgs, err := s.deps.Store.CaseMessages(r.Context(), c.Client, uids, storage.Want{Raw: true})
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	raw := make(map[uint32][]byte, len(msgs))
	for _, m := range msgs {
		raw[m.UID] = m.Raw
	}
	policy := newPolicy()
	for _, it := range items {
		data, ok := raw[it.UID]
		if !ok {
			continue // purged meanwhile
		}
		sm := shownMessage{mailItem: it}
		sm.body, err = renderBody(data, policy)
		if err != nil {
			s.log.Warn("web: message partly unreadable", "case", c.Client, "uid", it.UID, "err", err)
			sm.Error = "Part of this message could not be decoded."
		}
		d.Messages = append(d.Messages, sm)
	}
	s.render(w, r, http.StatusOK, "conversation", v, d)
}

// attachment downloads one part of one of the conversation's messages;
// the message must be one the reading view shows. The download is
// audited.
func (s *Server) attachment(w http.ResponseWriter, r *http.Request, v *viewer) {
	c, err := s.viewable(r.Context(), v, r.PathValue("id"))
	if err != nil {
		s.lookupError(w, r, err)
		return
	}
	q := r.URL.Query()
	uid, err1 := strconv.ParseUint(q.Get("uid"), 10, 32)
	part, err2 := strconv.Atoi(q.Get("part"))
	if err := errors.Join(err1, err2); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "Bad attachment reference.")
		return
	}
	items, err := s.findMail(r.Context(), c)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	var it *mailItem
	for i := range items {
		if items[i].UID == uint32(uid) {
			it = &items[i]
		}
	}
	if it == nil {
		s.errorPage(w, r, http.StatusNotFound, "No such message in this conversation.")
		return
	}
	msgs, err := s.deps.Store.CaseMessages(r.Context(), c.Client, []uint32{it.UID}, storage.Want{Raw: true})
	if err != nil || len(msgs) == 0 {
		s.errorPage(w, r, http.StatusNotFound, "No such message in this conversation.")
		return
	}
	data, mediaType, name, err := extractPart(msgs[0].Raw, part)
	if err != nil {
		s.errorPage(w, r, http.StatusNotFound, "No such attachment.")
		return
	}
	if err := s.audit(r.Context(), v, "web-download", remoteAddr(r).String(), c.Client, []mailItem{*it}); err != nil {
		s.serverError(w, r, err)
		return
	}
	if name == "" {
		name = fmt.Sprintf("part-%d", part)
	}
	h := w.Header()
	h.Set("Content-Type", mediaType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Content-Security-Policy", "sandbox; default-src 'none'")
	h.Set("Cache-Control", "no-store")
	if _, err := w.Write(data); err != nil {
		s.log.Debug("web write", "path", r.URL.Path, "err", err)
	}
}
