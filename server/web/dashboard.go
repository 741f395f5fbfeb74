package web

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"time"

	"mailnet/stats"
	"mailnet/storage"
)

// dashboardData is the dashboard page's template data.
type dashboardData struct {
	Sel    selection
	Teams  []storage.Team // the teams the viewer may choose
	Report stats.Report
	Charts []chart
	Open   []openRow
	// Query is the selection as URL parameters, for the export links.
	Query string
	// Done and Failed report the last action (from the redirect after it).
	Done, Failed string
	// Actions is set for managers: what their forms offer.
	Actions *actionsData
}

// actionsData fills the managers' forms.
type actionsData struct {
	Counsellors []string // those of the managed teams
	Absences    []storage.Absence
	Today       string
}

// dashboard shows the selection's figures, charts and open conversations.
func (s *Server) dashboard(w http.ResponseWriter, r *http.Request, v *viewer) {
	sel, err := s.selection(v, r.URL.Query())
	switch {
	case errors.Is(err, errForbidden):
		s.errorPage(w, r, http.StatusForbidden, "That team is not one of yours.")
		return
	case err != nil:
		s.errorPage(w, r, http.StatusBadRequest, "Dates must be YYYY-MM-DD, the first not after the second.")
		return
	}
	rep, convs, err := s.report(r.Context(), v, sel)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	d := dashboardData{Sel: sel, Report: rep, Open: s.openRows(convs),
		Done: r.URL.Query().Get("done"), Failed: r.URL.Query().Get("failed")}
	for _, id := range v.manages {
		d.Teams = append(d.Teams, v.teams[id])
	}
	q := url.Values{"from": {sel.From}, "to": {sel.To}}
	if sel.Team != "" {
		q.Set("team", sel.Team)
	}
	d.Query = q.Encode()
	d.Charts = []chart{volumeChart(rep.Total.PerDay), histogramChart(rep.Total.Histogram), counsellorChart(rep)}
	if v.isManager() {
		if d.Actions, err = s.actionsData(r, v); err != nil {
			s.serverError(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "dashboard", v, d)
}

// actionsData lists the managed counsellors and their absences not yet
// over.
func (s *Server) actionsData(r *http.Request, v *viewer) (*actionsData, error) {
	a := &actionsData{Today: s.now().In(s.cfg.Calendar.Location()).Format(time.DateOnly)}
	for who := range v.counsellors {
		if v.managesCounsellor(who) {
			a.Counsellors = append(a.Counsellors, who)
		}
	}
	slices.Sort(a.Counsellors)
	now := s.now()
	for _, who := range a.Counsellors {
		abs, err := s.deps.Store.Absences(r.Context(), who)
		if err != nil {
			return nil, err
		}
		for _, ab := range abs {
			if ab.To.After(now) {
				a.Absences = append(a.Absences, ab)
			}
		}
	}
	return a, nil
}
