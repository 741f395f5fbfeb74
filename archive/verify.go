package archive

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"mailnet/storage"
)

// VerifyExport checks the export in dir without any store (see the
// package documentation) and returns its manifest. The first problem found
// is an error matching ErrBadExport that names the entry. progress, if not
// nil, is called now and then with the entries checked and the total.
func VerifyExport(dir string, progress func(done, total uint64)) (Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if err != nil {
		return Manifest{}, fmt.Errorf("verify export: %w", err)
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return Manifest{}, fmt.Errorf("%w: manifest: %v", ErrBadExport, err)
	}
	if m.Format != formatName {
		return Manifest{}, fmt.Errorf("%w: unknown format %q", ErrBadExport, m.Format)
	}
	mbox, err := os.Open(filepath.Join(dir, MboxFile))
	if err != nil {
		return Manifest{}, fmt.Errorf("verify export: %w", err)
	}
	defer mbox.Close()
	if err := verifyEntries(m, mbox, progress); err != nil {
		return Manifest{}, err
	}
	return m, nil
}

func verifyEntries(m Manifest, mbox io.ReaderAt, progress func(done, total uint64)) error {
	bad := func(seq uint64, format string, args ...any) error {
		return fmt.Errorf("%w: entry %d: %s", ErrBadExport, seq, fmt.Sprintf(format, args...))
	}
	var prev storage.ArchiveEntry
	var messages uint64
	for i, x := range m.Entries {
		e, err := x.chained()
		if err != nil {
			return fmt.Errorf("%w: %v", ErrBadExport, err)
		}
		switch {
		case i > 0 && e.Seq <= prev.Seq:
			return bad(e.Seq, "out of order after %d", prev.Seq)
		case e.ComputeHash() != e.Hash:
			return bad(e.Seq, "content does not match its hash")
		case i > 0 && e.Seq == prev.Seq+1 && e.Prev != prev.Hash:
			return bad(e.Seq, "previous hash does not match entry %d", prev.Seq)
		case e.Seq > m.HeadSeq:
			return bad(e.Seq, "after the recorded chain head %d", m.HeadSeq)
		}
		if x.Length > 0 {
			if err := checkMessage(mbox, x, e); err != nil {
				return bad(e.Seq, "%v", err)
			}
			messages++
		} else if e.Direction != storage.DirectionTombstone && x.PurgedBy == 0 {
			return bad(e.Seq, "message missing from the mbox")
		}
		prev = e
		if progress != nil && (i%256 == 255 || i == len(m.Entries)-1) {
			progress(uint64(i+1), uint64(len(m.Entries)))
		}
	}
	if messages != m.Messages {
		return fmt.Errorf("%w: %d messages in the mbox, manifest says %d", ErrBadExport, messages, m.Messages)
	}
	full := m.Filter == (storage.ArchiveFilter{})
	if full && m.HeadSeq > 0 && (prev.Seq != m.HeadSeq || prev.Hash.String() != m.Head) {
		return fmt.Errorf("%w: the export ends at entry %d, not at the chain head %d", ErrBadExport, prev.Seq, m.HeadSeq)
	}
	return nil
}

// checkMessage reads x's message from the mbox and compares it with e.
func checkMessage(mbox io.ReaderAt, x Entry, e storage.ArchiveEntry) error {
	if x.Offset < 0 || x.Length < 0 || x.Length > 1<<31 {
		return fmt.Errorf("bad mbox location %d+%d", x.Offset, x.Length)
	}
	quoted := make([]byte, x.Length)
	if _, err := mbox.ReadAt(quoted, x.Offset); err != nil {
		return fmt.Errorf("mbox: %v", err)
	}
	raw := unquote(quoted)
	if int64(len(raw)) != e.Size || storage.Hash(sha256.Sum256(raw)) != e.Blob {
		return fmt.Errorf("message in the mbox does not match its SHA-256")
	}
	return nil
}
