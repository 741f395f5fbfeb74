package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"mailnet/storage"
)

// errRefused is an action the viewer may not take or that makes no sense;
// its text is shown.
type errRefused string

func (e errRefused) Error() string { return string(e) }

// act runs a manager's action and redirects to the dashboard with its
// outcome. Only managers act; a refusal (scope, bad input, or the store's
// refusal of the caseload change) is shown, other errors are logged.
func (s *Server) act(w http.ResponseWriter, r *http.Request, v *viewer, do func(ctx context.Context) (string, error)) {
	if !v.isManager() {
		s.errorPage(w, r, http.StatusForbidden, "Only managers may change routing.")
		return
	}
	done, err := do(r.Context())
	q := url.Values{}
	var refused errRefused
	switch {
	case err == nil:
		s.log.Info("web action", "path", r.URL.Path, "actor", v.Address, "done", done)
		q.Set("done", done)
	case errors.As(err, &refused):
		q.Set("failed", string(refused))
	case errors.Is(err, storage.ErrNotFound), errors.Is(err, storage.ErrInvalidCaseload), errors.Is(err, storage.ErrConflict):
		q.Set("failed", "Refused: "+err.Error())
	default:
		s.log.Error("web action failed", "path", r.URL.Path, "actor", v.Address, "err", err)
		q.Set("failed", "The change could not be saved; it has been logged.")
	}
	http.Redirect(w, r, "/dashboard?"+q.Encode(), http.StatusSeeOther)
}

// formDate parses a form's YYYY-MM-DD date as midnight in the calendar's
// time zone.
func (s *Server) formDate(r *http.Request, field string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, r.PostFormValue(field), s.cfg.Calendar.Location())
	if err != nil {
		return time.Time{}, errRefused(fmt.Sprintf("%s: a date YYYY-MM-DD is required", field))
	}
	return t, nil
}

// actionAbsence sets an absence with a substitute, both in the same team
// the viewer manages; "to" is the day the counsellor is back.
func (s *Server) actionAbsence(w http.ResponseWriter, r *http.Request, v *viewer) {
	s.act(w, r, v, func(ctx context.Context) (string, error) {
		who := strings.ToLower(strings.TrimSpace(r.PostFormValue("counsellor")))
		sub := strings.ToLower(strings.TrimSpace(r.PostFormValue("substitute")))
		if !v.managesCounsellor(who) || !v.managesCounsellor(sub) {
			return "", errRefused("Both counsellors must be in a team you manage.")
		}
		if v.counsellors[who] != v.counsellors[sub] {
			return "", errRefused("The substitute must be in the absent counsellor's team.")
		}
		from, err := s.formDate(r, "from")
		if err != nil {
			return "", err
		}
		to, err := s.formDate(r, "to")
		if err != nil {
			return "", err
		}
		if !from.Before(to) {
			return "", errRefused("The day of return must be after the first day of absence.")
		}
		id, err := s.deps.Caseload.SetAbsence(ctx, storage.Absence{Counsellor: who, Substitute: sub, From: from, To: to, SetBy: v.Address})
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("Absence %d of %s set: %s substitutes from %s, back on %s.", id, who, sub,
			from.Format(time.DateOnly), to.Format(time.DateOnly)), nil
	})
}

// managedClient returns the client whose personal counsellor is in a team
// the viewer manages.
func (s *Server) managedClient(ctx context.Context, v *viewer, id string) (storage.Client, error) {
	c, err := s.deps.Store.Client(ctx, strings.TrimSpace(id))
	if errors.Is(err, storage.ErrNotFound) || (err == nil && !v.managesCounsellor(c.Counsellor)) {
		return storage.Client{}, errRefused(fmt.Sprintf("No client %q in your teams.", id))
	}
	return c, err
}

// actionLink links an expert to the case of a client of the viewer's
// teams.
func (s *Server) actionLink(w http.ResponseWriter, r *http.Request, v *viewer) {
	s.act(w, r, v, func(ctx context.Context) (string, error) {
		c, err := s.managedClient(ctx, v, r.PostFormValue("client"))
		if err != nil {
			return "", err
		}
		expert := strings.ToLower(strings.TrimSpace(r.PostFormValue("expert")))
		reason := strings.TrimSpace(r.PostFormValue("reason"))
		if expert == "" || reason == "" {
			return "", errRefused("An expert and a reason are required.")
		}
		if _, err := s.deps.Store.Counsellor(ctx, expert); errors.Is(err, storage.ErrNotFound) {
			return "", errRefused(fmt.Sprintf("%s is not a counsellor.", expert))
		} else if err != nil {
			return "", err
		}
		if err := s.deps.Caseload.LinkCase(ctx, storage.CaseLink{Client: c.ID, Expert: expert, Reason: reason, SetBy: v.Address}); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s linked to the case of %s.", expert, c.ID), nil
	})
}

// actionAssign makes a counsellor of the viewer's teams the personal
// counsellor of a client of the viewer's teams.
func (s *Server) actionAssign(w http.ResponseWriter, r *http.Request, v *viewer) {
	s.act(w, r, v, func(ctx context.Context) (string, error) {
		c, err := s.managedClient(ctx, v, r.PostFormValue("client"))
		if err != nil {
			return "", err
		}
		to := strings.ToLower(strings.TrimSpace(r.PostFormValue("counsellor")))
		if !v.managesCounsellor(to) {
			return "", errRefused("The new counsellor must be in a team you manage.")
		}
		if err := s.deps.Caseload.AssignClient(ctx, c.ID, to, v.Address); err != nil {
			return "", err
		}
		return fmt.Sprintf("%s is now followed by %s.", c.ID, to), nil
	})
}
