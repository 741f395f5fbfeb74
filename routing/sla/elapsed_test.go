package sla

import (
	"testing"
	"time"
)

// TestElapsed checks counted time between two instants under both rules:
// weekends, a public holiday, a DST change, closed time at either end.
func TestElapsed(t *testing.T) {
	t.Parallel()
	days := newCal(t, DefaultOptions())
	office := DefaultOptions()
	office.Rule = RuleOfficeHours
	office.OfficeStart, office.OfficeEnd = 9*time.Hour, 17*time.Hour
	hours := newCal(t, office)
	tests := []struct {
		name     string
		c        *Calendar
		from, to string
		want     time.Duration
	}{
		{"same day", days, "2027-01-11 10:00", "2027-01-11 13:30", 3*time.Hour + 30*time.Minute},
		{"to before from", days, "2027-01-11 13:00", "2027-01-11 10:00", 0},
		{"over a weekend", days, "2027-01-15 16:00", "2027-01-18 10:00", 18 * time.Hour},
		{"saturday to saturday", days, "2027-01-16 09:00", "2027-01-23 12:00", 5 * 24 * time.Hour},
		{"easter monday closed, spring DST", days, "2027-03-26 10:00", "2027-03-31 10:00", 48 * time.Hour},
		{"christmas", days, "2026-12-24 15:00", "2026-12-29 15:00", 48 * time.Hour},
		{"office hours same day", hours, "2027-01-11 08:00", "2027-01-11 18:00", 8 * time.Hour},
		{"office hours overnight", hours, "2027-01-11 16:00", "2027-01-12 10:00", 2 * time.Hour},
		{"office hours weekend", hours, "2027-01-15 16:00", "2027-01-18 09:30", 90 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.c.Elapsed(at(t, tc.from), at(t, tc.to)); got != tc.want {
				t.Errorf("Elapsed(%s, %s) = %v, want %v", tc.from, tc.to, got, tc.want)
			}
		})
	}
}

// TestElapsedToDue checks that the clock has run exactly the commitment at
// the due time, for a receipt at every hour of three weeks.
func TestElapsedToDue(t *testing.T) {
	t.Parallel()
	for _, rule := range []Rule{RuleBusinessDays, RuleOfficeHours} {
		o := DefaultOptions()
		o.Rule = rule
		c := newCal(t, o)
		want := 72 * time.Hour
		for r := at(t, "2027-03-15 00:00"); r.Before(at(t, "2027-04-05 00:00")); r = r.Add(time.Hour) {
			if got := c.Elapsed(r, c.Due(r)); got != want {
				t.Fatalf("%v: Elapsed(%s, Due = %s) = %v, want %v", rule, r, c.Due(r), got, want)
			}
		}
	}
}
