package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"mailnet/routing/sla"
	"mailnet/server"
	"mailnet/server/control"
	"mailnet/stats"
	"mailnet/storage"
)

// cmdStats runs "stats [--team T] [--from D] [--to D] [--csv]": the
// dashboard's statistics per team and counsellor over a period of days
// (both included, in the SLA time zone; by default the last 30 days).
func cmdStats(ctx context.Context, args []string, std cmdIO) error {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	var d dataFlags
	d.register(fs)
	team := fs.String("team", "", "only team `ID`")
	from := fs.String("from", "", "first day, `YYYY-MM-DD` (default: 30 days before --to)")
	to := fs.String("to", "", "last day, `YYYY-MM-DD` (default: today)")
	asCSV := fs.Bool("csv", false, "write CSV (one row per scope) instead of a table")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return errUsage
	}
	cfg, err := loadConfig(d)
	if err != nil {
		return err
	}
	opts, err := server.SLAOptions(cfg.SLA)
	if err != nil {
		return err
	}
	cal, err := sla.New(opts)
	if err != nil {
		return err
	}
	now := time.Now()
	period, _, _, err := stats.DayPeriod(*from, *to, cal.Location(), now)
	if err != nil {
		return fmt.Errorf("--from %q --to %q: %w", *from, *to, err)
	}
	return withOps(ctx, d, func(ops control.Ops) error {
		counsellors, err := ops.Counsellors(ctx)
		if err != nil {
			return err
		}
		teams := map[string]string{}
		for _, c := range counsellors {
			if *team == "" || c.Team == *team {
				teams[c.Address] = c.Team
			}
		}
		convs, err := ops.Conversations(ctx, storage.ConversationFilter{Team: *team})
		if err != nil {
			return err
		}
		entries, err := ops.ArchiveEntries(ctx, storage.ArchiveFilter{From: period.From, To: period.To})
		if err != nil {
			return err
		}
		msgs := stats.FromArchive(entries)
		if *team != "" {
			msgs = slices.DeleteFunc(msgs, func(m stats.Message) bool { return teams[strings.ToLower(m.Counsellor)] != *team })
		}
		rep := stats.Compute(stats.Input{Period: period, Now: now, Calendar: cal, Teams: teams,
			Conversations: stats.FromStorage(convs), Messages: msgs, LowVolumePercent: cfg.Web.LowVolumePercent})
		if *asCSV {
			return stats.WriteCSV(std.stdout, rep)
		}
		return printStats(std.stdout, rep, cal.Location())
	})
}

// printStats writes the report as a table: the total, then each team and
// its counsellors, low-volume counsellors marked.
func printStats(w io.Writer, rep stats.Report, loc *time.Location) error {
	fmt.Fprintf(w, "%s to %s included; response times in business hours\n",
		rep.Period.From.In(loc).Format(time.DateOnly), rep.Period.To.In(loc).AddDate(0, 0, -1).Format(time.DateOnly))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SCOPE\tRECEIVED\tANSWERED\tIN TIME\tLATE\tUNANSWERED\tOVERDUE\tNOTICES\tMEDIAN\tP90\t\t")
	row := func(name string, f stats.Figures, mark string) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%d\t%.1f\t%.1f\t%s\t\n", name, f.Received, f.Answered,
			f.AnsweredInTime, f.AnsweredLate, f.UnansweredNow, f.OverdueNow, f.Notices, f.MedianHours, f.P90Hours, mark)
	}
	row("total", rep.Total, "")
	for _, t := range rep.Teams {
		name := t.Team
		if name == "" {
			name = "(no team)"
		}
		row("team "+name, t.Figures, "")
		for _, c := range t.Counsellors {
			mark := ""
			if c.LowVolume {
				mark = fmt.Sprintf("LOW VOLUME (< %d%% of median %g)", rep.LowVolumePercent, t.MedianReceived)
			}
			row("  "+strings.ToLower(c.Counsellor), c.Figures, mark)
		}
	}
	return tw.Flush()
}
