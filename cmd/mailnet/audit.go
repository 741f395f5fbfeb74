package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"mailnet/server/control"
	"mailnet/storage"
)

// cmdAudit runs "audit list [--user U] [--client C] [--since T]" and
// "audit verify".
func cmdAudit(ctx context.Context, args []string, std cmdIO) error {
	if len(args) == 0 {
		return errUsage
	}
	fs := flag.NewFlagSet("audit", flag.ContinueOnError)
	var d dataFlags
	d.register(fs)
	user := fs.String("user", "", "only the accesses of this reader `ADDRESS`")
	client := fs.String("client", "", "only the accesses to this client's mail (`ID`)")
	since := fs.String("since", "", "only the accesses at or after `WHEN`")
	limit := fs.Int("limit", 0, "print at most this many entries (0: all)")
	pos, err := parseFlags(fs, args[1:])
	if err != nil || len(pos) != 0 {
		return errUsage
	}
	switch args[0] {
	case "list":
		f := storage.AuditFilter{Actor: *user, Client: *client, Limit: *limit}
		if *since != "" {
			if f.Since, err = parseWhen(*since); err != nil {
				return err
			}
		}
		return withOps(ctx, d, func(ops control.Ops) error {
			list, err := ops.AuditEntries(ctx, f)
			if err != nil {
				return err
			}
			return printAudit(std.stdout, list)
		})
	case "verify":
		return withOps(ctx, d, func(ops control.Ops) error {
			n, err := ops.VerifyAudit(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(std.stdout, "audit log intact: %d entries\n", n)
			return nil
		})
	}
	return errUsage
}

// printAudit prints audit entries one a line.
func printAudit(w io.Writer, list []storage.AuditEntry) error {
	if len(list) == 0 {
		fmt.Fprintln(w, "no audit entries")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME\tACTOR\tACTION\tMAILBOX\tCLIENT\tREMOTE\tMESSAGES\t")
	for _, e := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", e.Seq, e.Time.In(zone()).Format(time.DateTime),
			e.Actor, e.Action, e.Mailbox, dash(e.Client), dash(e.Remote), uidList(e.UIDs))
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// uidList prints UIDs, at most ten of them.
func uidList(uids []uint32) string {
	if len(uids) == 0 {
		return "-"
	}
	var b strings.Builder
	for i, u := range uids {
		if i == 10 {
			fmt.Fprintf(&b, ",… (%d)", len(uids))
			break
		}
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprint(&b, u)
	}
	return b.String()
}
