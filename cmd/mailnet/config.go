package main

import (
	"fmt"

	"mailnet/conf"
)

func cmdConfig(args []string, std cmdIO) error {
	switch {
	case len(args) == 1 && args[0] == "default":
		_, err := std.stdout.Write(conf.DefaultTOML())
		return err
	case len(args) == 2 && args[0] == "check":
		if _, err := conf.Load(args[1]); err != nil {
			return fmt.Errorf("%s:\n%w", args[1], err)
		}
		fmt.Fprintf(std.stdout, "%s: ok\n", args[1])
		return nil
	}
	return errUsage
}
