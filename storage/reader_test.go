package storage

import (
	"context"
	"fmt"
	"reflect"
	"testing"
)

func TestSeenByIsPerReaderAndView(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	if err := db.SetSeenBy(ctx, 7, "m/1", []uint32{1, 2, 3}, true); err != nil {
		t.Fatal(err)
	}
	if err := db.SetSeenBy(ctx, 7, "m/1", []uint32{2}, false); err != nil {
		t.Fatal(err)
	}
	got, err := db.SeenBy(ctx, 7, "m/1", []uint32{1, 2, 3, 4})
	if err != nil {
		t.Fatal(err)
	}
	if want := map[uint32]bool{1: true, 3: true}; !reflect.DeepEqual(got, want) {
		t.Fatalf("reader 7 = %v, want %v", got, want)
	}
	if other, _ := db.SeenBy(ctx, 8, "m/1", []uint32{1, 2, 3}); len(other) != 0 {
		t.Fatalf("reader 8 sees reader 7's marks: %v", other)
	}
	if other, _ := db.SeenBy(ctx, 7, "c/J1", []uint32{1, 3}); len(other) != 0 {
		t.Fatalf("another view shares marks: %v", other)
	}
}

func TestViewSubscriptions(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	for _, name := range []string{"Cases/J2", "Cases/J1", "Shared/a@x/INBOX"} {
		if err := db.SetViewSubscribed(ctx, 1, name, true); err != nil {
			t.Fatal(err)
		}
	}
	db.SetViewSubscribed(ctx, 2, "Cases/J9", true)
	db.SetViewSubscribed(ctx, 1, "Cases/J2", false)
	got, err := db.ViewSubscriptions(ctx, 1)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]bool{"Cases/J1": true, "Cases/J2": false, "Shared/a@x/INBOX": true}; !reflect.DeepEqual(got, want) {
		t.Fatalf("subscriptions = %v, want %v", got, want)
	}
}

func TestClientsOf(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	newTestAccount(t, db, "a@pes.test")
	newTestAccount(t, db, "ab@pes.test")
	batch := CaseloadBatch{Teams: []Team{{ID: "T"}}, Counsellors: []Counsellor{
		{Address: "a@pes.test", Kind: ServesJobseekers, Team: "T"},
		{Address: "ab@pes.test", Kind: ServesJobseekers, Team: "T"},
	}}
	for i := range 5 {
		c := "a@pes.test"
		if i%2 == 1 {
			c = "ab@pes.test"
		}
		batch.Clients = append(batch.Clients, Client{ID: fmt.Sprintf("J%d", i), Kind: ClientJobseeker, Counsellor: c})
	}
	if _, err := db.ImportCaseload(ctx, batch, "test", false); err != nil {
		t.Fatal(err)
	}
	got, err := db.ClientsOf(ctx, "a@pes.test")
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range got {
		ids = append(ids, c.ID)
	}
	if want := []string{"J0", "J2", "J4"}; !reflect.DeepEqual(ids, want) {
		t.Fatalf("ClientsOf = %v, want %v", ids, want)
	}
	some, err := db.ClientsWithPrefix(ctx, "J", 2)
	if err != nil || len(some) != 2 || some[0].ID != "J0" || some[1].ID != "J1" {
		t.Fatalf("ClientsWithPrefix(J, 2) = %v, %v", some, err)
	}
	if none, _ := db.ClientsWithPrefix(ctx, "E", 10); len(none) != 0 {
		t.Fatalf("ClientsWithPrefix(E) = %v", none)
	}
}

func TestPruneSeenBy(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	if err := db.SetSeenBy(ctx, 7, "m/1", []uint32{1, 2, 3, 9}, true); err != nil {
		t.Fatal(err)
	}
	n, err := db.PruneSeenBy(ctx, 7, "m/1", []uint32{2, 3, 4, 5})
	if err != nil || n != 2 {
		t.Fatalf("PruneSeenBy = %d, %v; want 2 dropped", n, err)
	}
	got, _ := db.SeenBy(ctx, 7, "m/1", []uint32{1, 2, 3, 4, 5, 9})
	if want := map[uint32]bool{2: true, 3: true}; !reflect.DeepEqual(got, want) {
		t.Fatalf("marks after prune = %v, want %v", got, want)
	}
	before := db.Stats().Commits
	if n, err := db.PruneSeenBy(ctx, 7, "m/1", []uint32{2, 3}); err != nil || n != 0 {
		t.Fatalf("second prune = %d, %v", n, err)
	}
	if db.Stats().Commits != before {
		t.Fatal("a prune with nothing to drop wrote")
	}
	if n, err := db.PruneSeenBy(ctx, 8, "m/1", nil); err != nil || n != 0 {
		t.Fatalf("prune of a reader without marks = %d, %v", n, err)
	}
}
