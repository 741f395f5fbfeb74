package stats

import (
	"errors"
	"testing"
	"time"
)

func TestDayPeriod(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2027, 1, 20, 23, 30, 0, 0, time.UTC) // already the 21st in Paris
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, loc) }
	tests := []struct {
		from, to         string
		want             Period
		wantFrom, wantTo string
		err              bool
	}{
		{"", "", Period{day(2026, 12, 23), day(2027, 1, 22)}, "2026-12-23", "2027-01-21", false},
		{"2027-01-11", "2027-01-17", Period{day(2027, 1, 11), day(2027, 1, 18)}, "2027-01-11", "2027-01-17", false},
		{"", "2027-01-30", Period{day(2027, 1, 1), day(2027, 1, 31)}, "2027-01-01", "2027-01-30", false},
		{"2027-01-11", "2027-01-11", Period{day(2027, 1, 11), day(2027, 1, 12)}, "2027-01-11", "2027-01-11", false},
		{"2027-01-12", "2027-01-11", Period{}, "", "", true},
		{"11/01/2027", "", Period{}, "", "", true},
		{"2020-01-01", "2027-01-01", Period{}, "", "", true},
	}
	for _, tc := range tests {
		p, f, to, err := DayPeriod(tc.from, tc.to, loc, now)
		if tc.err {
			if !errors.Is(err, ErrBadPeriod) {
				t.Errorf("DayPeriod(%q, %q) error %v, want ErrBadPeriod", tc.from, tc.to, err)
			}
			continue
		}
		if err != nil || !p.From.Equal(tc.want.From) || !p.To.Equal(tc.want.To) || f != tc.wantFrom || to != tc.wantTo {
			t.Errorf("DayPeriod(%q, %q) = %v %s %s %v, want %v %s %s", tc.from, tc.to, p, f, to, err, tc.want, tc.wantFrom, tc.wantTo)
		}
	}
}
