package storage

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"

	bolt "go.etcd.io/bbolt"
)

// Backup writes a consistent copy of the whole store to w while the
// store stays in use: it is the content of one read transaction, so a
// delivery either is in it entirely or not at all. It returns the number
// of bytes written.
func (db *DB) Backup(ctx context.Context, w io.Writer) (int64, error) {
	var n int64
	err := db.view(ctx, func(tx *bolt.Tx) error {
		var err error
		n, err = tx.WriteTo(w)
		return err
	})
	return n, err
}

// BackupFile writes a consistent copy of the store to path (mode 0600):
// a temporary file in the same directory, synced, then renamed, so path
// is either the complete old file or the complete new one. The copy is a
// store that Open accepts.
func (db *DB) BackupFile(ctx context.Context, path string) (int64, error) {
	n, err := writeAtomic(path, func(f *os.File) (int64, error) { return db.Backup(ctx, f) }, nil)
	if err != nil {
		return 0, fmt.Errorf("backup to %s: %w", path, err)
	}
	return n, nil
}

// writeAtomic writes path (mode 0600) through a temporary file in the same
// directory: fill writes it, the file is synced and closed, check (if not
// nil) examines it by name, and only then is it renamed to path and the
// directory synced. On error the temporary file is removed.
func writeAtomic(path string, fill func(*os.File) (int64, error), check func(name string) error) (int64, error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".mailnet-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	n, err := fill(tmp)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil && check != nil {
		err = check(tmp.Name())
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err == nil {
		err = syncDir(dir)
	}
	if err != nil {
		return 0, err
	}
	return n, nil
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	if err := d.Sync(); err != nil {
		d.Close()
		return err
	}
	return d.Close()
}

// Restore copies the backup at src (a file BackupFile wrote) to path,
// which must not exist, and checks that the copy opens as a store. The
// copy is written to a temporary file beside path, synced, opened and
// closed, then renamed: path is either absent or a complete store. The
// caller must make sure no server uses path's directory.
func Restore(src, path string) (int64, error) {
	if _, err := os.Stat(path); err == nil {
		return 0, fmt.Errorf("restore: %s: %w", path, ErrExists)
	}
	n, err := restoreCopy(src, path)
	if err != nil {
		return 0, fmt.Errorf("restore %s: %w", src, err)
	}
	return n, nil
}

func restoreCopy(src, path string) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return 0, err
	}
	return writeAtomic(path, func(f *os.File) (int64, error) { return io.Copy(f, in) }, func(name string) error {
		db, err := Open(name, Options{})
		if err != nil {
			return fmt.Errorf("not a mailnet store: %w", err)
		}
		return db.Close()
	})
}
