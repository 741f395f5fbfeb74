package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"

	"mailnet/server/control"
	"mailnet/storage"
)

// slaList runs "sla list [--team T] [--counsellor C] [--overdue]": the open
// conversations, soonest due first, those past their due time marked
// OVERDUE.
func slaList(ctx context.Context, args []string, std cmdIO) error {
	fs := flag.NewFlagSet("sla list", flag.ContinueOnError)
	var d dataFlags
	d.register(fs)
	counsellor := fs.String("counsellor", "", "only the clients of this personal counsellor `ADDRESS`")
	overdue := fs.Bool("overdue", false, "only the conversations past their due time")
	team := fs.String("team", "", "only the conversations of the counsellors of team `ID`")
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 {
		return errUsage
	}
	now := time.Now()
	filter := storage.ConversationFilter{Open: true, Counsellor: *counsellor, Team: *team}
	if *overdue {
		filter.OverdueAt = now
	}
	return withOps(ctx, d, func(ops control.Ops) error {
		list, err := ops.Conversations(ctx, filter)
		if err != nil {
			return err
		}
		return printConversations(std.stdout, list, now)
	})
}

// printConversations prints list sorted by due time (then ID), marking
// those overdue at now.
func printConversations(w io.Writer, list []storage.Conversation, now time.Time) error {
	if len(list) == 0 {
		fmt.Fprintln(w, "no open conversations")
		return nil
	}
	slices.SortFunc(list, func(a, b storage.Conversation) int {
		return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.ID, b.ID))
	})
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCLIENT\tCOUNSELLOR\tOPENED\tDUE\tSTATE\t")
	for _, c := range list {
		mark := ""
		if c.Overdue(now) {
			mark = "OVERDUE"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", c.ID, c.Client, c.Counsellor,
			showTime(c.Opened), showTime(c.Due), c.State, mark)
	}
	return tw.Flush()
}
