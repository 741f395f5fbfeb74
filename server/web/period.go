package web

import (
	"errors"
	"net/url"
	"time"

	"mailnet/stats"
)

// defaultDays is the length of the period shown when none is asked for.
const defaultDays = 30

// errBadDate reports a from or to parameter that is not YYYY-MM-DD, or a
// period that ends before it starts.
var errBadDate = errors.New("dates must be YYYY-MM-DD, from not after to")

// period reads the from and to parameters, dates in the calendar's time
// zone, both included; by default the last 30 days, today included. It
// also returns the dates as given or defaulted, for the forms.
func (s *Server) period(q url.Values) (stats.Period, string, string, error) {
	loc := s.cfg.Calendar.Location()
	now := s.now().In(loc)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	to := today
	from := today.AddDate(0, 0, -(defaultDays - 1))
	var err error
	if v := q.Get("to"); v != "" {
		if to, err = time.ParseInLocation(time.DateOnly, v, loc); err != nil {
			return stats.Period{}, "", "", errBadDate
		}
	}
	if v := q.Get("from"); v != "" {
		if from, err = time.ParseInLocation(time.DateOnly, v, loc); err != nil {
			return stats.Period{}, "", "", errBadDate
		}
	} else if q.Get("to") != "" {
		from = to.AddDate(0, 0, -(defaultDays - 1))
	}
	if to.Before(from) || to.Sub(from) > 3*365*24*time.Hour {
		return stats.Period{}, "", "", errBadDate
	}
	return stats.Period{From: from, To: to.AddDate(0, 0, 1)}, from.Format(time.DateOnly), to.Format(time.DateOnly), nil
}
