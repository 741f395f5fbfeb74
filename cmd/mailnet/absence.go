package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	_ "time/tzdata" // Europe/Paris on hosts without a zone database

	"mailnet/server/control"
	"mailnet/storage"
)

// absenceZone is the zone of dates given without one, and of the times
// the tools print: the service works on French time whatever the host's
// zone.
const absenceZone = "Europe/Paris"

func zone() *time.Location {
	loc, err := time.LoadLocation(absenceZone)
	if err != nil { // cannot happen: time/tzdata is embedded
		return time.Local
	}
	return loc
}

// parseWhen reads an RFC 3339 time (2026-12-01T09:00:00+01:00), or a
// local time 2026-12-01T09:00 or a bare date 2026-12-01 (00:00) in
// Europe/Paris.
func parseWhen(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, zone()); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%w: %q is neither RFC 3339 nor YYYY-MM-DD[THH:MM]", errUsage, s)
}

// showTime prints t at the minute in Europe/Paris.
func showTime(t time.Time) string { return t.In(zone()).Format("2006-01-02 15:04 MST") }

func cmdAbsence(ctx context.Context, args []string, std cmdIO) error {
	if len(args) == 0 {
		return errUsage
	}
	fs := flag.NewFlagSet("absence", flag.ContinueOnError)
	var d dataFlags
	d.register(fs)
	from := fs.String("from", "", "start: RFC 3339, or YYYY-MM-DD[THH:MM] in Europe/Paris")
	to := fs.String("to", "", "end, exclusive (the counsellor is back): same forms as --from")
	sub := fs.String("substitute", "", "the substitute counsellor's address")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	switch {
	case args[0] == "set" && len(pos) == 1:
		if *from == "" || *to == "" || *sub == "" {
			return fmt.Errorf("%w: absence set needs --from, --to and --substitute", errUsage)
		}
		a := storage.Absence{Counsellor: pos[0], Substitute: *sub, SetBy: actor()}
		if a.From, err = parseWhen(*from); err != nil {
			return err
		}
		if a.To, err = parseWhen(*to); err != nil {
			return err
		}
		return withOps(ctx, d, func(ops control.Ops) error {
			id, err := ops.SetAbsence(ctx, a)
			if err != nil {
				return err
			}
			fmt.Fprintf(std.stdout, "absence %d: %s from %s to %s, substitute %s\n", id,
				strings.ToLower(a.Counsellor), showTime(a.From), showTime(a.To), strings.ToLower(a.Substitute))
			return nil
		})
	case args[0] == "list" && len(pos) <= 1:
		who := ""
		if len(pos) == 1 {
			who = pos[0]
		}
		return withOps(ctx, d, func(ops control.Ops) error {
			list, err := ops.Absences(ctx, who)
			if err != nil {
				return err
			}
			return printAbsences(std.stdout, list, time.Now())
		})
	case args[0] == "end" && len(pos) == 1:
		id, err := strconv.ParseUint(pos[0], 10, 64)
		if err != nil {
			return fmt.Errorf("%w: absence ID %q", errUsage, pos[0])
		}
		return withOps(ctx, d, func(ops control.Ops) error {
			if err := ops.EndAbsence(ctx, id, actor()); err != nil {
				return err
			}
			fmt.Fprintf(std.stdout, "absence %d ended\n", id)
			return nil
		})
	}
	return errUsage
}

func printAbsences(w io.Writer, list []storage.Absence, now time.Time) error {
	if len(list) == 0 {
		fmt.Fprintln(w, "no absences")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCOUNSELLOR\tFROM\tTO\tSUBSTITUTE\tSTATE\tSET BY")
	for _, a := range list {
		state := "past"
		switch {
		case a.Covers(now):
			state = "active"
		case now.Before(a.From):
			state = "planned"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Counsellor, showTime(a.From), showTime(a.To),
			a.Substitute, state, a.SetBy)
	}
	return tw.Flush()
}
