package control

import (
	"context"
	"fmt"
	"testing"
	"time"

	"mailnet/storage"
)

// TestCaseloadImportLargeOverSocket sends a 100,000-client batch through
// the socket in one request, as `mailnet caseload import` does while the
// server runs.
func TestCaseloadImportLargeOverSocket(t *testing.T) {
	if testing.Short() {
		t.Skip("large import")
	}
	t.Parallel()
	_, c, batch := caseloadFixture(t)
	batch.Clients = batch.Clients[:0]
	for i := range 100_000 {
		batch.Clients = append(batch.Clients, storage.Client{
			ID: fmt.Sprintf("J%06d", i), Kind: storage.ClientJobseeker,
			Emails: []string{fmt.Sprintf("client%06d@example.org", i)}, Counsellor: "marie@mailnet.test",
		})
	}
	start := time.Now()
	rep, err := c.ImportCaseload(context.Background(), batch, "test", false)
	if err != nil || rep.Clients.Created != 100_000 {
		t.Fatalf("import = %+v, %v", rep.Clients, err)
	}
	t.Logf("100,000 clients over the socket in %s", time.Since(start))
}
