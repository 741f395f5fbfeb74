package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"mailnet/server/control"
	"mailnet/storage"
)

func cmdQueue(ctx context.Context, args []string, std cmdIO) error {
	if len(args) == 0 {
		return errUsage
	}
	fs := flag.NewFlagSet("queue", flag.ContinueOnError)
	var d dataFlags
	d.register(fs)
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	switch {
	case args[0] == "list" && len(pos) == 0:
		return withOps(ctx, d, func(ops control.Ops) error { return queueList(ctx, ops, std) })
	case args[0] == "show" && len(pos) == 1:
		id, err := parseQueueID(pos[0])
		if err != nil {
			return err
		}
		return withOps(ctx, d, func(ops control.Ops) error {
			e, err := ops.QueueEntry(ctx, id)
			if err != nil {
				return err
			}
			return queueShow(e, std)
		})
	case args[0] == "retry" && len(pos) == 1:
		id, err := parseQueueID(pos[0])
		if err != nil {
			return err
		}
		return withOps(ctx, d, func(ops control.Ops) error {
			if err := ops.RetryQueue(ctx, id); err != nil {
				return err
			}
			fmt.Fprintf(std.stdout, "queue entry %d is due now\n", id)
			return nil
		})
	case args[0] == "drop" && len(pos) == 1:
		id, err := parseQueueID(pos[0])
		if err != nil {
			return err
		}
		return withOps(ctx, d, func(ops control.Ops) error {
			if err := ops.DropQueue(ctx, id); err != nil {
				return err
			}
			fmt.Fprintf(std.stdout, "queue entry %d dropped (the sender was not notified)\n", id)
			return nil
		})
	}
	return errUsage
}

func parseQueueID(s string) (uint64, error) {
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 {
		return 0, fmt.Errorf("%w: queue ID must be a positive number, not %q", errUsage, s)
	}
	return id, nil
}

func queueList(ctx context.Context, ops control.Ops, std cmdIO) error {
	entries, err := ops.Queue(ctx)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		fmt.Fprintln(std.stdout, "queue is empty")
		return nil
	}
	tw := tabwriter.NewWriter(std.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATED\tNEXT ATTEMPT\tSIZE\tATTEMPTS\tFROM\tPENDING")
	for _, e := range entries {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%d\t%d\t%s\t%s\n", e.ID, e.Created.Format(time.RFC3339), e.NextAttempt.Format(time.RFC3339),
			e.Size, e.Attempts, e.From, strings.Join(e.Pending(), ","))
	}
	return tw.Flush()
}

func queueShow(e storage.QueueEntry, std cmdIO) error {
	w := std.stdout
	fmt.Fprintf(w, "ID:           %d\nFrom:         %s\nSize:         %d bytes\nBody:         sha256 %s\n", e.ID, e.From, e.Size, e.Blob)
	fmt.Fprintf(w, "Created:      %s\nAttempts:     %d\nNext attempt: %s\n\nRecipients:\n",
		e.Created.Format(time.RFC3339), e.Attempts, e.NextAttempt.Format(time.RFC3339))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, r := range e.Recipients {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", r.Address, r.State, r.Host, r.Reply)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(e.History) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nAttempts (latest last):")
	tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, a := range e.History {
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\n", a.Time.Format(time.RFC3339), a.Host, a.TLS, a.Result)
	}
	return tw.Flush()
}
