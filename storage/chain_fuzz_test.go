package storage

import "testing"

// FuzzDecodeEntries: any stored bytes decode to an entry or an error,
// never a panic, and an entry that decodes encodes back to the same bytes.
func FuzzDecodeEntries(f *testing.F) {
	a := ArchiveEntry{Direction: DirectionIn, From: "a@b", To: []string{"c@d"}, Client: "J1", Size: 3}
	f.Add(a.encode())
	au := AuditEntry{Actor: "a@b", Action: "fetch", UIDs: []uint32{1, 2}}
	f.Add(au.encode())
	// A length in a longer form than needed is not canonical: refused.
	empty := (&ArchiveEntry{}).encode()
	f.Add(append(append(append([]byte{}, empty[:9]...), 0x80, 0x00), empty[10:]...))
	f.Fuzz(func(t *testing.T, body []byte) {
		if e, err := decodeArchive(link{seq: 1, body: body}); err == nil {
			if got := e.encode(); string(got) != string(body) {
				t.Fatalf("archive entry %x re-encodes as %x", body, got)
			}
		}
		if e, err := decodeAudit(link{seq: 1, body: body}); err == nil {
			if got := e.encode(); string(got) != string(body) {
				t.Fatalf("audit entry %x re-encodes as %x", body, got)
			}
		}
	})
}
