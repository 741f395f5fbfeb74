package storage

import (
	"bytes"
	"context"
	"errors"
	"testing"
)

// ackMsg is clientMsg carrying an acknowledgement to jean.
func ackMsg(id string, h int, refs ...string) ConversationEvent {
	ev := clientMsg(id, h, refs...)
	ev.Ack = &Acknowledgement{Raw: testMessage("ack-" + id), From: "marie@mailnet.test", To: "jean@example.org"}
	return ev
}

// TestConversationAck queues at most one acknowledgement per conversation
// per day, with the delivery.
func TestConversationAck(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newConvStore(t)
	steps := []struct {
		ev   ConversationEvent
		want bool
	}{
		{ackMsg("a@x", 0), true},             // opens: acknowledged
		{ackMsg("b@x", 5, "a@x"), false},     // same day
		{ackMsg("c@x", 24), false},           // exactly a day later: not more than
		{ackMsg("d@x", 25, "a@x"), true},     // 25 h after the first
		{clientMsg("e@x", 60, "a@x"), false}, // no acknowledgement built
		{ackMsg("f@x", 48), false},           // 23 h after the second
	}
	var ids []uint64
	for i, st := range steps {
		in := Incoming{Raw: testMessage("m"), Deliveries: []Delivery{{Account: s.marie.ID, Mailbox: "INBOX"}}, Conversation: &st.ev}
		rc, err := s.db.Deliver(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if rc.AckQueued != st.want || rc.QueueID != 0 {
			t.Fatalf("step %d: receipt %+v, want AckQueued %v", i, rc, st.want)
		}
	}
	q, err := s.db.Queue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(q) != 2 {
		t.Fatalf("queue %+v, want 2 acknowledgements", q)
	}
	for i, e := range q {
		ids = append(ids, e.ID)
		if e.From != "marie@mailnet.test" || len(e.Recipients) != 1 || e.Recipients[0].Address != "jean@example.org" {
			t.Fatalf("entry %d: %+v", i, e)
		}
	}
	raw, err := s.db.QueueMessage(ctx, ids[1])
	if err != nil || !bytes.Equal(raw, steps[3].ev.Ack.Raw) {
		t.Fatalf("QueueMessage: %q, %v", raw, err)
	}
	cs := s.all(t)
	if len(cs) != 1 || !cs[0].LastAck.Equal(steps[3].ev.At) {
		t.Fatalf("conversations %+v, want last ack at %s", cs, steps[3].ev.At)
	}
}

// TestConversationAckReopened: an answered conversation that the client
// reopens more than a day after its acknowledgement is acknowledged again.
func TestConversationAckReopened(t *testing.T) {
	t.Parallel()
	s := newConvStore(t)
	s.deliver(t, ackMsg("a@x", 0))
	s.deliver(t, answerMsg("r@x", 2, "a@x"))
	ev := ackMsg("b@x", 30, "r@x")
	in := Incoming{Raw: testMessage("m"), Deliveries: []Delivery{{Account: s.marie.ID, Mailbox: "INBOX"}}, Conversation: &ev}
	rc, err := s.db.Deliver(context.Background(), in)
	if err != nil || !rc.AckQueued {
		t.Fatalf("Deliver: %+v, %v", rc, err)
	}
}

// TestConversationAckAtomic: a delivery that fails queues no
// acknowledgement and records none.
func TestConversationAckAtomic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newConvStore(t)
	ev := ackMsg("a@x", 0)
	in := Incoming{Raw: testMessage("m"), Deliveries: []Delivery{{Account: 999, Mailbox: "INBOX"}}, Conversation: &ev}
	if _, err := s.db.Deliver(ctx, in); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Deliver to a missing account: %v", err)
	}
	if q, err := s.db.Queue(ctx); err != nil || len(q) != 0 {
		t.Fatalf("queue %+v, %v", q, err)
	}
	if cs := s.all(t); len(cs) != 0 {
		t.Fatalf("conversations %+v", cs)
	}
	// The next, successful delivery still acknowledges.
	in.Deliveries[0].Account = s.marie.ID
	rc, err := s.db.Deliver(ctx, in)
	if err != nil || !rc.AckQueued {
		t.Fatalf("Deliver: %+v, %v", rc, err)
	}
}

// TestConversationAckRefused: an acknowledgement without a recipient
// fails the delivery.
func TestConversationAckRefused(t *testing.T) {
	t.Parallel()
	s := newConvStore(t)
	ev := clientMsg("a@x", 0)
	ev.Ack = &Acknowledgement{Raw: testMessage("ack"), From: "marie@mailnet.test"}
	in := Incoming{Raw: testMessage("m"), Deliveries: []Delivery{{Account: s.marie.ID, Mailbox: "INBOX"}}, Conversation: &ev}
	if _, err := s.db.Deliver(context.Background(), in); !errors.Is(err, ErrMalformed) {
		t.Fatalf("Deliver: %v", err)
	}
}

// TestConversationAckNewRequestSameDay: a new request in an answered
// thread within a day of the thread's acknowledgement is not acknowledged
// again (no acknowledgement ping-pong with a client's auto-responder).
func TestConversationAckNewRequestSameDay(t *testing.T) {
	t.Parallel()
	s := newConvStore(t)
	s.deliver(t, ackMsg("a@x", 0))
	s.deliver(t, answerMsg("r@x", 2, "a@x"))
	ev := ackMsg("b@x", 5, "r@x")
	in := Incoming{Raw: testMessage("m"), Deliveries: []Delivery{{Account: s.marie.ID, Mailbox: "INBOX"}}, Conversation: &ev}
	rc, err := s.db.Deliver(context.Background(), in)
	if err != nil || rc.AckQueued {
		t.Fatalf("Deliver: %+v, %v; want no second acknowledgement within a day", rc, err)
	}
	if cs := s.all(t); len(cs) != 2 || cs[1].State != ConversationOpen {
		t.Fatalf("conversations %+v, want a new open one", cs)
	}
}
