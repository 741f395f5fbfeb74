package sla

import (
	"testing"
	"time"
)

// FuzzDue checks, for receipt times over 2026–2030 and both rules, that
// the deadline is never before the receipt and lands on a business day,
// and that the notice lies between the receipt and the deadline.
func FuzzDue(f *testing.F) {
	f.Add(int64(0), false, uint16(72))
	f.Add(int64(39_000_000), true, uint16(8))
	f.Add(int64(86_400*450), false, uint16(1))
	opts := DefaultOptions()
	opts.Location = paris(f)
	daysCal := newCal(f, opts)
	opts.Rule = RuleOfficeHours
	officeCal := newCal(f, opts)
	from := time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC).Unix()
	span := time.Date(2031, time.January, 1, 0, 0, 0, 0, time.UTC).Unix() - from
	f.Fuzz(func(t *testing.T, sec int64, office bool, hours uint16) {
		if sec < 0 {
			sec = -(sec + 1)
		}
		received := time.Unix(from+sec%span, 0)
		c := daysCal
		if office {
			c = officeCal
		}
		c2 := *c // a copy with other hours: the struct is read-only
		c2.hours = time.Duration(hours%1000+1) * time.Hour
		due := c2.Due(received)
		if due.Before(received) {
			t.Fatalf("Due(%s) = %s, before the receipt", received, due)
		}
		if !c2.IsBusinessDay(due) {
			t.Fatalf("Due(%s) = %s, not a business day", received, due)
		}
		notice := c2.Notice(received)
		if notice.Before(received) || notice.After(due) {
			t.Fatalf("Notice(%s) = %s, not between receipt and due %s", received, notice, due)
		}
	})
}
