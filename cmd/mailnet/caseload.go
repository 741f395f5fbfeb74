package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/user"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"mailnet/caseload"
	"mailnet/server/control"
	"mailnet/storage"
)

// maxDryRunLines caps the changes listed by `caseload import --dry-run`.
const maxDryRunLines = 50

// defaultLogLimit is how many entries `caseload log` prints by default.
const defaultLogLimit = 200

// actor names the person running the tool in the change log:
// "cli:" and the OS user name, or the numeric uid when it has none.
func actor() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return "cli:" + u.Username
	}
	return "cli:uid " + strconv.Itoa(os.Getuid())
}

func cmdCaseload(ctx context.Context, args []string, std cmdIO) error {
	if len(args) == 0 {
		return errUsage
	}
	fs := flag.NewFlagSet("caseload", flag.ContinueOnError)
	var d dataFlags
	d.register(fs)
	dryRun := fs.Bool("dry-run", false, "report what would change, write nothing")
	since := fs.Uint64("since", 0, "print log entries after this sequence number")
	limit := fs.Int("limit", defaultLogLimit, "print at most this many log entries (0: all)")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	switch {
	case args[0] == "import" && len(pos) == 1:
		return caseloadImport(ctx, d, pos[0], *dryRun, std)
	case args[0] == "show" && len(pos) == 1:
		return withOps(ctx, d, func(ops control.Ops) error {
			v, err := ops.ShowClient(ctx, pos[0])
			if err != nil {
				return err
			}
			return printClient(std.stdout, v)
		})
	case args[0] == "assign" && len(pos) == 2:
		return withOps(ctx, d, func(ops control.Ops) error {
			if err := ops.AssignClient(ctx, pos[0], pos[1], actor()); err != nil {
				return err
			}
			fmt.Fprintf(std.stdout, "client %s assigned to %s\n", pos[0], strings.ToLower(pos[1]))
			return nil
		})
	case args[0] == "log" && len(pos) == 0:
		return withOps(ctx, d, func(ops control.Ops) error {
			return caseloadLog(ctx, ops, *since, *limit, std.stdout)
		})
	}
	return errUsage
}

// caseloadImport parses file in this process, then sends the whole batch
// to the store (or the running server) in one all-or-nothing import.
func caseloadImport(ctx context.Context, d dataFlags, file string, dryRun bool, std cmdIO) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close() // read-only: a close error loses nothing
	prog := newProgress(std.stderr)
	start := time.Now()
	batch, err := caseload.ParseCSV(prog.reader(f))
	prog.done()
	if err != nil {
		return fmt.Errorf("%s: %s, nothing imported:\n%w", file, countRows(err), err)
	}
	prog.printf("parsed %s: %d clients, %d counsellors, %d teams in %s\n", file,
		len(batch.Clients), len(batch.Counsellors), len(batch.Teams), time.Since(start).Round(time.Millisecond))
	return withOps(ctx, d, func(ops control.Ops) error {
		start := time.Now()
		rep, err := ops.ImportCaseload(ctx, batch, actor(), dryRun)
		if err != nil {
			return fmt.Errorf("%s: nothing imported: %w", file, err)
		}
		prog.printf("imported in %s\n", time.Since(start).Round(time.Millisecond))
		printReport(std.stdout, rep)
		return nil
	})
}

// countRows says how many bad rows a ParseCSV error reports.
func countRows(err error) string {
	var lerr *caseload.LineError
	if errors.As(err, &lerr) {
		if j, ok := err.(interface{ Unwrap() []error }); ok && len(j.Unwrap()) > 1 {
			return fmt.Sprintf("%d bad rows", len(j.Unwrap()))
		}
		return "1 bad row"
	}
	return "unreadable"
}

func printReport(w io.Writer, rep storage.ImportReport) {
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	for _, k := range []struct {
		name string
		n    storage.ImportCounts
	}{{"teams", rep.Teams}, {"counsellors", rep.Counsellors}, {"clients", rep.Clients}} {
		fmt.Fprintf(tw, "%s:\t%d created,\t%d updated,\t%d unchanged\n", k.name, k.n.Created, k.n.Updated, k.n.Unchanged)
	}
	tw.Flush() // writes to w; its errors are w's
	if !rep.DryRun {
		fmt.Fprintf(w, "%d changes recorded\n", len(rep.Changes))
		return
	}
	fmt.Fprintf(w, "dry run: nothing written; %d changes would be made\n", len(rep.Changes))
	for i, c := range rep.Changes {
		if i == maxDryRunLines {
			fmt.Fprintf(w, "  … %d more\n", len(rep.Changes)-i)
			break
		}
		fmt.Fprintf(w, "  %s %s: %s\n", c.Action, c.Subject, c.Detail)
	}
}

func printClient(w io.Writer, v control.ClientView) error {
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	c := v.Client
	fmt.Fprintf(tw, "client:\t%s (%s)\n", c.ID, c.Kind)
	if c.Name != "" {
		fmt.Fprintf(tw, "name:\t%s\n", c.Name)
	}
	if len(c.Emails) > 0 {
		fmt.Fprintf(tw, "emails:\t%s\n", strings.Join(c.Emails, ", "))
	}
	if len(c.Domains) > 0 {
		fmt.Fprintf(tw, "domains:\t%s\n", strings.Join(c.Domains, ", "))
	}
	team := v.Counsellor.Team
	if v.Team.Name != "" {
		team += " " + v.Team.Name
	}
	if v.Team.Agency != "" {
		team += ", " + v.Team.Agency
	}
	fmt.Fprintf(tw, "counsellor:\t%s (team %s)\n", c.Counsellor, team)
	if a := v.Absence; a != nil {
		fmt.Fprintf(tw, "absent:\tuntil %s (absence %d), substitute %s\n", showTime(a.To), a.ID, a.Substitute)
	}
	for _, l := range v.Links {
		fmt.Fprintf(tw, "linked expert:\t%s: %s\n", l.Expert, l.Reason)
	}
	return tw.Flush()
}

func caseloadLog(ctx context.Context, ops control.Ops, since uint64, limit int, w io.Writer) error {
	changes, err := ops.Changes(ctx, since, limit)
	if err != nil {
		return err
	}
	if len(changes) == 0 {
		fmt.Fprintln(w, "no changes")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME\tACTOR\tACTION\tSUBJECT\tDETAIL")
	for _, c := range changes {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", c.Seq, showTime(c.Time), c.Actor, c.Action, c.Subject, c.Detail)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if limit > 0 && len(changes) == limit {
		fmt.Fprintf(w, "… more: mailnet caseload log --since %d\n", changes[len(changes)-1].Seq)
	}
	return nil
}

// progress reports the parsing of a large file on a terminal, and stays
// silent otherwise (tests, CI, redirected output).
type progress struct {
	w     io.Writer // nil when not a terminal
	lines int
	shown time.Time
	drawn bool // bar has drawn a line that end must finish
}

// newProgress returns a progress writing to stderr if stderr is a
// terminal.
func newProgress(stderr io.Writer) *progress {
	f, ok := stderr.(*os.File)
	if !ok {
		return &progress{}
	}
	if info, err := f.Stat(); err != nil || info.Mode()&os.ModeCharDevice == 0 {
		return &progress{}
	}
	return &progress{w: f}
}

// reader counts the lines read through r.
func (p *progress) reader(r io.Reader) io.Reader {
	if p.w == nil {
		return r
	}
	return progressReader{r: r, p: p}
}

type progressReader struct {
	r io.Reader
	p *progress
}

func (pr progressReader) Read(b []byte) (int, error) {
	n, err := pr.r.Read(b)
	p := pr.p
	for _, c := range b[:n] {
		if c == '\n' {
			p.lines++
		}
	}
	if now := time.Now(); now.Sub(p.shown) >= 100*time.Millisecond {
		p.shown = now
		fmt.Fprintf(p.w, "\rparsing: %d lines read", p.lines)
	}
	return n, err
}

// done ends the progress line.
func (p *progress) done() {
	if p.w != nil {
		fmt.Fprintf(p.w, "\rparsing: %d lines read\n", p.lines)
	}
}

// bar returns a progress function that draws "label: done/total (pct)"
// on the terminal, at most ten times a second; end finishes the line.
func (p *progress) bar(label string) func(done, total uint64) {
	if p.w == nil {
		return nil
	}
	return func(done, total uint64) {
		now := time.Now()
		if now.Sub(p.shown) < 100*time.Millisecond && done != total {
			return
		}
		p.shown = now
		p.drawn = true
		if total == 0 {
			fmt.Fprintf(p.w, "\r%s: %d", label, done)
			return
		}
		fmt.Fprintf(p.w, "\r%s: %d/%d (%d%%)", label, done, total, done*100/total)
	}
}

// end finishes a line drawn by bar.
func (p *progress) end() {
	if p.w != nil && p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}

// printf writes a status line on the terminal only.
func (p *progress) printf(format string, args ...any) {
	if p.w != nil {
		fmt.Fprintf(p.w, format, args...)
	}
}
