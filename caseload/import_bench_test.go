package caseload

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"mailnet/storage"
)

// benchCSV generates rows clients spread over counsellors counsellors in
// teams of 20.
func benchCSV(rows, counsellors int) []byte {
	var buf bytes.Buffer
	buf.WriteString("client_id;client_kind;client_name;client_emails;employer_domains;counsellor_email;counsellor_kind;team_id;team_name;agency;manager_emails;expertise\n")
	for i := range rows {
		c := i % counsellors
		team := c / 20
		if i%10 == 0 {
			fmt.Fprintf(&buf, "E%07d;employer;Entreprise %d;rh%d@ent%d.fr;ent%d.fr;emp%d@mailnet.test;employers;T%d;Equipe %d;Agence;boss%d@mailnet.test;\n",
				i, i, i, i, i, c, team, team, team)
			continue
		}
		fmt.Fprintf(&buf, "J%07d;jobseeker;\"Nom, Prénom %d\";j%d@example.org;;js%d@mailnet.test;jobseekers;T%d;Equipe %d;Agence;boss%d@mailnet.test;benefits youth\n",
			i, i, i, c, team, team, team)
	}
	return buf.Bytes()
}

// benchAccounts creates the accounts the generated batch refers to.
func benchAccounts(b *testing.B, db *storage.DB, batch storage.CaseloadBatch) {
	b.Helper()
	ctx := context.Background()
	seen := map[string]bool{}
	add := func(addr string) {
		if seen[addr] {
			return
		}
		seen[addr] = true
		if _, err := db.CreateAccount(ctx, storage.Account{Address: addr, Role: storage.RoleCounsellor, PasswordHash: "x"}); err != nil {
			b.Fatal(err)
		}
	}
	for _, t := range batch.Teams {
		for _, m := range t.Managers {
			add(m)
		}
	}
	for _, c := range batch.Counsellors {
		add(c.Address)
	}
}

// BenchmarkImport100k parses and imports 100,000 rows into a fresh store
// and reports rows per second.
func BenchmarkImport100k(b *testing.B) {
	const rows, counsellors = 100_000, 400
	data := benchCSV(rows, counsellors)
	ctx := context.Background()
	var elapsed time.Duration
	for i := 0; b.Loop(); i++ {
		b.StopTimer()
		db, err := storage.Open(filepath.Join(b.TempDir(), fmt.Sprintf("bench%d.db", i)), storage.Options{})
		if err != nil {
			b.Fatal(err)
		}
		setup, err := ParseCSV(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		benchAccounts(b, db, setup)
		b.StartTimer()
		start := time.Now()
		batch, err := ParseCSV(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		rep, err := db.ImportCaseload(ctx, batch, "bench", false)
		if err != nil {
			b.Fatal(err)
		}
		elapsed += time.Since(start)
		b.StopTimer()
		if rep.Clients.Created != rows {
			b.Fatalf("created %d clients, want %d", rep.Clients.Created, rows)
		}
		if err := db.Close(); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(rows*b.N)/elapsed.Seconds(), "rows/s")
}
