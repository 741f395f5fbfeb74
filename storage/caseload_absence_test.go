package storage

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestActiveAbsenceBoundariesAndOverlap(t *testing.T) {
	t.Parallel()
	db := newCaseloadDB(t, true)
	ctx := context.Background()
	day := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	at := func(h, m, s int) time.Time {
		return day.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second)
	}

	whole, err := db.SetAbsence(ctx, Absence{Counsellor: testMarie, From: at(9, 0, 0), To: at(17, 0, 0), Substitute: testAnne, SetBy: testBoss})
	if err != nil {
		t.Fatal(err)
	}
	// Set later, so it wins where the two overlap.
	lunch, err := db.SetAbsence(ctx, Absence{Counsellor: testMarie, From: at(12, 0, 0), To: at(14, 0, 0), Substitute: testPaul, SetBy: testBoss})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		at   time.Time
		want uint64 // 0: none
	}{
		{"minute before", at(8, 59, 0), 0},
		{"second before", at(8, 59, 59), 0},
		{"start is covered", at(9, 0, 0), whole},
		{"before overlap", at(11, 59, 59), whole},
		{"overlap: latest created wins", at(12, 0, 0), lunch},
		{"last minute of overlap", at(13, 59, 0), lunch},
		{"overlap end is exclusive", at(14, 0, 0), whole},
		{"last minute", at(16, 59, 0), whole},
		{"end is exclusive", at(17, 0, 0), 0},
		{"other time zone", at(9, 30, 0).In(time.FixedZone("CET", 3600)), whole},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a, err := db.ActiveAbsence(ctx, testMarie, tc.at)
			switch {
			case tc.want == 0 && !errors.Is(err, ErrNotFound):
				t.Errorf("got %+v, %v; want ErrNotFound", a, err)
			case tc.want != 0 && (err != nil || a.ID != tc.want):
				t.Errorf("got %+v, %v; want absence %d", a, err, tc.want)
			}
		})
	}
	if _, err := db.ActiveAbsence(ctx, testAnne, at(10, 0, 0)); !errors.Is(err, ErrNotFound) {
		t.Errorf("substitute has no absence: err = %v", err)
	}
}

func TestEndAbsence(t *testing.T) {
	t.Parallel()
	db := newCaseloadDB(t, true)
	ctx := context.Background()
	from := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	id, err := db.SetAbsence(ctx, Absence{Counsellor: testMarie, From: from, To: from.Add(8 * time.Hour), Substitute: testAnne, SetBy: testBoss})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.EndAbsence(ctx, id, from.Add(2*time.Hour), testBoss); err != nil {
		t.Fatal(err)
	}
	if a, err := db.ActiveAbsence(ctx, testMarie, from.Add(2*time.Hour-time.Minute)); err != nil || a.ID != id {
		t.Errorf("before the new end: %+v, %v", a, err)
	}
	if _, err := db.ActiveAbsence(ctx, testMarie, from.Add(2*time.Hour)); !errors.Is(err, ErrNotFound) {
		t.Errorf("at the new end: err = %v", err)
	}
	if err := db.EndAbsence(ctx, 999, from, testBoss); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown absence: err = %v", err)
	}
	list, err := db.Absences(ctx, testMarie)
	if err != nil || len(list) != 1 || !list[0].To.Equal(from.Add(2*time.Hour)) {
		t.Fatalf("Absences = %+v, %v", list, err)
	}
	log, err := db.Changes(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	last := log[len(log)-1]
	if last.Action != "absence.end" || last.Actor != testBoss || last.Subject != testMarie {
		t.Errorf("last change = %+v", last)
	}
}

func TestSetAbsenceInvalid(t *testing.T) {
	t.Parallel()
	db := newCaseloadDB(t, true)
	ctx := context.Background()
	from := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		a    Absence
		want error
	}{
		{"ends before start", Absence{Counsellor: testMarie, From: from, To: from, Substitute: testAnne, SetBy: testBoss}, ErrInvalidCaseload},
		{"own substitute", Absence{Counsellor: testMarie, From: from, To: from.Add(time.Hour), Substitute: testMarie, SetBy: testBoss}, ErrInvalidCaseload},
		{"nobody set it", Absence{Counsellor: testMarie, From: from, To: from.Add(time.Hour), Substitute: testAnne}, ErrInvalidCaseload},
		{"unknown substitute", Absence{Counsellor: testMarie, From: from, To: from.Add(time.Hour), Substitute: "x@mailnet.test", SetBy: testBoss}, ErrNotFound},
		{"unknown counsellor", Absence{Counsellor: "x@mailnet.test", From: from, To: from.Add(time.Hour), Substitute: testAnne, SetBy: testBoss}, ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if _, err := db.SetAbsence(ctx, tc.a); !errors.Is(err, tc.want) {
				t.Errorf("err = %v, want %v", err, tc.want)
			}
		})
	}
}

func TestCaseLinks(t *testing.T) {
	t.Parallel()
	db := newCaseloadDB(t, true)
	ctx := context.Background()
	if err := db.LinkCase(ctx, CaseLink{Client: "J1", Expert: testAnne, Reason: "training plan", SetBy: testBoss}); err != nil {
		t.Fatal(err)
	}
	links, err := db.CaseLinks(ctx, "J1")
	if err != nil || len(links) != 1 || links[0].Expert != testAnne || links[0].Reason != "training plan" || links[0].Created.IsZero() {
		t.Fatalf("CaseLinks = %+v, %v", links, err)
	}
	if links, err := db.CaseLinks(ctx, "J"); err != nil || len(links) != 0 {
		t.Errorf("prefix of a client ID matched: %+v, %v", links, err)
	}
	if err := db.LinkCase(ctx, CaseLink{Client: "nobody", Expert: testAnne, SetBy: testBoss}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown client: err = %v", err)
	}
	if err := db.UnlinkCase(ctx, "J1", testAnne, testBoss); err != nil {
		t.Fatal(err)
	}
	if err := db.UnlinkCase(ctx, "J1", testAnne, testBoss); !errors.Is(err, ErrNotFound) {
		t.Errorf("second unlink: err = %v", err)
	}
	if links, err := db.CaseLinks(ctx, "J1"); err != nil || len(links) != 0 {
		t.Errorf("after unlink: %+v, %v", links, err)
	}
}

func TestAssignClient(t *testing.T) {
	t.Parallel()
	db := newCaseloadDB(t, true)
	ctx := context.Background()
	if err := db.AssignClient(ctx, "J1", testAnne, testBoss); err != nil {
		t.Fatal(err)
	}
	c, err := db.ClientByEmail(ctx, "jean@example.org")
	if err != nil || c.Counsellor != testAnne {
		t.Fatalf("client = %+v, %v", c, err)
	}
	log, err := db.Changes(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	last := log[len(log)-1]
	if last.Action != "client.assign" || last.Actor != testBoss || last.Subject != "J1" ||
		!strings.Contains(last.Detail, testMarie) || !strings.Contains(last.Detail, testAnne) {
		t.Errorf("last change = %+v", last)
	}
	// Same counsellor again: nothing to log.
	if err := db.AssignClient(ctx, "J1", testAnne, testBoss); err != nil {
		t.Fatal(err)
	}
	if again, _ := db.Changes(ctx, last.Seq, 0); len(again) != 0 {
		t.Errorf("no-op assignment logged %+v", again)
	}
	if err := db.AssignClient(ctx, "J1", "x@mailnet.test", testBoss); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown counsellor: err = %v", err)
	}
	if err := db.AssignClient(ctx, "nobody", testAnne, testBoss); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown client: err = %v", err)
	}
}

func TestCaseloadReadsOnEmptyStore(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	if _, err := db.Client(ctx, "J1"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Client: %v", err)
	}
	if _, err := db.ClientByDomain(ctx, "acme.fr"); !errors.Is(err, ErrNotFound) {
		t.Errorf("ClientByDomain: %v", err)
	}
	if _, err := db.ActiveAbsence(ctx, testMarie, time.Now()); !errors.Is(err, ErrNotFound) {
		t.Errorf("ActiveAbsence: %v", err)
	}
	if l, err := db.Absences(ctx, ""); err != nil || len(l) != 0 {
		t.Errorf("Absences: %v, %v", l, err)
	}
	if l, err := db.CaseLinks(ctx, "J1"); err != nil || len(l) != 0 {
		t.Errorf("CaseLinks: %v, %v", l, err)
	}
	if l, err := db.Changes(ctx, 0, 10); err != nil || len(l) != 0 {
		t.Errorf("Changes: %v, %v", l, err)
	}
}
