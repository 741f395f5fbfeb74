package storage

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestWebSessions(t *testing.T) {
	db := newTestDB(t)
	ctx := context.Background()
	now := time.Date(2027, 1, 20, 12, 0, 0, 0, time.UTC)
	put := func(id string, expires time.Time, max int) {
		t.Helper()
		if err := db.CreateWebSession(ctx, id, WebSession{Account: "a@pes.test", CSRF: "c-" + id, Expires: expires}, now, max); err != nil {
			t.Fatal(err)
		}
	}
	put("old", now.Add(-time.Minute), 0)
	put("soon", now.Add(time.Hour), 0)
	put("late", now.Add(8*time.Hour), 0)
	put("new", now.Add(8*time.Hour), 2) // drops "old" (expired) and "soon" (closest to expiry, table full)
	for id, want := range map[string]bool{"old": false, "soon": false, "late": true, "new": true} {
		s, err := db.WebSession(ctx, id)
		if got := err == nil; got != want {
			t.Errorf("session %q stored = %v (%v), want %v", id, got, err, want)
		}
		if want && s.CSRF != "c-"+id {
			t.Errorf("session %q = %+v", id, s)
		}
	}
	if err := db.DeleteWebSession(ctx, "late"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.WebSession(ctx, "late"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("deleted session: %v", err)
	}
	// IDs are stored hashed: no key or value holds one.
	err := db.bolt.View(func(tx *bolt.Tx) error {
		return tx.Bucket(bucketWebSessions).ForEach(func(k, v []byte) error {
			if bytes.Contains(k, []byte("new")) || bytes.Contains(v, []byte(`"new"`)) {
				t.Errorf("session ID stored in clear: %q → %s", k, v)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
