package imapd

import (
	"context"
	"fmt"
	"testing"

	"github.com/emersion/go-imap/v2/imapclient"

	"mailnet/auth"
	"mailnet/storage"
)

// BenchmarkListDirectory measures LIST in an organisation of 500
// counsellors (50 teams of 10) and 50,000 clients (100 each), as a
// counsellor sees it:
//
//	go test -run '^$' -bench ListDirectory ./server/imapd
//
// "all" is LIST "" "*" (own folders, team colleagues, own clients'
// cases, dispatch, answers); "case prefix" finds clients by ID prefix.
func BenchmarkListDirectory(b *testing.B) {
	var reader string
	env, stop := startIMAPWith(b, b.TempDir()+"/mailnet.db", func(db *storage.DB) Config {
		reader = populateDirectory(b, db)
		return Config{ShareScope: auth.ScopeAgency}
	})
	b.Cleanup(stop)
	c, err := imapclient.DialTLS(env.tlsAddr, &imapclient.Options{TLSConfig: env.clientTLS})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if err := c.Login(reader, testPassword).Wait(); err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct{ name, pattern string }{{"all", "*"}, {"case prefix", "Cases/J0005*"}, {"colleague prefix", "Shared/c005*"}} {
		b.Run(bc.name, func(b *testing.B) {
			n := 0
			for b.Loop() {
				items, err := c.List("", bc.pattern, nil).Collect()
				if err != nil {
					b.Fatal(err)
				}
				n = len(items)
			}
			b.ReportMetric(float64(n), "entries")
		})
	}
}

// populateDirectory creates 500 counsellor accounts in 50 teams of 5
// agencies and 50,000 clients, and returns the address of a counsellor
// of team T00.
func populateDirectory(b *testing.B, db *storage.DB) string {
	b.Helper()
	ctx := context.Background()
	hash, err := auth.HashPasswordParams(testPassword, cheap)
	if err != nil {
		b.Fatal(err)
	}
	var batch storage.CaseloadBatch
	for t := range 50 {
		batch.Teams = append(batch.Teams, storage.Team{ID: fmt.Sprintf("T%02d", t), Agency: fmt.Sprintf("A%d", t%5)})
	}
	for i := range 500 {
		addr := fmt.Sprintf("c%04d@mailnet.test", i)
		if _, err := db.CreateAccount(ctx, storage.Account{Address: addr, Role: storage.RoleCounsellor, PasswordHash: hash}); err != nil {
			b.Fatal(err)
		}
		batch.Counsellors = append(batch.Counsellors, storage.Counsellor{Address: addr, Kind: storage.ServesJobseekers, Team: fmt.Sprintf("T%02d", i/10)})
	}
	for j := range 50_000 {
		batch.Clients = append(batch.Clients, storage.Client{ID: fmt.Sprintf("J%05d", j), Kind: storage.ClientJobseeker,
			Name: fmt.Sprintf("Client %d", j), Counsellor: fmt.Sprintf("c%04d@mailnet.test", j%500)})
	}
	if _, err := db.ImportCaseload(ctx, batch, "bench", false); err != nil {
		b.Fatal(err)
	}
	return "c0000@mailnet.test"
}
