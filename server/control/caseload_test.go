package control

import (
	"context"
	"errors"
	"testing"
	"time"

	"mailnet/storage"
)

// caseloadFixture returns a socket client on a store with accounts for
// two teams' counsellors and a manager, and the batch that imports them.
func caseloadFixture(t *testing.T) (*Local, *Client, storage.CaseloadBatch) {
	t.Helper()
	local, dir := newTestOps(t)
	local.Now = func() time.Time { return time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC) }
	ctx := context.Background()
	for _, a := range []string{"marie@mailnet.test", "paul@mailnet.test", "zoe@mailnet.test", "boss@mailnet.test"} {
		if _, err := local.AddUser(ctx, AddUserRequest{Address: a}); err != nil {
			t.Fatal(err)
		}
	}
	c, err := Dial(serveSocket(t, local, dir))
	if err != nil {
		t.Fatal(err)
	}
	batch := storage.CaseloadBatch{
		Teams: []storage.Team{{ID: "T1", Name: "Emploi", Managers: []string{"boss@mailnet.test"}}, {ID: "T2"}},
		Counsellors: []storage.Counsellor{
			{Address: "marie@mailnet.test", Kind: storage.ServesJobseekers, Team: "T1"},
			{Address: "paul@mailnet.test", Kind: storage.ServesEmployers, Team: "T1"},
			{Address: "zoe@mailnet.test", Kind: storage.ServesJobseekers, Team: "T2"},
		},
		Clients: []storage.Client{
			{ID: "J1", Kind: storage.ClientJobseeker, Emails: []string{"jean@example.org"}, Counsellor: "marie@mailnet.test"},
			{ID: "E1", Kind: storage.ClientEmployer, Domains: []string{"acme.fr"}, Counsellor: "paul@mailnet.test"},
		},
	}
	return local, c, batch
}

func TestCaseloadImportOverSocket(t *testing.T) {
	t.Parallel()
	_, c, batch := caseloadFixture(t)
	ctx := context.Background()
	rep, err := c.ImportCaseload(ctx, batch, "test", true)
	if err != nil || !rep.DryRun || rep.Clients.Created != 2 || len(rep.Changes) != 7 {
		t.Fatalf("dry run = %+v, %v", rep, err)
	}
	if _, err := c.ShowClient(ctx, "J1"); !errors.Is(err, ErrNoSuchClient) {
		t.Fatalf("dry run wrote: %v", err)
	}
	if rep, err = c.ImportCaseload(ctx, batch, "test", false); err != nil || rep.Teams.Created != 2 || rep.Counsellors.Created != 3 {
		t.Fatalf("import = %+v, %v", rep, err)
	}
	if rep, err = c.ImportCaseload(ctx, batch, "test", false); err != nil || rep.Changed() != 0 || rep.Clients.Unchanged != 2 {
		t.Fatalf("second import = %+v, %v", rep, err)
	}
	bad := batch
	bad.Clients = []storage.Client{{ID: "J9", Kind: "robot", Counsellor: "nobody@mailnet.test"}}
	_, err = c.ImportCaseload(ctx, bad, "test", false)
	if !errors.Is(err, ErrInvalidCaseload) || !errors.Is(err, storage.ErrInvalidCaseload) || !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("bad import: %v, want ErrInvalidCaseload wrapping the storage sentinels", err)
	}
}

func TestCaseloadOpsOverSocket(t *testing.T) {
	t.Parallel()
	local, c, batch := caseloadFixture(t)
	ctx := context.Background()
	if _, err := local.ImportCaseload(ctx, batch, "test", false); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"J1", "Jean@Example.org", "E1", "acme.fr", "rh@acme.fr"} {
		if v, err := c.ShowClient(ctx, key); err != nil || v.Counsellor.Team != "T1" {
			t.Errorf("ShowClient(%q) = %+v, %v", key, v, err)
		}
	}
	if _, err := c.ShowClient(ctx, "nobody@example.org"); !errors.Is(err, ErrNoSuchClient) {
		t.Errorf("ShowClient unknown: %v", err)
	}
	if err := c.AssignClient(ctx, "J1", "zoe@mailnet.test", "test"); err != nil {
		t.Fatal(err)
	}
	if err := c.AssignClient(ctx, "J1", "nobody@mailnet.test", "test"); !errors.Is(err, ErrNoSuchCounsellor) {
		t.Errorf("assign to unknown counsellor: %v", err)
	}
	if err := c.AssignClient(ctx, "J7", "marie@mailnet.test", "test"); !errors.Is(err, ErrNoSuchClient) {
		t.Errorf("assign unknown client: %v", err)
	}
	if err := c.AssignClient(ctx, "J1", "marie@mailnet.test", "test"); err != nil {
		t.Fatal(err)
	}

	from, to := local.Now().Add(-time.Hour), local.Now().Add(48*time.Hour)
	abs := storage.Absence{Counsellor: "marie@mailnet.test", Substitute: "zoe@mailnet.test", From: from, To: to, SetBy: "test"}
	if _, err := c.SetAbsence(ctx, abs); !errors.Is(err, ErrWrongTeam) {
		t.Fatalf("substitute of another team: %v", err)
	}
	abs.Substitute = "paul@mailnet.test"
	abs.To = from
	if _, err := c.SetAbsence(ctx, abs); !errors.Is(err, ErrInvalidCaseload) {
		t.Fatalf("absence ending before it starts: %v", err)
	}
	abs.To = to
	id, err := c.SetAbsence(ctx, abs)
	if err != nil {
		t.Fatal(err)
	}
	v, err := c.ShowClient(ctx, "J1")
	if err != nil || v.Absence == nil || v.Absence.ID != id || v.Absence.Substitute != "paul@mailnet.test" {
		t.Fatalf("ShowClient during absence = %+v, %v", v, err)
	}
	if list, err := c.Absences(ctx, "marie@mailnet.test"); err != nil || len(list) != 1 {
		t.Fatalf("Absences = %+v, %v", list, err)
	}
	if err := c.EndAbsence(ctx, id, "test"); err != nil {
		t.Fatal(err)
	}
	if err := c.EndAbsence(ctx, 99, "test"); !errors.Is(err, ErrNoSuchAbsence) {
		t.Fatalf("end unknown absence: %v", err)
	}
	if v, err := c.ShowClient(ctx, "J1"); err != nil || v.Absence != nil {
		t.Fatalf("ShowClient after the absence = %+v, %v", v, err)
	}

	if err := c.LinkCase(ctx, storage.CaseLink{Client: "J1", Expert: "zoe@mailnet.test", Reason: "youth", SetBy: "test"}); err != nil {
		t.Fatal(err)
	}
	if v, err := c.ShowClient(ctx, "J1"); err != nil || len(v.Links) != 1 || v.Links[0].Reason != "youth" {
		t.Fatalf("ShowClient with link = %+v, %v", v, err)
	}
	if err := c.UnlinkCase(ctx, "J1", "zoe@mailnet.test", "test"); err != nil {
		t.Fatal(err)
	}
	if err := c.UnlinkCase(ctx, "J1", "zoe@mailnet.test", "test"); !errors.Is(err, ErrNoSuchCaseLink) {
		t.Fatalf("second unlink: %v", err)
	}
	all, err := c.Changes(ctx, 0, 0)
	if err != nil || len(all) == 0 {
		t.Fatalf("Changes = %v, %v", all, err)
	}
	last := all[len(all)-1]
	if last.Action != "case.unlink" || last.Actor != "test" {
		t.Errorf("last change = %+v", last)
	}
	if tail, err := c.Changes(ctx, last.Seq-1, 5); err != nil || len(tail) != 1 || tail[0].Seq != last.Seq {
		t.Errorf("Changes since %d = %+v, %v", last.Seq-1, tail, err)
	}
}
