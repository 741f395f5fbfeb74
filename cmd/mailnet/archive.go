package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"mailnet/archive"
	"mailnet/server/control"
	"mailnet/storage"
)

// cmdArchive runs the archive commands: verify, export, hold, release,
// holds, purge.
func cmdArchive(ctx context.Context, args []string, std cmdIO) error {
	if len(args) == 0 {
		return errUsage
	}
	fs := flag.NewFlagSet("archive", flag.ContinueOnError)
	var d dataFlags
	d.register(fs)
	export := fs.String("export", "", "verify the export in `DIR` instead, offline")
	anchor := fs.String("anchor", "", "also check that entry SEQ still has the hash HASH printed by an earlier verify (`SEQ:HASH`)")
	client := fs.String("client", "", "export only this client's case (`ID`)")
	from := fs.String("from", "", "export the entries at or after `WHEN`")
	to := fs.String("to", "", "export the entries before `WHEN`")
	dryRun := fs.Bool("dry-run", false, "count what would be purged, change nothing")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	prog := newProgress(std.stderr)
	defer prog.end()
	switch {
	case args[0] == "verify" && len(pos) == 0 && *export != "":
		m, err := archive.VerifyExport(*export, prog.bar("verifying export"))
		if err != nil {
			return err
		}
		prog.end()
		fmt.Fprintf(std.stdout, "export intact: %d entries, %d messages (%d bytes); archive head then: entry %d, %s\n",
			len(m.Entries), m.Messages, m.Bytes, m.HeadSeq, m.Head)
		return nil
	case args[0] == "verify" && len(pos) == 0:
		a, err := parseAnchor(*anchor)
		if err != nil {
			return err
		}
		pctx := control.WithProgress(ctx, prog.bar("verifying archive"))
		return withOps(pctx, d, func(ops control.Ops) error {
			rep, err := ops.VerifyArchive(pctx, a)
			if err != nil {
				return err
			}
			prog.end()
			fmt.Fprintf(std.stdout, "archive intact: %d entries, %d messages kept (%d bytes), %d purged\nhead (keep it, check it later with --anchor): %d:%s\n",
				rep.Entries, rep.Messages, rep.Bytes, rep.Purged, rep.Entries, rep.Head)
			return nil
		})
	case args[0] == "export" && len(pos) == 1:
		req := control.ExportRequest{Filter: storage.ArchiveFilter{Client: *client}, Actor: actor()}
		if req.Filter.From, err = optionalWhen(*from); err != nil {
			return err
		}
		if req.Filter.To, err = optionalWhen(*to); err != nil {
			return err
		}
		// The server may run in another directory: give it an absolute path.
		if req.Dir, err = filepath.Abs(pos[0]); err != nil {
			return err
		}
		pctx := control.WithProgress(ctx, prog.bar("exporting"))
		return withOps(pctx, d, func(ops control.Ops) error {
			res, err := ops.ExportArchive(pctx, req)
			if err != nil {
				return err
			}
			prog.end()
			fmt.Fprintf(std.stdout, "exported %d entries, %d messages (%d bytes) to %s (audit entry %d)\ncheck it with: mailnet archive verify --export %s\n",
				res.Entries, res.Messages, res.Bytes, req.Dir, res.Audit, req.Dir)
			return nil
		})
	case (args[0] == "hold" || args[0] == "release") && len(pos) == 1:
		on := args[0] == "hold"
		return withOps(ctx, d, func(ops control.Ops) error {
			if err := ops.SetHold(ctx, pos[0], on, actor()); err != nil {
				return err
			}
			if on {
				fmt.Fprintf(std.stdout, "client %s under legal hold: nothing of it is purged\n", pos[0])
			} else {
				fmt.Fprintf(std.stdout, "client %s released from legal hold\n", pos[0])
			}
			return nil
		})
	case args[0] == "holds" && len(pos) == 0:
		return withOps(ctx, d, func(ops control.Ops) error {
			holds, err := ops.Holds(ctx)
			if err != nil {
				return err
			}
			return printHolds(std.stdout, holds)
		})
	case args[0] == "purge" && len(pos) == 0:
		pctx := control.WithProgress(ctx, prog.bar("purging"))
		return withOps(pctx, d, func(ops control.Ops) error {
			rep, err := ops.PurgeArchive(pctx, *dryRun)
			if err != nil {
				return err
			}
			prog.end()
			verb := "purged"
			if *dryRun {
				verb = "would purge"
			}
			fmt.Fprintf(std.stdout, "%s %d messages (%d bytes) %v; %d kept for a legal hold\n", verb, rep.Purged, rep.Bytes, rep.ByDirection, rep.Held)
			return nil
		})
	}
	return errUsage
}

// parseAnchor reads "SEQ:HASH"; "" is the zero anchor (none).
func parseAnchor(s string) (storage.Anchor, error) {
	if s == "" {
		return storage.Anchor{}, nil
	}
	seq, hash, ok := strings.Cut(s, ":")
	n, err := strconv.ParseUint(seq, 10, 64)
	if !ok || err != nil || n == 0 {
		return storage.Anchor{}, fmt.Errorf("%w: --anchor %q: want SEQ:HASH as verify prints it", errUsage, s)
	}
	h, err := storage.ParseHash(hash)
	if err != nil {
		return storage.Anchor{}, fmt.Errorf("%w: --anchor: %v", errUsage, err)
	}
	return storage.Anchor{Seq: n, Hash: h}, nil
}

// optionalWhen parses s with parseWhen, "" giving the zero time.
func optionalWhen(s string) (t time.Time, err error) {
	if s == "" {
		return t, nil
	}
	return parseWhen(s)
}

func printHolds(w io.Writer, holds []storage.Hold) error {
	if len(holds) == 0 {
		fmt.Fprintln(w, "no client under legal hold")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CLIENT\tSINCE\tBY\t")
	for _, h := range holds {
		fmt.Fprintf(tw, "%s\t%s\t%s\t\n", h.Client, showTime(h.Since), h.By)
	}
	return tw.Flush()
}
