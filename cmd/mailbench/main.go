package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// options are mailbench's command-line settings.
type options struct {
	messages int           // messages in the large mailbox (bench-b)
	small    int           // messages in the small mailbox (bench-c)
	duration time.Duration // length of each SMTP MX configuration
	reps     int           // repetitions of each IMAP operation
	out      string        // file for a copy of the report, or ""
	server   string        // mailnet binary, or "" to build one
	keep     bool          // keep the temporary directory
}

// errUsage reports a command line that cannot be understood.
var errUsage = errors.New("usage")

// The benchmark's accounts.
const (
	accountMX    = "bench-a@" + benchDomain // receives the SMTP MX benchmark
	accountLarge = "bench-b@" + benchDomain // holds --messages messages
	accountSmall = "bench-c@" + benchDomain // holds --small messages
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, flag.ErrHelp):
		// -h: the usage is printed, and asking for it is no failure.
	case errors.Is(err, errUsage):
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "mailbench:", err)
		os.Exit(1)
	}
}

// parseOptions reads the command line. It returns flag.ErrHelp for -h,
// and errUsage for a mistake; either has been explained on stderr.
func parseOptions(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("mailbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.messages, "messages", 100_000, "messages in the large mailbox")
	fs.IntVar(&o.small, "small", 10_000, "messages in the small mailbox")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "length of each SMTP configuration")
	fs.IntVar(&o.reps, "reps", 5, "repetitions of each IMAP operation")
	fs.StringVar(&o.out, "out", "", "also write the Markdown report to `FILE`")
	fs.StringVar(&o.server, "server", "", "mailnet binary to run (default: go build ./cmd/mailnet)")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary directory (data, configuration, server log)")
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		return o, err
	} else if err != nil {
		return o, errUsage
	}
	var problems []string
	if fs.NArg() > 0 {
		problems = append(problems, "unexpected arguments: "+strings.Join(fs.Args(), " "))
	}
	if o.messages < 1 || o.small < 1 || o.reps < 1 {
		problems = append(problems, "--messages, --small and --reps must be at least 1")
	}
	if o.duration <= 0 {
		problems = append(problems, "--duration must be positive")
	}
	if len(problems) > 0 {
		fmt.Fprintln(stderr, strings.Join(problems, "\n"))
		fs.Usage()
		return o, errUsage
	}
	return o, nil
}

// run is main without the process exit: it runs the benchmark and writes
// the report, partial if the run stopped early.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	opts, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	dir, err := os.MkdirTemp("", "mailbench-")
	if err != nil {
		return err
	}
	rep := &benchReport{Command: "go run ./cmd/mailbench " + strings.Join(args, " "), Opts: opts}
	start := time.Now()
	rep.Err = bench(ctx, log, dir, rep)
	rep.Elapsed = time.Since(start)
	rep.Client = selfStatus()
	if opts.keep {
		rep.ServerLog = filepath.Join(dir, "server.log")
		log.Info("temporary directory kept", "dir", dir)
	}
	var buf bytes.Buffer
	if err := rep.render(&buf); err != nil {
		return err
	}
	_, werr := stdout.Write(buf.Bytes())
	if opts.out != "" {
		werr = errors.Join(werr, os.WriteFile(opts.out, buf.Bytes(), 0o644))
	}
	if !opts.keep {
		werr = errors.Join(werr, os.RemoveAll(dir))
	}
	return errors.Join(rep.Err, werr)
}

// bench starts the server in dir, runs every phase into rep and stops the
// server. It returns what stopped the run early, if anything.
func bench(ctx context.Context, log *slog.Logger, dir string, rep *benchReport) error {
	bin := rep.Opts.server
	if bin == "" {
		log.Info("building the server")
		var err error
		if bin, err = buildServer(ctx, dir); err != nil {
			return err
		}
	}
	srv, err := startServer(ctx, bin, dir)
	if err != nil {
		return err
	}
	log.Info("server started", "pid", srv.PID(), "smtp", srv.Addr("smtp"), "imap", srv.Addr("imap"))
	rep.Env = readEnvironment(ctx, srv.dataDir)
	mem := newSampler(srv.PID())
	sctx, stopSampling := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { mem.run(sctx) })

	err = phases(ctx, log, srv, mem, rep)

	mem.end()
	stopSampling()
	wg.Wait()
	rep.Memory, rep.SampleFailures, rep.SampleErr = mem.results()
	log.Info("stopping the server")
	rep.ServerExit = srv.Stop()
	rep.ServerWarn, rep.ServerErrors = srv.LogCounts()
	data := measureDir(srv.dataDir)
	rep.Data = &data
	return err
}

// Names of the phases that the report refers to.
const (
	phaseAccounts = "start-up, accounts"
	phaseMX       = "SMTP MX"
	phasePopulate = "populate"
)

// phases runs the benchmark's phases in order against a started server,
// each under its own memory phase.
func phases(ctx context.Context, log *slog.Logger, srv *serverProc, mem *sampler, rep *benchReport) error {
	opts := rep.Opts
	mem.begin(phaseAccounts)
	passwords := map[string]string{}
	for _, acct := range []string{accountMX, accountLarge, accountSmall} {
		passwords[acct] = rand.Text()
		if err := srv.AddUser(ctx, acct, passwords[acct]); err != nil {
			return err
		}
	}
	tlsCfg, err := srv.ClientTLS()
	if err != nil {
		return err
	}

	mem.begin(phaseMX)
	for _, c := range mxCases {
		log.Info("SMTP MX benchmark", "size", sizeName(c.Size), "conns", c.Conns, "duration", opts.duration)
		res, err := runMX(ctx, srv.Addr("smtp"), accountMX, c, opts.duration)
		rep.MX = append(rep.MX, res)
		if err != nil {
			return err
		}
		log.Info("SMTP MX done", "msgs", res.Messages, "errors", res.Errors, "msgs/s", int(res.Rate()), "p50", res.P50, "p99", res.P99)
	}

	mem.begin(phasePopulate)
	for _, t := range []struct {
		acct string
		n    int
	}{{accountLarge, opts.messages}, {accountSmall, opts.small}} {
		log.Info("populating", "account", t.acct, "messages", t.n)
		res, err := populate(ctx, log, srv.Addr("smtp"), t.acct, t.n)
		rep.Populate = append(rep.Populate, res)
		if err != nil {
			return fmt.Errorf("populate %s: %w", t.acct, err)
		}
		log.Info("populated", "account", t.acct, "elapsed", res.Elapsed.Round(time.Millisecond), "msgs/s", int(res.Rate()))
	}

	for _, t := range []imapTarget{
		{Account: accountSmall, Password: passwords[accountSmall], Messages: opts.small},
		{Account: accountLarge, Password: passwords[accountLarge], Messages: opts.messages},
	} {
		mem.begin("IMAP " + group(int64(t.Messages)) + " messages")
		log.Info("IMAP benchmark", "account", t.Account, "messages", t.Messages, "reps", opts.reps)
		res, err := runIMAP(ctx, srv.Addr("imap"), tlsCfg, t, opts.reps)
		rep.IMAP = append(rep.IMAP, res)
		if err != nil {
			return fmt.Errorf("IMAP on %s: %w", t.Account, err)
		}
	}
	return nil
}
