package storage

import (
	"context"
	"errors"
	"strings"
	"testing"
)

const (
	testBoss  = "boss@mailnet.test"
	testMarie = "marie@mailnet.test"
	testPaul  = "paul@mailnet.test"
	testAnne  = "anne@mailnet.test"
)

// testCaseload is a small valid batch; accounts for its people come from
// newCaseloadDB.
func testCaseload() CaseloadBatch {
	return CaseloadBatch{
		Teams: []Team{{ID: "T1", Agency: "Lyon Part-Dieu", Name: "Emploi", Managers: []string{testBoss}}},
		Counsellors: []Counsellor{
			{Address: testMarie, Kind: ServesJobseekers, Team: "T1", Expertise: []string{"benefits"}},
			{Address: testPaul, Kind: ServesEmployers, Team: "T1"},
			{Address: testAnne, Kind: ServesJobseekers, Team: "T1", Expertise: []string{"youth", "training"}},
		},
		Clients: []Client{
			{ID: "J1", Kind: ClientJobseeker, Name: "Jean", Emails: []string{"Jean@Example.org"}, Counsellor: testMarie},
			{ID: "E1", Kind: ClientEmployer, Name: "ACME", Emails: []string{"rh@acme.fr"}, Domains: []string{"acme.fr"}, Counsellor: testPaul},
		},
	}
}

// newCaseloadDB returns a store holding the accounts of testCaseload; with
// imported set, the batch is imported too.
func newCaseloadDB(t *testing.T, imported bool) *DB {
	t.Helper()
	db := newTestDB(t)
	for _, a := range []string{testBoss, testMarie, testPaul, testAnne} {
		newTestAccount(t, db, a)
	}
	if imported {
		if _, err := db.ImportCaseload(context.Background(), testCaseload(), "import", false); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestImportCaseloadCounts(t *testing.T) {
	t.Parallel()
	db := newCaseloadDB(t, false)
	ctx := context.Background()
	changed := testCaseload()
	changed.Clients[0].Name = "Jean Martin"
	changed.Clients = append(changed.Clients, Client{ID: "J2", Kind: ClientJobseeker, Emails: []string{"zoe@example.org"}, Counsellor: testAnne})

	steps := []struct {
		name                     string
		batch                    CaseloadBatch
		teams, counsellors, clis ImportCounts
		changes                  int
	}{
		{"first", testCaseload(), ImportCounts{Created: 1}, ImportCounts{Created: 3}, ImportCounts{Created: 2}, 6},
		{"again", testCaseload(), ImportCounts{Unchanged: 1}, ImportCounts{Unchanged: 3}, ImportCounts{Unchanged: 2}, 0},
		{"changed", changed, ImportCounts{Unchanged: 1}, ImportCounts{Unchanged: 3}, ImportCounts{Created: 1, Updated: 1, Unchanged: 1}, 2},
		{"changed again", changed, ImportCounts{Unchanged: 1}, ImportCounts{Unchanged: 3}, ImportCounts{Unchanged: 3}, 0},
	}
	// Steps depend on each other: run them in order.
	var logged int
	for _, st := range steps {
		rep, err := db.ImportCaseload(ctx, st.batch, "import", false)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if rep.Teams != st.teams || rep.Counsellors != st.counsellors || rep.Clients != st.clis {
			t.Errorf("%s: report %+v %+v %+v", st.name, rep.Teams, rep.Counsellors, rep.Clients)
		}
		if rep.Changed() != st.changes || len(rep.Changes) != st.changes {
			t.Errorf("%s: Changed() = %d, %d entries, want %d", st.name, rep.Changed(), len(rep.Changes), st.changes)
		}
		logged += st.changes
		log, err := db.Changes(ctx, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(log) != logged {
			t.Errorf("%s: change log has %d entries, want %d", st.name, len(log), logged)
		}
	}
	c, err := db.ClientByEmail(ctx, "JEAN@example.org")
	if err != nil || c.ID != "J1" || c.Name != "Jean Martin" {
		t.Fatalf("ClientByEmail = %+v, %v", c, err)
	}
	if c, err := db.ClientByDomain(ctx, "ACME.fr"); err != nil || c.ID != "E1" {
		t.Fatalf("ClientByDomain = %+v, %v", c, err)
	}
}

func TestImportCaseloadChangeLog(t *testing.T) {
	t.Parallel()
	db := newCaseloadDB(t, true)
	ctx := context.Background()
	log, err := db.Changes(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"team.create", "counsellor.create", "counsellor.create", "counsellor.create", "client.create", "client.create"}
	if len(log) != len(want) {
		t.Fatalf("got %d changes, want %d", len(log), len(want))
	}
	for i, ch := range log {
		if ch.Seq != uint64(i+1) || ch.Action != want[i] || ch.Actor != "import" || ch.Time.IsZero() {
			t.Errorf("change %d = %+v", i, ch)
		}
	}
	page, err := db.Changes(ctx, 2, 3)
	if err != nil || len(page) != 3 || page[0].Seq != 3 {
		t.Fatalf("Changes(2, 3) = %+v, %v", page, err)
	}
}

func TestImportCaseloadDryRun(t *testing.T) {
	t.Parallel()
	db := newCaseloadDB(t, false)
	ctx := context.Background()
	rep, err := db.ImportCaseload(ctx, testCaseload(), "import", true)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.DryRun || rep.Clients.Created != 2 || rep.Changed() != 6 || len(rep.Changes) != 6 {
		t.Fatalf("dry run report = %+v", rep)
	}
	teams, err := db.Teams(ctx)
	if err != nil || len(teams) != 0 {
		t.Fatalf("teams after dry run = %v, %v", teams, err)
	}
	if _, err := db.ClientByEmail(ctx, "jean@example.org"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("client after dry run: %v", err)
	}
	if log, err := db.Changes(ctx, 0, 0); err != nil || len(log) != 0 {
		t.Fatalf("change log after dry run = %v, %v", log, err)
	}
	// The change counter was rolled back too.
	rep, err = db.ImportCaseload(ctx, testCaseload(), "import", false)
	if err != nil || rep.Changes[0].Seq != 1 {
		t.Fatalf("import after dry run: %+v, %v", rep.Changes, err)
	}
}

func TestImportCaseloadInvalid(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		edit   func(b *CaseloadBatch)
		is     []error
		naming []string
	}{
		{"counsellor without account", func(b *CaseloadBatch) {
			b.Counsellors = append(b.Counsellors, Counsellor{Address: "ghost@mailnet.test", Kind: ServesJobseekers, Team: "T1"})
		}, []error{ErrNotFound}, []string{"ghost@mailnet.test has no account"}},
		{"client counsellor missing", func(b *CaseloadBatch) {
			b.Clients[0].Counsellor = "nobody@mailnet.test"
		}, []error{ErrNotFound}, []string{"client J1", "nobody@mailnet.test"}},
		{"email in two clients", func(b *CaseloadBatch) {
			b.Clients[1].Emails = append(b.Clients[1].Emails, "jean@example.org")
		}, []error{ErrConflict}, []string{"jean@example.org", "J1", "E1"}},
		{"bad kind", func(b *CaseloadBatch) { b.Clients[0].Kind = "student" }, []error{ErrInvalidCaseload}, []string{"student"}},
		{"unknown team", func(b *CaseloadBatch) { b.Counsellors[0].Team = "T9" }, []error{ErrNotFound}, []string{"T9"}},
		{"all together", func(b *CaseloadBatch) {
			b.Counsellors = append(b.Counsellors, Counsellor{Address: "ghost@mailnet.test", Kind: ServesJobseekers, Team: "T1"})
			b.Clients[0].Counsellor = "nobody@mailnet.test"
			b.Clients[1].Domains = nil
			b.Clients[1].Emails = []string{"jean@example.org"}
		}, []error{ErrNotFound, ErrConflict}, []string{"ghost@mailnet.test", "nobody@mailnet.test", "jean@example.org"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := newCaseloadDB(t, false)
			ctx := context.Background()
			b := testCaseload()
			tc.edit(&b)
			_, err := db.ImportCaseload(ctx, b, "import", false)
			if err == nil {
				t.Fatal("import succeeded")
			}
			for _, target := range tc.is {
				if !errors.Is(err, target) {
					t.Errorf("error %v is not %v", err, target)
				}
			}
			for _, s := range tc.naming {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not name %q", err, s)
				}
			}
			// All or nothing: the valid entries were not written either.
			if teams, err := db.Teams(ctx); err != nil || len(teams) != 0 {
				t.Errorf("teams after failed import = %v, %v", teams, err)
			}
			if cs, err := db.Counsellors(ctx); err != nil || len(cs) != 0 {
				t.Errorf("counsellors after failed import = %v, %v", cs, err)
			}
		})
	}
}

func TestImportCaseloadEmailOwnership(t *testing.T) {
	t.Parallel()
	db := newCaseloadDB(t, true)
	ctx := context.Background()
	thief := CaseloadBatch{Clients: []Client{{ID: "J9", Kind: ClientJobseeker, Emails: []string{"jean@example.org"}, Counsellor: testAnne}}}
	_, err := db.ImportCaseload(ctx, thief, "import", false)
	if !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "J1") || !strings.Contains(err.Error(), "J9") {
		t.Fatalf("conflicting email: err = %v", err)
	}
	// Moving the address is fine when the old owner lets go in the same batch.
	move := CaseloadBatch{Clients: []Client{
		thief.Clients[0],
		{ID: "J1", Kind: ClientJobseeker, Name: "Jean", Emails: []string{"jean.new@example.org"}, Counsellor: testMarie},
	}}
	if _, err := db.ImportCaseload(ctx, move, "import", false); err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]string{"jean@example.org": "J9", "jean.new@example.org": "J1"} {
		if c, err := db.ClientByEmail(ctx, addr); err != nil || c.ID != want {
			t.Errorf("ClientByEmail(%s) = %+v, %v; want %s", addr, c, err, want)
		}
	}
}

func TestImportCaseloadKeepsServiceAddresses(t *testing.T) {
	t.Parallel()
	db := newCaseloadDB(t, false)
	ctx := context.Background()
	b := testCaseload()
	b.Teams[0].ServiceAddresses = []string{"contact@mailnet.test"}
	if _, err := db.ImportCaseload(ctx, b, "import", false); err != nil {
		t.Fatal(err)
	}
	rep, err := db.ImportCaseload(ctx, testCaseload(), "import", false)
	if err != nil || rep.Changed() != 0 {
		t.Fatalf("re-import without service addresses: %+v, %v", rep, err)
	}
	team, err := db.Team(ctx, "T1")
	if err != nil || len(team.ServiceAddresses) != 1 {
		t.Fatalf("team = %+v, %v", team, err)
	}
}
