package sla

import "time"

// Elapsed returns the counted time between from and to: the business time
// the clock of a message received at from has run at to, so that
// Elapsed(r, Due(r)) is the commitment's hours. Time outside business
// days (and, under RuleOfficeHours, outside office hours) does not count;
// a day is its wall-clock hours, as for Due, so a DST change does not
// shift it. It returns 0 when to is not after from.
func (c *Calendar) Elapsed(from, to time.Time) time.Duration {
	p, q := c.start(from), c.start(to)
	if !p.before(q) {
		return 0
	}
	if p.day == q.day {
		return q.off - p.off
	}
	n := c.dayLen - p.off + q.off
	for d := c.nextBusiness(p.day); d.before(q.day); d = c.nextBusiness(d) {
		n += c.dayLen
	}
	return n
}
