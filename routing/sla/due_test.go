package sla

import (
	"errors"
	"strings"
	"testing"
	"time"
)

// paris loads Europe/Paris or fails the test.
func paris(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// at parses "2006-01-02 15:04" in Europe/Paris.
func at(t testing.TB, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, paris(t))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// newCal returns New(opts) or fails the test.
func newCal(t testing.TB, opts Options) *Calendar {
	t.Helper()
	c, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestDueBusinessDays checks the default rule, 72 hours on business days,
// against the worked examples: weekends, every French public holiday,
// both DST changes of 2027.
func TestDueBusinessDays(t *testing.T) {
	t.Parallel()
	c := newCal(t, DefaultOptions())
	tests := []struct {
		name, received, due, notice string
	}{
		{"monday", "2027-01-11 10:00", "2027-01-14 10:00", "2027-01-13 10:00"},
		{"friday over the weekend", "2027-01-15 16:00", "2027-01-20 16:00", "2027-01-19 16:00"},
		{"saturday starts monday 00:00", "2027-01-16 11:00", "2027-01-21 00:00", "2027-01-20 00:00"},
		{"sunday starts monday 00:00", "2027-01-17 23:59", "2027-01-21 00:00", "2027-01-20 00:00"},
		{"monday 00:00", "2027-01-11 00:00", "2027-01-14 00:00", "2027-01-13 00:00"},
		{"christmas", "2026-12-24 15:00", "2026-12-30 15:00", "2026-12-29 15:00"},
		{"received on christmas", "2026-12-25 09:00", "2026-12-31 00:00", "2026-12-30 00:00"},
		{"new year", "2026-12-30 15:00", "2027-01-05 15:00", "2027-01-04 15:00"},
		{"easter monday and spring DST", "2027-03-26 10:00", "2027-04-01 10:00", "2027-03-31 10:00"},
		{"received on easter monday", "2027-03-29 10:00", "2027-04-02 00:00", "2027-04-01 00:00"},
		{"ascension", "2027-05-04 10:00", "2027-05-10 10:00", "2027-05-07 10:00"},
		{"whit monday", "2027-05-14 10:00", "2027-05-20 10:00", "2027-05-19 10:00"},
		{"1 may", "2026-04-30 10:00", "2026-05-06 10:00", "2026-05-05 10:00"},
		{"8 may", "2026-05-07 10:00", "2026-05-13 10:00", "2026-05-12 10:00"},
		{"14 july", "2026-07-13 10:00", "2026-07-17 10:00", "2026-07-16 10:00"},
		{"15 august", "2028-08-14 10:00", "2028-08-18 10:00", "2028-08-17 10:00"},
		{"1 november and autumn DST", "2027-10-29 10:00", "2027-11-04 10:00", "2027-11-03 10:00"},
		{"11 november", "2027-11-10 10:00", "2027-11-16 10:00", "2027-11-15 10:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			received := at(t, tc.received)
			if got, want := c.Due(received), at(t, tc.due); !got.Equal(want) {
				t.Errorf("Due(%s) = %s, want %s", tc.received, got, want)
			}
			if got, want := c.Notice(received), at(t, tc.notice); !got.Equal(want) {
				t.Errorf("Notice(%s) = %s, want %s", tc.received, got, want)
			}
		})
	}
}

// TestDueKeepsWallClockAcrossDST: the deadline shows the receipt's wall
// time although the weekend in between lasted an hour less or more.
func TestDueKeepsWallClockAcrossDST(t *testing.T) {
	t.Parallel()
	c := newCal(t, DefaultOptions())
	for _, tc := range []struct{ received, due string }{
		{"2027-03-26 10:00", "2027-04-01 10:00"}, // Sun 28 Mar: 23 hours
		{"2027-10-29 10:00", "2027-11-04 10:00"}, // Sun 31 Oct: 25 hours
	} {
		due := c.Due(at(t, tc.received))
		if got := due.Format("15:04 MST"); !strings.HasPrefix(got, "10:00") {
			t.Errorf("Due(%s) = %s, want 10:00 local", tc.received, due)
		}
		_, off1 := at(t, tc.received).Zone()
		_, off2 := due.Zone()
		if off1 == off2 {
			t.Errorf("Due(%s) = %s: expected a different UTC offset after the DST change", tc.received, due)
		}
	}
}

// TestDueSevenDayWeekOverDST: with every day a business day, the DST days
// still count as 24 hours of wall-clock time.
func TestDueSevenDayWeekOverDST(t *testing.T) {
	t.Parallel()
	opts := DefaultOptions()
	opts.Weekdays = []time.Weekday{time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday}
	opts.Holidays = false
	c := newCal(t, opts)
	for _, tc := range []struct{ received, due string }{
		{"2027-03-27 10:00", "2027-03-30 10:00"},
		{"2027-10-30 10:00", "2027-11-02 10:00"},
	} {
		if got, want := c.Due(at(t, tc.received)), at(t, tc.due); !got.Equal(want) {
			t.Errorf("Due(%s) = %s, want %s", tc.received, got, want)
		}
	}
}

func TestExtraClosedAndWhitMonday(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		change        func(*Options)
		received, due string
	}{
		{"24 december open", func(*Options) {}, "2026-12-23 10:00", "2026-12-29 10:00"},
		{"24 december closed", func(o *Options) { o.ExtraClosed = []Date{{2026, time.December, 24}} }, "2026-12-23 10:00", "2026-12-30 10:00"},
		{"whit monday open", func(o *Options) { o.WhitMondayOpen = true }, "2027-05-14 10:00", "2027-05-19 10:00"},
		{"no holidays", func(o *Options) { o.Holidays = false }, "2026-12-24 15:00", "2026-12-29 15:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			opts := DefaultOptions()
			tc.change(&opts)
			c := newCal(t, opts)
			if got, want := c.Due(at(t, tc.received)), at(t, tc.due); !got.Equal(want) {
				t.Errorf("Due(%s) = %s, want %s", tc.received, got, want)
			}
		})
	}
}

func TestDueOfficeHours(t *testing.T) {
	t.Parallel()
	opts := DefaultOptions()
	opts.Rule = RuleOfficeHours
	c72 := newCal(t, opts)
	opts.Hours = 8
	c8 := newCal(t, opts)
	tests := []struct {
		name          string
		c             *Calendar
		received, due string
		notice        string
	}{
		{"72h is 9 office days", c72, "2027-01-11 10:00", "2027-01-22 10:00", "2027-01-19 10:00"},
		{"after closing", c72, "2027-01-11 18:00", "2027-01-25 09:00", "2027-01-20 09:00"},
		{"at closing", c72, "2027-01-11 17:00", "2027-01-25 09:00", "2027-01-20 09:00"},
		{"before opening", c8, "2027-01-11 07:00", "2027-01-12 09:00", "2027-01-11 09:00"},
		{"within the day", c8, "2027-01-11 16:30", "2027-01-12 16:30", "2027-01-11 16:30"},
		{"friday evening", c8, "2027-01-15 16:00", "2027-01-18 16:00", "2027-01-15 16:00"},
		{"saturday", c8, "2027-01-16 11:00", "2027-01-19 09:00", "2027-01-18 09:00"},
		{"christmas eve", c8, "2026-12-24 16:00", "2026-12-28 16:00", "2026-12-24 16:00"},
		{"easter monday and DST", c8, "2027-03-26 12:00", "2027-03-30 12:00", "2027-03-26 12:00"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			received := at(t, tc.received)
			if got, want := tc.c.Due(received), at(t, tc.due); !got.Equal(want) {
				t.Errorf("Due(%s) = %s, want %s", tc.received, got, want)
			}
			if got, want := tc.c.Notice(received), at(t, tc.notice); !got.Equal(want) {
				t.Errorf("Notice(%s) = %s, want %s", tc.received, got, want)
			}
		})
	}
}

func TestNextContact(t *testing.T) {
	t.Parallel()
	c := newCal(t, DefaultOptions())
	for _, tc := range []struct{ due, want string }{
		{"2027-01-14 10:00", "2027-01-15 10:00"}, // Thu → Fri
		{"2027-01-15 16:00", "2027-01-18 10:00"}, // Fri → Mon
		{"2027-01-21 00:00", "2027-01-21 10:00"}, // ends Wed → Thu
		{"2026-12-24 15:00", "2026-12-28 10:00"}, // Noël, weekend
		{"2027-05-05 12:00", "2027-05-07 10:00"}, // Ascension
	} {
		if got, want := c.NextContact(at(t, tc.due), 10*time.Hour), at(t, tc.want); !got.Equal(want) {
			t.Errorf("NextContact(%s) = %s, want %s", tc.due, got, want)
		}
	}
}

func TestExplain(t *testing.T) {
	t.Parallel()
	c := newCal(t, DefaultOptions())
	got := strings.Join(c.Explain(at(t, "2026-12-24 15:00")), "\n")
	for _, want := range []string{
		"received Thu 2026-12-24 15:00 CET; rule business_days, 72h of counted time",
		"Thu 2026-12-24  counted 9h (15:00–24:00), total 9h",
		"Fri 2026-12-25  closed: public holiday Noël",
		"Sat 2026-12-26  closed: weekend",
		"Wed 2026-12-30  counted 15h (00:00–15:00), total 72h",
		"due Wed 2026-12-30 15:00 CET",
		"notice Tue 2026-12-29 15:00 CET (24h of counted time before due)",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("Explain lacks %q:\n%s", want, got)
		}
	}
}

func TestNewRejects(t *testing.T) {
	t.Parallel()
	for name, o := range map[string]Options{
		"negative hours":  {Hours: -1},
		"negative notice": {NoticeBefore: -time.Hour},
		"unknown rule":    {Rule: 7},
		"office reversed": {Rule: RuleOfficeHours, OfficeStart: 17 * time.Hour, OfficeEnd: 9 * time.Hour},
		"office past 24h": {Rule: RuleOfficeHours, OfficeStart: 9 * time.Hour, OfficeEnd: 25 * time.Hour},
		"bad weekday":     {Weekdays: []time.Weekday{9}},
	} {
		if _, err := New(o); !errors.Is(err, ErrInvalidOptions) {
			t.Errorf("%s: New = %v, want ErrInvalidOptions", name, err)
		}
	}
}
