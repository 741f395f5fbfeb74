package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"mailnet/server/control"
	"mailnet/storage"
)

func cmdCase(ctx context.Context, args []string, std cmdIO) error {
	if len(args) == 0 {
		return errUsage
	}
	fs := flag.NewFlagSet("case", flag.ContinueOnError)
	var d dataFlags
	d.register(fs)
	reason := fs.String("reason", "", "why the expert follows the case")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return errUsage
	}
	client, expert := pos[0], strings.ToLower(pos[1])
	switch args[0] {
	case "link":
		if *reason == "" {
			return fmt.Errorf("%w: case link needs --reason", errUsage)
		}
		return withOps(ctx, d, func(ops control.Ops) error {
			l := storage.CaseLink{Client: client, Expert: expert, Reason: *reason, SetBy: actor()}
			if err := ops.LinkCase(ctx, l); err != nil {
				return err
			}
			fmt.Fprintf(std.stdout, "%s linked to client %s\n", expert, client)
			return nil
		})
	case "unlink":
		return withOps(ctx, d, func(ops control.Ops) error {
			if err := ops.UnlinkCase(ctx, client, expert, actor()); err != nil {
				return err
			}
			fmt.Fprintf(std.stdout, "%s unlinked from client %s\n", expert, client)
			return nil
		})
	}
	return errUsage
}
