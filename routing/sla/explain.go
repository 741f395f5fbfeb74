package sla

import (
	"fmt"
	"strings"
	"time"
)

// timeLayout is how Explain shows instants.
const timeLayout = "Mon 2006-01-02 15:04 MST"

// Explain returns the computation of [Calendar.Due] and [Calendar.Notice]
// for a message received at received, one line per step: the receipt,
// each day up to the deadline with the time counted on it or why it is
// closed, the deadline and the notice time.
func (c *Calendar) Explain(received time.Time) []string {
	received = received.In(c.loc)
	s := c.start(received)
	due := c.advance(s, c.hours)
	lines := []string{
		fmt.Sprintf("received %s; rule %s, %s of counted time", received.Format(timeLayout), c.rule, fmtDuration(c.hours)),
		"clock starts " + c.time(s).Format(timeLayout),
	}
	var counted time.Duration
	for d := DateOf(received); !due.day.before(d); d = d.addDays(1) {
		day := d.weekday().String()[:3] + " " + d.String()
		if why := c.closedReason(d); why != "" {
			lines = append(lines, fmt.Sprintf("%s  closed: %s", day, why))
			continue
		}
		lo, hi := time.Duration(0), c.dayLen
		if d == s.day {
			lo = s.off
		}
		if d == due.day {
			hi = due.off
		}
		if d.before(s.day) || hi <= lo {
			continue
		}
		counted += hi - lo
		lines = append(lines, fmt.Sprintf("%s  counted %s (%s–%s), total %s",
			day, fmtDuration(hi-lo), fmtClock(c.open+lo), fmtClock(c.open+hi), fmtDuration(counted)))
	}
	return append(lines,
		"due "+c.time(due).Format(timeLayout),
		fmt.Sprintf("notice %s (%s of counted time before due)", c.Notice(received).Format(timeLayout), fmtDuration(c.notice)))
}

// fmtDuration shows d without zero trailing units: "72h", "1h30m".
func fmtDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// fmtClock shows a time since midnight as "15:04", 24h as "24:00".
func fmtClock(d time.Duration) string {
	return fmt.Sprintf("%02d:%02d", int(d/time.Hour), int(d%time.Hour/time.Minute))
}
