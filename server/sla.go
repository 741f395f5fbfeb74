package server

import (
	"fmt"
	"time"

	"mailnet/conf"
	"mailnet/routing/sla"
)

// SLAOptions maps a validated [sla] configuration section to business
// calendar options. It fails only when the time zone cannot be loaded.
func SLAOptions(c conf.SLA) (sla.Options, error) {
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return sla.Options{}, fmt.Errorf("sla.time_zone: %w", err)
	}
	o := sla.Options{
		Location:       loc,
		Hours:          c.Hours,
		Rule:           sla.RuleBusinessDays,
		OfficeStart:    c.OfficeStart.Duration,
		OfficeEnd:      c.OfficeEnd.Duration,
		Holidays:       c.FrenchHolidays,
		WhitMondayOpen: c.WhitMondayOpen,
		NoticeBefore:   c.NoticeBefore.Duration,
	}
	if c.Rule == "office_hours" {
		o.Rule = sla.RuleOfficeHours
	}
	for _, w := range c.Weekdays {
		o.Weekdays = append(o.Weekdays, w.Weekday)
	}
	for _, d := range c.ExtraClosed {
		o.ExtraClosed = append(o.ExtraClosed, sla.Date{Year: d.Year, Month: d.Month, Day: d.Day})
	}
	return o, nil
}

// newCalendar builds the business calendar of the answer commitment.
func newCalendar(c conf.SLA) (*sla.Calendar, error) {
	opts, err := SLAOptions(c)
	if err != nil {
		return nil, err
	}
	cal, err := sla.New(opts)
	if err != nil {
		return nil, fmt.Errorf("sla: %w", err)
	}
	return cal, nil
}
