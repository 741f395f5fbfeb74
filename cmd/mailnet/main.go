// Command mailnet is the mailnet server and its administration tool.
//
//	mailnet serve [--config FILE] [--data DIR] [--demo]
//	mailnet config check FILE | config default
//	mailnet user add|passwd|list|disable|enable …
//	mailnet queue list|show|retry|drop …
//	mailnet dkim keygen|list …
//	mailnet caseload import|show|assign|log …, absence set|list|end …, case link|unlink …
//	mailnet sla due --received TIME | sla list [--team T] [--counsellor C] [--overdue]
//	mailnet stats [--team T] [--from D] [--to D] [--csv]
//	mailnet audit list [--user U] [--client C] [--since T] | audit verify
//	mailnet archive verify|export|hold|release|holds|purge …, backup FILE, restore FILE
//
// Every subcommand that touches data takes --config and --data like serve,
// and works while the server runs (through its control socket).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

const usage = `usage: mailnet <command> [arguments]

commands:
  serve [--config FILE] [--data DIR] [--demo]   run the server
  config check FILE                             report every problem in FILE
  config default                                print a commented full configuration
  user add ADDRESS [--name NAME] [--role counsellor|manager|admin] [--password-stdin]
  user passwd ADDRESS [--password-stdin]
  user list
  user disable ADDRESS | user enable ADDRESS
  queue list | queue show ID | queue retry ID | queue drop ID
  dkim keygen DOMAIN [--selector S] [--algo ed25519|rsa]   create a DKIM key, print its DNS record
  dkim list                                     list DKIM keys and their DNS records
  backup FILE                                   write a consistent copy of the store, server running or not
  restore FILE                                  restore a backup into an empty data directory, then verify it
  caseload import FILE.csv [--dry-run]           import the planning export (columns: go doc mailnet/caseload)
  caseload show CLIENT|ADDRESS|DOMAIN
  caseload assign CLIENT COUNSELLOR
  caseload log [--since SEQ] [--limit N]
  absence set COUNSELLOR --from WHEN --to WHEN --substitute COUNSELLOR
  absence list [COUNSELLOR] | absence end ID
  case link CLIENT EXPERT --reason REASON | case unlink CLIENT EXPERT
  sla due --received RFC3339-TIME                deadline and notice time of a receipt, explained
  sla list [--team T] [--counsellor C] [--overdue] open conversations by due time, OVERDUE marked
  stats [--team T] [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--csv]   the dashboard's statistics (default: last 30 days)
  audit list [--user U] [--client C] [--since WHEN] [--limit N]   reads of others' mail, oldest first
  audit verify                                  check the audit log's hash chain
  archive verify [--export DIR]                 check the archive's chain and bodies (or an export, offline)
  archive export [--client C] [--from WHEN] [--to WHEN] DIR   mbox + manifest.json, audited
  archive hold CLIENT | archive release CLIENT | archive holds   legal hold: never purged
  archive purge [--dry-run]                     remove content past its [archive.retention], leave tombstones

Data commands accept --config FILE and --data DIR.
WHEN is RFC 3339 (2026-12-01T09:00:00+01:00) or YYYY-MM-DD[THH:MM] in
Europe/Paris (a bare date is 00:00); --to is exclusive: the counsellor is back.
Changes are logged with the actor "cli:" and your OS user name.
`

// errUsage reports a command line that cannot be understood.
var errUsage = errors.New("usage")

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	switch {
	case errors.Is(err, errUsage):
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	case err != nil:
		fmt.Fprintln(os.Stderr, "mailnet:", err)
		os.Exit(1)
	}
}

// run executes one command line; it is main without the process exit, so
// tests can call it.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		return errUsage
	}
	std := cmdIO{stdin: stdin, stdout: stdout, stderr: stderr}
	switch args[0] {
	case "serve":
		return cmdServe(ctx, args[1:], std)
	case "config":
		return cmdConfig(args[1:], std)
	case "user":
		return cmdUser(ctx, args[1:], std)
	case "queue":
		return cmdQueue(ctx, args[1:], std)
	case "dkim":
		return cmdDKIM(args[1:], std)
	case "backup":
		return cmdBackup(ctx, args[1:], std)
	case "caseload":
		return cmdCaseload(ctx, args[1:], std)
	case "absence":
		return cmdAbsence(ctx, args[1:], std)
	case "case":
		return cmdCase(ctx, args[1:], std)
	case "sla":
		return cmdSLA(ctx, args[1:], std)
	case "stats":
		return cmdStats(ctx, args[1:], std)
	case "audit":
		return cmdAudit(ctx, args[1:], std)
	case "archive":
		return cmdArchive(ctx, args[1:], std)
	case "restore":
		return cmdRestore(ctx, args[1:], std)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return errUsage
}

// cmdIO are a command's standard streams.
type cmdIO struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// dataFlags are the flags every data command takes.
type dataFlags struct {
	config string
	data   string
}

func (d *dataFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&d.config, "config", "", "configuration `FILE` (default: embedded development settings)")
	fs.StringVar(&d.data, "data", "", "data `DIR` (overrides data_dir of the configuration)")
}

// parseFlags parses args allowing flags after positional arguments
// ("user add ADDRESS --role manager"), and returns the positionals.
func parseFlags(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard)
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
