package storage

import (
	"context"
	"testing"
	"time"
)

// TestWarnConversationOnce: warning a conversation twice queues one notice
// and delivers one alert; an answered conversation is never warned.
func TestWarnConversationOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newConvStore(t)
	s.deliver(t, clientMsg("a@x", 0))
	c := s.all(t)[0]
	if due, err := s.db.DueNotices(ctx, c.NoticeAt.Add(-time.Second)); err != nil || len(due) != 0 {
		t.Fatalf("DueNotices before NoticeAt: %+v, %v", due, err)
	}
	due, err := s.db.DueNotices(ctx, c.NoticeAt)
	if err != nil || len(due) != 1 || due[0].ID != c.ID {
		t.Fatalf("DueNotices at NoticeAt: %+v, %v", due, err)
	}
	next := c.Due.Add(24 * time.Hour)
	notice := &Acknowledgement{Raw: testMessage("notice"), To: "jean@example.org"}
	alert := Incoming{Raw: testMessage("alert"), Deliveries: []Delivery{{Account: s.marie.ID, Mailbox: "INBOX"}}}
	for i, want := range []bool{true, false} {
		ok, err := s.db.WarnConversation(ctx, c.ID, c.NoticeAt, next, notice, []Incoming{alert})
		if err != nil || ok != want {
			t.Fatalf("WarnConversation #%d = %v, %v; want %v", i+1, ok, err, want)
		}
	}
	q, err := s.db.Queue(ctx)
	if err != nil || len(q) != 1 || q[0].From != "" || q[0].Recipients[0].Address != "jean@example.org" {
		t.Fatalf("queue %+v, %v; want one notice under a null sender", q, err)
	}
	if m := mustMailbox(t, s.db, s.marie.ID, "INBOX"); m.Messages != 2 { // the client message and one alert
		t.Fatalf("INBOX has %d messages, want 2", m.Messages)
	}
	got, err := s.db.ConversationByID(ctx, c.ID)
	if err != nil || !got.WarnedAt.Equal(c.NoticeAt) || !got.NextContact.Equal(next) {
		t.Fatalf("conversation %+v, %v", got, err)
	}
	if due, err := s.db.DueNotices(ctx, c.Due); err != nil || len(due) != 0 {
		t.Fatalf("DueNotices after the notice: %+v, %v", due, err)
	}

	s.deliver(t, answerMsg("r@x", 1, "a@x"))
	s.deliver(t, clientMsg("b@x", 100, "a@x")) // a new request, with a new clock
	all := s.all(t)
	if len(all) != 2 || all[0].WarnedAt.IsZero() {
		t.Fatalf("the answered request lost its notice: %+v", all)
	}
	c = all[1]
	if !c.WarnedAt.IsZero() || !c.NextContact.IsZero() {
		t.Fatalf("the new request starts with a notice: %+v", c)
	}
	s.deliver(t, answerMsg("r2@x", 101, "b@x"))
	ok, err := s.db.WarnConversation(ctx, c.ID, c.NoticeAt, next, notice, nil)
	if err != nil || ok {
		t.Fatalf("WarnConversation of an answered conversation = %v, %v", ok, err)
	}
	if q, _ := s.db.Queue(ctx); len(q) != 1 {
		t.Fatalf("queue %+v after warning an answered conversation", q)
	}
}
