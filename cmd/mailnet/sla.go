package main

import (
	"context"
	"flag"
	"fmt"
	"time"
	_ "time/tzdata" // the SLA time zone must load on hosts without zoneinfo

	"mailnet/conf"
	"mailnet/routing/sla"
)

// cmdSLA runs "sla due --received TIME [--config FILE]": the deadline and
// notice time of a receipt under the configured business calendar.
func cmdSLA(_ context.Context, args []string, std cmdIO) error {
	if len(args) == 0 || args[0] != "due" {
		return errUsage
	}
	fs := flag.NewFlagSet("sla due", flag.ContinueOnError)
	var d dataFlags
	d.register(fs)
	received := fs.String("received", "", "receipt `TIME`, RFC 3339")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 0 || *received == "" {
		return errUsage
	}
	at, err := time.Parse(time.RFC3339, *received)
	if err != nil {
		return fmt.Errorf("--received %q: want RFC 3339 such as 2027-01-11T10:00:00+01:00", *received)
	}
	cfg, err := loadConfig(d)
	if err != nil {
		return err
	}
	opts, err := slaOptions(cfg.SLA)
	if err != nil {
		return err
	}
	cal, err := sla.New(opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(std.stdout, "due:    %s\n", cal.Due(at).Format(time.RFC3339))
	fmt.Fprintf(std.stdout, "notice: %s\n", cal.Notice(at).Format(time.RFC3339))
	for _, line := range cal.Explain(at) {
		fmt.Fprintf(std.stdout, "  %s\n", line)
	}
	return nil
}

// slaOptions maps the validated [sla] section to calendar options.
func slaOptions(c conf.SLA) (sla.Options, error) {
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
