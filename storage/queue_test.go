package storage

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestQueueLifecycle(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	a := newTestAccount(t, db, "a@mailnet.test")
	raw := testMessage("out")
	rc, err := db.Deliver(ctx, Incoming{Raw: raw, Outbound: &Outbound{From: "a@mailnet.test", To: []string{"x@example.org", "y@example.net"}}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.QueueMessage(ctx, rc.QueueID)
	if err != nil || string(got) != string(raw) {
		t.Fatalf("QueueMessage = %q, %v", got, err)
	}
	next := time.Now().Add(5 * time.Minute).UTC()
	e, err := db.UpdateQueue(ctx, rc.QueueID, func(e *QueueEntry) error {
		e.ID = 999 // kept
		e.Attempts++
		e.NextAttempt = next
		e.Recipients[0].State = RecipientDelivered
		e.Recipients[0].Reply = "250 2.0.0 ok"
		for range maxAttemptsKept + 5 {
			e.Record(Attempt{Host: "mx.example.org", TLS: "tls-verified", Result: "delivered 1"})
		}
		return nil
	})
	if err != nil || e.ID != rc.QueueID || len(e.History) != maxAttemptsKept {
		t.Fatalf("UpdateQueue = %+v, %v", e, err)
	}
	if p := e.Pending(); len(p) != 1 || p[0] != "y@example.net" {
		t.Fatalf("Pending = %v", p)
	}
	again, err := db.QueueEntry(ctx, rc.QueueID)
	if err != nil || !again.NextAttempt.Equal(next) || again.Recipients[0].State != RecipientDelivered {
		t.Fatalf("QueueEntry = %+v, %v", again, err)
	}
	// Finishing with a notice removes the entry, drops the body and
	// delivers the notice in one transaction.
	notice := Incoming{Raw: testMessage("bounce"), Deliveries: []Delivery{{Account: a.ID, Mailbox: "INBOX"}}}
	if err := db.FinishQueue(ctx, rc.QueueID, &notice); err != nil {
		t.Fatal(err)
	}
	if _, err := db.QueueEntry(ctx, rc.QueueID); !errors.Is(err, ErrNotFound) {
		t.Fatalf("entry still there: %v", err)
	}
	if m := mustMailbox(t, db, a.ID, "INBOX"); m.Messages != 1 {
		t.Fatalf("notice not delivered: %+v", m)
	}
	if n := countBlobs(t, db); n != 1 {
		t.Fatalf("%d bodies, want only the notice's", n)
	}
	if err := db.FinishQueue(ctx, rc.QueueID, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("finishing twice: %v", err)
	}
}
