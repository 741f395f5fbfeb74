package main

import (
	"context"
	"flag"
	"fmt"
	"path/filepath"

	"mailnet/server/control"
)

// cmdBackup writes a consistent copy of the store, while the server runs
// (the server writes it, through the control socket) or not.
func cmdBackup(ctx context.Context, args []string, std cmdIO) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	var d dataFlags
	d.register(fs)
	pos, err := parseFlags(fs, args)
	if err != nil || len(pos) != 1 {
		return errUsage
	}
	// The server may run in another directory: give it an absolute path.
	dest, err := filepath.Abs(pos[0])
	if err != nil {
		return err
	}
	return withOps(ctx, d, func(ops control.Ops) error {
		n, err := ops.Backup(ctx, dest)
		if err != nil {
			return err
		}
		fmt.Fprintf(std.stdout, "backup written: %s (%d bytes); restore with: mailnet restore %s --data EMPTY-DIR\n", dest, n, dest)
		return nil
	})
}
