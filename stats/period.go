package stats

import (
	"errors"
	"time"
)

// DefaultDays is the length of the period DayPeriod chooses when it is
// given no date.
const DefaultDays = 30

// ErrBadPeriod reports dates that are not YYYY-MM-DD, a period that ends
// before it starts, or one longer than three years.
var ErrBadPeriod = errors.New("stats: dates must be YYYY-MM-DD, from not after to, at most three years apart")

// DayPeriod returns the period of whole days from the day from to the day
// to, both included, dates "2006-01-02" in loc. An empty to means the day
// of now; an empty from means DefaultDays days ending on to. It also
// returns the two dates as used, for display.
func DayPeriod(from, to string, loc *time.Location, now time.Time) (Period, string, string, error) {
	now = now.In(loc)
	end := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	var err error
	if to != "" {
		if end, err = time.ParseInLocation(time.DateOnly, to, loc); err != nil {
			return Period{}, "", "", ErrBadPeriod
		}
	}
	start := end.AddDate(0, 0, -(DefaultDays - 1))
	if from != "" {
		if start, err = time.ParseInLocation(time.DateOnly, from, loc); err != nil {
			return Period{}, "", "", ErrBadPeriod
		}
	}
	if end.Before(start) || end.Sub(start) > 3*365*24*time.Hour {
		return Period{}, "", "", ErrBadPeriod
	}
	return Period{From: start, To: end.AddDate(0, 0, 1)}, start.Format(time.DateOnly), end.Format(time.DateOnly), nil
}
