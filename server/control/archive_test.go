package control

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"mailnet/storage"
)

// TestArchiveThroughSocket verifies, exports and purges through the
// socket: the progress of each reaches the client before the reply, the
// export is audited, a broken chain comes back as an error.
func TestArchiveThroughSocket(t *testing.T) {
	t.Parallel()
	local, dir := newTestOps(t)
	ctx := context.Background()
	for i := range 3 {
		raw := fmt.Sprintf("From: jean@example.org\r\nSubject: m%d\r\n\r\nBonjour.\r\n", i)
		in := storage.Incoming{Raw: []byte(raw), Archive: &storage.ArchiveInfo{Direction: storage.DirectionIn, Client: "J1"}}
		if _, err := local.DB.Deliver(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Dial(serveSocket(t, local, dir))
	if err != nil {
		t.Fatal(err)
	}
	var last Progress
	calls := 0
	pctx := WithProgress(ctx, func(done, total uint64) {
		calls++
		last = Progress{done, total}
	})
	rep, err := c.VerifyArchive(pctx, storage.Anchor{})
	if err != nil || rep.Messages != 3 {
		t.Fatalf("verify: %+v, %v", rep, err)
	}
	if calls == 0 || last.Done != last.Total || last.Total != 6 {
		t.Fatalf("progress: %d calls, last %+v; want a final 6/6", calls, last)
	}
	res, err := c.ExportArchive(pctx, ExportRequest{Filter: storage.ArchiveFilter{Client: "J1"}, Dir: filepath.Join(t.TempDir(), "x"), Actor: "cli:test"})
	if err != nil || res.Messages != 3 || res.Audit != 1 {
		t.Fatalf("export: %+v, %v", res, err)
	}
	audit, err := c.AuditEntries(ctx, storage.AuditFilter{Client: "J1"})
	if err != nil || len(audit) != 1 || audit[0].Action != "export" || audit[0].Mailbox != "Cases/J1" || len(audit[0].UIDs) != 3 {
		t.Fatalf("audit: %+v, %v", audit, err)
	}
	wrong := storage.Anchor{Seq: 3, Hash: storage.Hash{1}}
	if _, err := c.VerifyArchive(ctx, wrong); err == nil || !strings.Contains(err.Error(), "rewritten") {
		t.Fatalf("verify with a wrong anchor: %v", err)
	}
	if err := c.SetHold(ctx, "", true, "cli:test"); !errors.Is(err, storage.ErrInvalidEntry) {
		t.Fatalf("hold without a client: %v, want storage.ErrInvalidEntry", err)
	}
}
