package main

import (
	"context"
	"flag"
	"fmt"
	"time"
	_ "time/tzdata" // the SLA time zone must load on hosts without zoneinfo

	"mailnet/routing/sla"
	"mailnet/server"
)

// cmdSLA runs "sla due --received TIME [--config FILE]": the deadline and
// notice time of a receipt under the configured business calendar; and
// "sla list" (slaList).
func cmdSLA(ctx context.Context, args []string, std cmdIO) error {
	if len(args) > 0 && args[0] == "list" {
		return slaList(ctx, args[1:], std)
	}
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
	opts, err := server.SLAOptions(cfg.SLA)
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
