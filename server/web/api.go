package web

import (
	"errors"
	"net/http"
	"time"

	"mailnet/stats"
	"mailnet/storage"
)

// The JSON API serves the dashboard's data to scripts, with the same
// session cookie and scope. Dates are RFC 3339; errors are {"error": …}.

// apiSelection reads the selection of an API call, answering the error
// itself.
func (s *Server) apiSelection(w http.ResponseWriter, r *http.Request, v *viewer) (selection, bool) {
	sel, err := s.selection(v, r.URL.Query())
	switch {
	case errors.Is(err, errForbidden):
		writeJSONError(w, http.StatusForbidden, "team outside your scope")
		return sel, false
	case err != nil:
		writeJSONError(w, http.StatusBadRequest, "dates must be YYYY-MM-DD, from not after to")
		return sel, false
	}
	return sel, true
}

// apiMe describes the viewer: GET /api/me.
func (s *Server) apiMe(w http.ResponseWriter, _ *http.Request, v *viewer) {
	writeJSON(w, http.StatusOK, map[string]any{
		"address": v.Address, "name": v.Name, "role": v.Role, "teams": v.manages, "csrf_token": v.sess.csrf,
	})
}

// apiStats is the statistics report of the selection: GET
// /api/stats?team=T&from=D&to=D.
func (s *Server) apiStats(w http.ResponseWriter, r *http.Request, v *viewer) {
	sel, ok := s.apiSelection(w, r, v)
	if !ok {
		return
	}
	rep, _, err := s.report(r.Context(), v, sel)
	if err != nil {
		s.log.Error("web api", "path", r.URL.Path, "err", err)
		writeJSONError(w, http.StatusInternalServerError, "internal error")
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// apiStatsCSV is the same report as CSV (see stats.WriteCSV): GET
// /api/stats.csv?team=T&from=D&to=D.
func (s *Server) apiStatsCSV(w http.ResponseWriter, r *http.Request, v *viewer) {
	sel, ok := s.apiSelection(w, r, v)
	if !ok {
		return
	}
	rep, _, err := s.report(r.Context(), v, sel)
	if err != nil {
		s.log.Error("web api", "path", r.URL.Path, "err", err)
		writeJSONError(w, http.StatusInternalServerError, "internal error")
		return
	}
	name := "mailnet-stats-" + sel.From + "-" + sel.To
	if sel.Team != "" {
		name += "-" + sel.Team
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	if err := stats.WriteCSV(w, rep); err != nil {
		s.log.Debug("web write", "path", r.URL.Path, "err", err)
	}
}

// apiConversation is a conversation as the API shows it.
type apiConversation struct {
	stats.Conversation
	State   string `json:"state"`
	Overdue bool   `json:"overdue"`
}

func (s *Server) apiConv(c storage.Conversation, now time.Time) apiConversation {
	return apiConversation{Conversation: stats.FromStorage([]storage.Conversation{c})[0], State: c.State, Overdue: c.Overdue(now)}
}

// apiConversations lists the conversations of the selection's
// counsellors: GET /api/conversations?team=T&open=1&overdue=1. open keeps
// those waiting for an answer, overdue those past due now; without them,
// every conversation opened or answered in the period (from, to).
func (s *Server) apiConversations(w http.ResponseWriter, r *http.Request, v *viewer) {
	sel, ok := s.apiSelection(w, r, v)
	if !ok {
		return
	}
	convs, err := s.conversations(r.Context(), v, sel)
	if err != nil {
		s.log.Error("web api", "path", r.URL.Path, "err", err)
		writeJSONError(w, http.StatusInternalServerError, "internal error")
		return
	}
	q := r.URL.Query()
	open, overdue := q.Get("open") == "1", q.Get("overdue") == "1"
	now := s.now()
	out := []apiConversation{}
	for _, c := range convs {
		switch {
		case overdue && !c.Overdue(now):
		case open && c.State != storage.ConversationOpen:
		case !open && !overdue && !sel.Period.Contains(c.Opened) && !sel.Period.Contains(c.AnsweredAt):
		default:
			out = append(out, s.apiConv(c, now))
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// apiConversation is one conversation's record, without its messages
// (their reading is for the audited reading view): GET
// /api/conversations/{id}.
func (s *Server) apiConversation(w http.ResponseWriter, r *http.Request, v *viewer) {
	c, err := s.viewable(r.Context(), v, r.PathValue("id"))
	switch {
	case errors.Is(err, storage.ErrNotFound):
		writeJSONError(w, http.StatusNotFound, "no such conversation")
	case errors.Is(err, errForbidden):
		writeJSONError(w, http.StatusForbidden, "conversation outside your scope")
	case err != nil:
		s.log.Error("web api", "path", r.URL.Path, "err", err)
		writeJSONError(w, http.StatusInternalServerError, "internal error")
	default:
		writeJSON(w, http.StatusOK, s.apiConv(c, s.now()))
	}
}
