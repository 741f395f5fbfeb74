package web

import (
	"net/url"

	"mailnet/stats"
)

// period reads the from and to parameters: dates in the calendar's time
// zone, both included, by default the last 30 days (stats.DayPeriod). It
// also returns the dates as used, for the forms.
func (s *Server) period(q url.Values) (stats.Period, string, string, error) {
	return stats.DayPeriod(q.Get("from"), q.Get("to"), s.cfg.Calendar.Location(), s.now())
}
