package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"

	"mailnet/conf"
	"mailnet/server/control"
	"mailnet/storage"
)

// dbFile is the store's file name in the data directory.
const dbFile = "mailnet.db"

// loadConfig reads the configuration file, or the embedded defaults, and
// applies --data.
func loadConfig(d dataFlags) (*conf.Config, error) {
	cfg := conf.Default()
	if d.config != "" {
		var err error
		if cfg, err = conf.Load(d.config); err != nil {
			return nil, err
		}
	}
	if d.data != "" {
		cfg.DataDir = d.data
	}
	return cfg, nil
}

func openDB(cfg *conf.Config, log *slog.Logger) (*storage.DB, error) {
	return storage.Open(filepath.Join(cfg.DataDir, dbFile), storage.Options{Logger: log})
}

// withOps runs fn with the operations of the server running on this data
// directory, or, when none runs, of the store opened directly.
func withOps(ctx context.Context, d dataFlags, fn func(control.Ops) error) error {
	cfg, err := loadConfig(d)
	if err != nil {
		return err
	}
	if c, err := control.Dial(control.SocketPath(cfg.DataDir)); err == nil {
		return fn(c)
	}
	db, err := openDB(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		return fmt.Errorf("%w (is a server running without its control socket?)", err)
	}
	err = fn(&control.Local{DB: db, Retention: cfg.Archive.Retention.ByCategory()})
	return errors.Join(err, db.Close())
}
