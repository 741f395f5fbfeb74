package archive

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"mailnet/storage"
)

// File names in an export directory.
const (
	MboxFile     = "archive.mbox"
	ManifestFile = "manifest.json"
	formatName   = "mailnet-archive-export-1"
)

// Sentinel errors.
var (
	// ErrNotEmpty reports an export directory that already holds files.
	ErrNotEmpty = errors.New("archive: export directory is not empty")
	// ErrBadExport reports an export that does not verify: the message
	// names the first problem.
	ErrBadExport = errors.New("archive: export does not verify")
)

// Store is what Export reads (*storage.DB implements it).
type Store interface {
	WalkArchive(ctx context.Context, f storage.ArchiveFilter, fn func(e storage.ArchiveEntry, raw []byte) error) error
	ArchiveHead(ctx context.Context) (uint64, storage.Hash, error)
}

// Manifest describes an export. Hashes are lower-case hex.
type Manifest struct {
	Format  string                `json:"format"`
	Created time.Time             `json:"created"`
	Filter  storage.ArchiveFilter `json:"filter"`
	// HeadSeq and Head are the archive's last entry when the export began.
	HeadSeq uint64  `json:"head_seq"`
	Head    string  `json:"head"`
	Entries []Entry `json:"entries"`
	// Messages and Bytes count the messages written to the mbox.
	Messages uint64 `json:"messages"`
	Bytes    int64  `json:"bytes"`
}

// Entry is one exported archive entry.
type Entry struct {
	Seq        uint64    `json:"seq"`
	Time       time.Time `json:"time"`
	Direction  string    `json:"direction"`
	From       string    `json:"from,omitempty"`
	To         []string  `json:"to,omitempty"`
	Client     string    `json:"client,omitempty"`
	Counsellor string    `json:"counsellor,omitempty"`
	Blob       string    `json:"blob"`
	Size       int64     `json:"size"`
	Purged     uint64    `json:"purged,omitempty"`
	Reason     string    `json:"reason,omitempty"`
	Prev       string    `json:"prev"`
	Hash       string    `json:"hash"`
	// PurgedBy is the tombstone of a message whose content is gone (not
	// in the mbox).
	PurgedBy uint64 `json:"purged_by,omitempty"`
	// Offset and Length locate the message, as quoted in the mbox, after
	// its "From " line; both are zero when it is not in the mbox.
	Offset int64 `json:"offset,omitempty"`
	Length int64 `json:"length,omitempty"`
}

func entryOf(e storage.ArchiveEntry) Entry {
	return Entry{Seq: e.Seq, Time: e.Time, Direction: e.Direction, From: e.From, To: e.To, Client: e.Client,
		Counsellor: e.Counsellor, Blob: e.Blob.String(), Size: e.Size, Purged: e.Purged, Reason: e.Reason,
		Prev: e.Prev.String(), Hash: e.Hash.String(), PurgedBy: e.PurgedBy}
}

// chained returns the storage entry whose hash e claims, or an error if a
// hash field is not hex.
func (e Entry) chained() (storage.ArchiveEntry, error) {
	out := storage.ArchiveEntry{Seq: e.Seq, Time: e.Time, Direction: e.Direction, From: e.From, To: e.To, Client: e.Client,
		Counsellor: e.Counsellor, Size: e.Size, Purged: e.Purged, Reason: e.Reason}
	for _, f := range []struct {
		s   string
		dst *storage.Hash
	}{{e.Blob, &out.Blob}, {e.Prev, &out.Prev}, {e.Hash, &out.Hash}} {
		h, err := storage.ParseHash(f.s)
		if err != nil {
			return storage.ArchiveEntry{}, fmt.Errorf("entry %d: %w", e.Seq, err)
		}
		*f.dst = h
	}
	return out, nil
}

// Export writes the entries f selects to dir (created if needed; it must
// be empty): archive.mbox and manifest.json, each synced. progress, if not
// nil, is called with the entries written (total unknown: 0).
func Export(ctx context.Context, st Store, f storage.ArchiveFilter, dir string, now time.Time, progress func(done, total uint64)) (Manifest, error) {
	if err := emptyDir(dir); err != nil {
		return Manifest{}, err
	}
	headSeq, head, err := st.ArchiveHead(ctx)
	if err != nil {
		return Manifest{}, fmt.Errorf("export: %w", err)
	}
	m := Manifest{Format: formatName, Created: now.UTC(), Filter: f, HeadSeq: headSeq, Head: head.String(), Entries: []Entry{}}
	mbox, err := os.OpenFile(filepath.Join(dir, MboxFile), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return Manifest{}, fmt.Errorf("export: %w", err)
	}
	buf := bufio.NewWriterSize(mbox, 1<<16)
	w := &countWriter{w: buf}
	err = st.WalkArchive(ctx, f, func(e storage.ArchiveEntry, raw []byte) error {
		if e.Seq > headSeq {
			return nil // archived after the head was read: next export
		}
		x := entryOf(e)
		if raw != nil {
			var err error
			if x.Offset, x.Length, err = writeMessage(w, e, raw); err != nil {
				return err
			}
			m.Messages++
			m.Bytes += int64(len(raw))
		}
		m.Entries = append(m.Entries, x)
		if progress != nil && len(m.Entries)%256 == 0 {
			progress(uint64(len(m.Entries)), 0)
		}
		return nil
	})
	if err == nil {
		err = buf.Flush()
	}
	if err == nil {
		err = mbox.Sync()
	}
	if cerr := mbox.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = writeManifest(dir, m)
	}
	if err != nil {
		return Manifest{}, fmt.Errorf("export to %s: %w", dir, err)
	}
	return m, nil
}

// emptyDir creates dir if needed and fails with ErrNotEmpty when it holds
// anything.
func emptyDir(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	names, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if len(names) > 0 {
		return fmt.Errorf("%w: %s", ErrNotEmpty, dir)
	}
	return nil
}

func writeManifest(dir string, m Manifest) error {
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, ManifestFile), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(append(data, '\n'))
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// writeMessage writes one mboxrd message: the "From " line (envelope
// sender, MAILER-DAEMON for the null sender, and the archive time in
// asctime form), the message with every line matching ^>*From  quoted by
// one more '>', a line end if the message lacks one, and an empty line. It
// returns the offset and length of the quoted message.
func writeMessage(w *countWriter, e storage.ArchiveEntry, raw []byte) (int64, int64, error) {
	sender := e.From
	if sender == "" {
		sender = "MAILER-DAEMON"
	}
	if _, err := fmt.Fprintf(w, "From %s %s\n", sender, e.Time.UTC().Format(time.ANSIC)); err != nil {
		return 0, 0, err
	}
	start := w.n
	if _, err := w.Write(quote(raw)); err != nil {
		return 0, 0, err
	}
	length := w.n - start
	tail := "\n"
	if len(raw) > 0 && raw[len(raw)-1] != '\n' {
		tail = "\n\n"
	}
	_, err := io.WriteString(w, tail)
	return start, length, err
}
