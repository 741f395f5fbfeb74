package sla

import (
	"fmt"
	"time"
)

// Rule is how business hours are counted.
type Rule int

const (
	// RuleBusinessDays counts every hour of a business day, 24 a day. It
	// is the default.
	RuleBusinessDays Rule = iota
	// RuleOfficeHours counts only the hours in [Options.OfficeStart,
	// Options.OfficeEnd) of business days.
	RuleOfficeHours
)

// String returns the rule's configuration name: "business_days" or
// "office_hours".
func (r Rule) String() string {
	switch r {
	case RuleBusinessDays:
		return "business_days"
	case RuleOfficeHours:
		return "office_hours"
	}
	return fmt.Sprintf("Rule(%d)", int(r))
}

// Date is a civil date, with no time or zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// String returns the date as "2006-01-02".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// addDays returns d moved by n days (normalized, so 31 Dec + 1 is 1 Jan).
func (d Date) addDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// weekday returns the day of the week of d.
func (d Date) weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// Options configure a [Calendar]. Start from [DefaultOptions]: the zero
// value of Holidays means "no public holidays", not the default.
type Options struct {
	// Location is the time zone of business days and of every time
	// returned. Nil means Europe/Paris.
	Location *time.Location
	// Hours is the commitment, in counted hours. Zero means 72.
	Hours int
	// Rule is how hours are counted. Default RuleBusinessDays.
	Rule Rule
	// OfficeStart and OfficeEnd bound the counted part of each business
	// day under RuleOfficeHours, as wall-clock time since midnight, with
	// 0 ≤ OfficeStart < OfficeEnd ≤ 24h. Both zero mean 09:00–17:00.
	// Ignored under RuleBusinessDays.
	OfficeStart, OfficeEnd time.Duration
	// Weekdays are the days of the week that are business days. Empty
	// means Monday to Friday.
	Weekdays []time.Weekday
	// Holidays closes the French public holidays of
	// github.com/rickar/cal/v2/fr. Default true (in DefaultOptions).
	Holidays bool
	// WhitMondayOpen counts Whit Monday (Lundi de Pentecôte, the "journée
	// de solidarité") as a business day even when Holidays is set.
	// Default false: closed, as the library lists it.
	WhitMondayOpen bool
	// ExtraClosed are further closed days, such as a bridge day. Default
	// none.
	ExtraClosed []Date
	// NoticeBefore is how much counted time before the deadline the
	// "answer delayed" notice is due. Zero means 24 hours (one business day
	// under RuleBusinessDays).
	NoticeBefore time.Duration
}

// DefaultOptions returns the defaults: Europe/Paris, 72 hours on business
// days, Monday to Friday, French public holidays closed, notice 24 hours
// before the deadline. Location is left nil for [New] to load.
func DefaultOptions() Options {
	return Options{
		Hours:        72,
		Rule:         RuleBusinessDays,
		OfficeStart:  9 * time.Hour,
		OfficeEnd:    17 * time.Hour,
		Weekdays:     []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
		Holidays:     true,
		NoticeBefore: 24 * time.Hour,
	}
}

// withDefaults returns o with its zero fields (other than the booleans)
// set to their defaults, or an error wrapping ErrInvalidOptions.
func (o Options) withDefaults() (Options, error) {
	def := DefaultOptions()
	if o.Location == nil {
		loc, err := time.LoadLocation("Europe/Paris")
		if err != nil {
			return o, fmt.Errorf("%w: load Europe/Paris: %v", ErrInvalidOptions, err)
		}
		o.Location = loc
	}
	if o.Hours == 0 {
		o.Hours = def.Hours
	}
	if o.OfficeStart == 0 && o.OfficeEnd == 0 {
		o.OfficeStart, o.OfficeEnd = def.OfficeStart, def.OfficeEnd
	}
	if len(o.Weekdays) == 0 {
		o.Weekdays = def.Weekdays
	}
	if o.NoticeBefore == 0 {
		o.NoticeBefore = def.NoticeBefore
	}
	switch {
	case o.Hours < 0:
		return o, fmt.Errorf("%w: hours %d < 0", ErrInvalidOptions, o.Hours)
	case o.NoticeBefore < 0:
		return o, fmt.Errorf("%w: notice before %s < 0", ErrInvalidOptions, o.NoticeBefore)
	case o.Rule != RuleBusinessDays && o.Rule != RuleOfficeHours:
		return o, fmt.Errorf("%w: unknown rule %d", ErrInvalidOptions, int(o.Rule))
	case o.Rule == RuleOfficeHours && (o.OfficeStart < 0 || o.OfficeStart >= o.OfficeEnd || o.OfficeEnd > 24*time.Hour):
		return o, fmt.Errorf("%w: office hours %s–%s", ErrInvalidOptions, o.OfficeStart, o.OfficeEnd)
	}
	for _, wd := range o.Weekdays {
		if wd < time.Sunday || wd > time.Saturday {
			return o, fmt.Errorf("%w: weekday %d", ErrInvalidOptions, int(wd))
		}
	}
	return o, nil
}
