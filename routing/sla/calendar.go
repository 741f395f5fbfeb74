package sla

import (
	"time"

	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/fr"
)

// Calendar computes deadlines in business time. It is immutable after
// [New] and safe for concurrent use.
type Calendar struct {
	loc      *time.Location
	rule     Rule
	hours    time.Duration // the commitment in counted time
	notice   time.Duration // counted time between notice and deadline
	open     time.Duration // start of counted time in a business day, since midnight
	dayLen   time.Duration // counted time in a business day
	weekdays [7]bool
	holidays []*cal.Holiday // nil when public holidays are not closed
	extra    map[Date]bool
}

// pos is a point in business time: a business day and an offset of
// counted time since its opening, 0 ≤ off < dayLen.
type pos struct {
	day Date
	off time.Duration
}

// New returns a calendar for opts, with defaults for its zero fields as
// documented at [Options]. The error wraps [ErrInvalidOptions].
func New(opts Options) (*Calendar, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	c := &Calendar{
		loc:    o.Location,
		rule:   o.Rule,
		hours:  time.Duration(o.Hours) * time.Hour,
		notice: o.NoticeBefore,
		open:   0,
		dayLen: 24 * time.Hour,
		extra:  make(map[Date]bool, len(o.ExtraClosed)),
	}
	if o.Rule == RuleOfficeHours {
		c.open, c.dayLen = o.OfficeStart, o.OfficeEnd-o.OfficeStart
	}
	for _, wd := range o.Weekdays {
		c.weekdays[wd] = true
	}
	if o.Holidays {
		for _, h := range fr.Holidays {
			if h == fr.LundiDePentecôte && o.WhitMondayOpen {
				continue
			}
			c.holidays = append(c.holidays, h)
		}
	}
	for _, d := range o.ExtraClosed {
		c.extra[DateOf(time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC))] = true
	}
	return c, nil
}

// Location returns the calendar's time zone, in which every returned time
// is expressed.
func (c *Calendar) Location() *time.Location { return c.loc }

// IsBusinessDay reports whether the day of t, in the calendar's location,
// is a business day.
func (c *Calendar) IsBusinessDay(t time.Time) bool {
	return c.closedReason(DateOf(t.In(c.loc))) == ""
}

// Due returns the deadline for a message received at received: the
// commitment's hours counted from the start of the clock (see the package
// documentation). It is never before received and always on a business
// day.
func (c *Calendar) Due(received time.Time) time.Time {
	return c.time(c.advance(c.start(received), c.hours))
}

// Notice returns when the "answer delayed" notice for a message received
// at received is due: [Options.NoticeBefore] of counted time before
// [Calendar.Due], but not before the clock starts.
func (c *Calendar) Notice(received time.Time) time.Time {
	s := c.start(received)
	n := c.back(c.advance(s, c.hours), c.notice)
	if n.before(s) {
		n = s
	}
	return c.time(n)
}

// NextContact returns the new contact offered when the deadline due cannot
// be met: the wall-clock time at (since midnight, e.g. 10h) of the
// business day after the one in which counted time up to due ends. For a
// due time at 00:00 (or at opening) that business day ends the day before,
// so the contact is the same day: due Thu 10:00 → Fri 10:00, due Thu 00:00
// → Thu 10:00.
func (c *Calendar) NextContact(due time.Time, at time.Duration) time.Time {
	p := c.start(due)
	day := p.day
	if p.off > 0 {
		day = c.nextBusiness(day)
	}
	return c.wall(day, at)
}

// start returns where the clock starts for a message received at t: t
// itself within counted time, else the next opening of a business day.
func (c *Calendar) start(t time.Time) pos {
	t = t.In(c.loc)
	d := DateOf(t)
	if c.closedReason(d) != "" {
		return pos{c.nextBusiness(d), 0}
	}
	h, m, s := t.Clock()
	tod := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute +
		time.Duration(s)*time.Second + time.Duration(t.Nanosecond())
	switch {
	case tod < c.open:
		return pos{d, 0}
	case tod < c.open+c.dayLen:
		return pos{d, tod - c.open}
	}
	return pos{c.nextBusiness(d), 0}
}

// advance returns p moved forward by n ≥ 0 of counted time.
func (c *Calendar) advance(p pos, n time.Duration) pos {
	total := p.off + n
	for total >= c.dayLen {
		p.day = c.nextBusiness(p.day)
		total -= c.dayLen
	}
	return pos{p.day, total}
}

// back returns p moved backward by n ≥ 0 of counted time.
func (c *Calendar) back(p pos, n time.Duration) pos {
	total := p.off - n
	for total < 0 {
		p.day = c.prevBusiness(p.day)
		total += c.dayLen
	}
	return pos{p.day, total}
}

// before reports whether p is earlier than q.
func (p pos) before(q pos) bool {
	if p.day != q.day {
		return p.day.before(q.day)
	}
	return p.off < q.off
}

// before reports whether d is earlier than e.
func (d Date) before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

// time returns p as an instant in the calendar's location.
func (c *Calendar) time(p pos) time.Time {
	return c.wall(p.day, c.open+p.off)
}

// wall returns the instant showing the wall-clock time tod on day d.
func (c *Calendar) wall(d Date, tod time.Duration) time.Time {
	h := int(tod / time.Hour)
	m := int(tod % time.Hour / time.Minute)
	s := int(tod % time.Minute / time.Second)
	ns := int(tod % time.Second)
	return time.Date(d.Year, d.Month, d.Day, h, m, s, ns, c.loc)
}

// nextBusiness returns the first business day after d. It terminates
// because New guarantees at least one business weekday and closed dates
// are finite in number per year.
func (c *Calendar) nextBusiness(d Date) Date {
	for {
		d = d.addDays(1)
		if c.closedReason(d) == "" {
			return d
		}
	}
}

// prevBusiness returns the last business day before d.
func (c *Calendar) prevBusiness(d Date) Date {
	for {
		d = d.addDays(-1)
		if c.closedReason(d) == "" {
			return d
		}
	}
}

// closedReason returns why d is not a business day ("public holiday Noël",
// "closed day", "weekend", "not a business weekday"), or "" if it is one.
func (c *Calendar) closedReason(d Date) string {
	if name := c.holiday(d); name != "" {
		return "public holiday " + name
	}
	if c.extra[d] {
		return "closed day (configured)"
	}
	if wd := d.weekday(); !c.weekdays[wd] {
		if wd == time.Saturday || wd == time.Sunday {
			return "weekend"
		}
		return "not a business weekday"
	}
	return ""
}

// holiday returns the name of the public holiday on d, or "".
func (c *Calendar) holiday(d Date) string {
	for _, h := range c.holidays {
		act, _ := h.Calc(d.Year) // French holidays have no observed substitutes
		if !act.IsZero() && DateOf(act) == d {
			return h.Name
		}
	}
	return ""
}
