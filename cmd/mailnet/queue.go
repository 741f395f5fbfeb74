package main

import (
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"mailnet/server/control"
)

func cmdQueue(ctx context.Context, args []string, std cmdIO) error {
	if len(args) == 0 || args[0] != "list" {
		return errUsage
	}
	fs := flag.NewFlagSet("queue", flag.ContinueOnError)
	var d dataFlags
	d.register(fs)
	if pos, err := parseFlags(fs, args[1:]); err != nil || len(pos) != 0 {
		return errUsage
	}
	return withOps(ctx, d, func(ops control.Ops) error {
		entries, err := ops.Queue(ctx)
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			fmt.Fprintln(std.stdout, "queue is empty")
			return nil
		}
		tw := tabwriter.NewWriter(std.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tCREATED\tSIZE\tATTEMPTS\tFROM\tTO")
		for _, e := range entries {
			fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%s\t%s\n", e.ID, e.Created.Format(time.RFC3339), e.Size, e.Attempts, e.From, strings.Join(e.Pending(), ","))
		}
		return tw.Flush()
	})
}
