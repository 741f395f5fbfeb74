package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"

	"mailnet/storage"
)

// errDataNotEmpty reports a restore into a data directory in use.
var errDataNotEmpty = errors.New("data directory is not empty: restore only into an empty one")

// cmdRestore restores a backup into an empty data directory, then checks
// the archive and audit chains of the restored store.
func cmdRestore(ctx context.Context, args []string, std cmdIO) error {
	fs := flag.NewFlagSet("restore", flag.ContinueOnError)
	var d dataFlags
	d.register(fs)
	pos, err := parseFlags(fs, args)
	if err != nil || len(pos) != 1 {
		return errUsage
	}
	cfg, err := loadConfig(d)
	if err != nil {
		return err
	}
	names, err := os.ReadDir(cfg.DataDir)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if len(names) > 0 {
		return fmt.Errorf("%s: %w", cfg.DataDir, errDataNotEmpty)
	}
	path := filepath.Join(cfg.DataDir, dbFile)
	n, err := storage.Restore(pos[0], path)
	if err != nil {
		return err
	}
	fmt.Fprintf(std.stdout, "restored %s (%d bytes) to %s\n", pos[0], n, path)
	db, err := openDB(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	prog := newProgress(std.stderr)
	rep, err := db.VerifyArchive(ctx, prog.bar("verifying archive"))
	prog.end()
	if err == nil {
		err = db.VerifyAudit(ctx, nil)
	}
	if err != nil {
		return errors.Join(err, db.Close())
	}
	fmt.Fprintf(std.stdout, "archive intact: %d entries, %d messages kept; audit log intact\n", rep.Entries, rep.Messages)
	return db.Close()
}
