package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"strings"
	"text/tabwriter"

	"mailnet/server/control"
	"mailnet/storage"
)

func cmdUser(ctx context.Context, args []string, std cmdIO) error {
	if len(args) == 0 {
		return errUsage
	}
	fs := flag.NewFlagSet("user", flag.ContinueOnError)
	var d dataFlags
	d.register(fs)
	name := fs.String("name", "", "display name")
	role := fs.String("role", string(storage.RoleCounsellor), "counsellor, manager or admin")
	pwStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input")
	pos, err := parseFlags(fs, args[1:])
	if err != nil {
		return err
	}
	readPassword := func() (string, error) {
		if !*pwStdin {
			return "", nil
		}
		line, err := bufio.NewReader(std.stdin).ReadString('\n')
		line = strings.TrimRight(line, "\r\n")
		if line == "" {
			return "", fmt.Errorf("no password on standard input: %v", err)
		}
		return line, nil
	}
	switch {
	case args[0] == "add" && len(pos) == 1:
		pw, err := readPassword()
		if err != nil {
			return err
		}
		return withOps(ctx, d, func(ops control.Ops) error {
			res, err := ops.AddUser(ctx, control.AddUserRequest{Address: pos[0], Name: *name, Role: storage.Role(*role), Password: pw})
			if err != nil {
				return err
			}
			fmt.Fprintf(std.stdout, "created %s (%s)\n", res.User.Address, res.User.Role)
			if res.GeneratedPassword != "" {
				fmt.Fprintf(std.stdout, "password: %s\n", res.GeneratedPassword)
			}
			return nil
		})
	case args[0] == "passwd" && len(pos) == 1:
		pw, err := readPassword()
		if err != nil {
			return err
		}
		return withOps(ctx, d, func(ops control.Ops) error {
			gen, err := ops.SetPassword(ctx, pos[0], pw)
			if err != nil {
				return err
			}
			fmt.Fprintf(std.stdout, "password changed for %s\n", pos[0])
			if gen != "" {
				fmt.Fprintf(std.stdout, "password: %s\n", gen)
			}
			return nil
		})
	case (args[0] == "disable" || args[0] == "enable") && len(pos) == 1:
		return withOps(ctx, d, func(ops control.Ops) error {
			if err := ops.SetDisabled(ctx, pos[0], args[0] == "disable"); err != nil {
				return err
			}
			fmt.Fprintf(std.stdout, "%sd %s\n", args[0], pos[0])
			return nil
		})
	case args[0] == "list" && len(pos) == 0:
		return withOps(ctx, d, func(ops control.Ops) error {
			users, err := ops.Users(ctx)
			if err != nil {
				return err
			}
			tw := tabwriter.NewWriter(std.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ADDRESS\tROLE\tSTATE\tNAME")
			for _, u := range users {
				state := "active"
				if u.Disabled {
					state = "disabled"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", u.Address, u.Role, state, u.Name)
			}
			return tw.Flush()
		})
	}
	return errUsage
}
