package storage

import (
	"context"
	"errors"
	"testing"
	"time"
)

var (
	convT0  = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)
	convDue = convT0.Add(72 * time.Hour)
)

// convStore is a store with marie's account, to deliver to.
type convStore struct {
	db    *DB
	marie Account
}

func newConvStore(t *testing.T) convStore {
	t.Helper()
	db := newTestDB(t)
	return convStore{db: db, marie: newTestAccount(t, db, "marie@mailnet.test")}
}

// deliver stores a message carrying ev.
func (s convStore) deliver(t *testing.T, ev ConversationEvent) {
	t.Helper()
	in := Incoming{Raw: testMessage("m"), Deliveries: []Delivery{{Account: s.marie.ID, Mailbox: "INBOX"}}, Conversation: &ev}
	if _, err := s.db.Deliver(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

func (s convStore) all(t *testing.T) []Conversation {
	t.Helper()
	cs, err := s.db.Conversations(context.Background(), ConversationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// clientMsg is a message of client J1 at t0+h hours.
func clientMsg(id string, h int, refs ...string) ConversationEvent {
	at := convT0.Add(time.Duration(h) * time.Hour)
	return ConversationEvent{Client: "J1", Counsellor: "marie@mailnet.test", Subject: "aide", MessageID: id, Refs: refs,
		At: at, Due: at.Add(72 * time.Hour), NoticeAt: at.Add(48 * time.Hour)}
}

func answerMsg(id string, h int, refs ...string) ConversationEvent {
	return ConversationEvent{Answer: true, Client: "J1", MessageID: id, Refs: refs,
		At: convT0.Add(time.Duration(h) * time.Hour), By: "marie@mailnet.test"}
}

func TestConversationOpensAndJoins(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		events []ConversationEvent
		want   int // conversations
		msgs   int // messages in the last one
	}{
		{"opens", []ConversationEvent{clientMsg("a@x", 0)}, 1, 1},
		{"joins by refs", []ConversationEvent{clientMsg("a@x", 0), clientMsg("b@x", 1, "a@x")}, 1, 2},
		{"joins by client", []ConversationEvent{clientMsg("a@x", 0), clientMsg("b@x", 1)}, 1, 2},
		{"another client opens its own", []ConversationEvent{clientMsg("a@x", 0),
			{Client: "J2", MessageID: "c@x", Refs: []string{"a@x"}, At: convT0}}, 2, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newConvStore(t)
			for _, ev := range tc.events {
				s.deliver(t, ev)
			}
			cs := s.all(t)
			if len(cs) != tc.want || cs[len(cs)-1].Messages != tc.msgs {
				t.Fatalf("conversations %+v, want %d with %d messages last", cs, tc.want, tc.msgs)
			}
		})
	}
}

// TestConversationClockNotRestarted: a second client message before the
// answer leaves Opened, Due and NoticeAt alone.
func TestConversationClockNotRestarted(t *testing.T) {
	t.Parallel()
	s := newConvStore(t)
	s.deliver(t, clientMsg("a@x", 0))
	s.deliver(t, clientMsg("b@x", 5))
	c, err := s.db.ConversationByID(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Opened.Equal(convT0) || !c.Due.Equal(convDue) || !c.NoticeAt.Equal(convT0.Add(48*time.Hour)) ||
		!c.LastClientMessage.Equal(convT0.Add(5*time.Hour)) || c.State != ConversationOpen {
		t.Fatalf("conversation %+v", c)
	}
}

func TestConversationAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		answer ConversationEvent
		state  string
	}{
		{"by refs", answerMsg("r@x", 2, "zzz@x", "b@x"), ConversationAnswered},
		{"by client", answerMsg("r@x", 2), ConversationAnswered},
		{"other client", ConversationEvent{Answer: true, Client: "J2", Refs: []string{"a@x"}, At: convT0}, ConversationOpen},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := newConvStore(t)
			s.deliver(t, clientMsg("a@x", 0))
			s.deliver(t, clientMsg("b@x", 1))
			s.deliver(t, tc.answer)
			cs := s.all(t)
			if len(cs) != 1 || cs[0].State != tc.state {
				t.Fatalf("conversations %+v, want one %s", cs, tc.state)
			}
			if tc.state == ConversationAnswered && (!cs[0].AnsweredAt.Equal(convT0.Add(2*time.Hour)) || cs[0].AnsweredBy != "marie@mailnet.test") {
				t.Fatalf("answer recorded as %+v", cs[0])
			}
		})
	}
}

// TestConversationAfterAnswer: once answered, a client message, even in
// the answered thread, is a new request: a new conversation with its own
// clock, the answered one keeping its answer; an answer citing only the
// old thread closes the new one.
func TestConversationAfterAnswer(t *testing.T) {
	t.Parallel()
	s := newConvStore(t)
	s.deliver(t, clientMsg("a@x", 0))
	s.deliver(t, answerMsg("r@x", 2, "a@x"))
	s.deliver(t, clientMsg("b@x", 30, "r@x"))
	cs := s.all(t)
	if len(cs) != 2 || cs[0].State != ConversationAnswered || !cs[0].AnsweredAt.Equal(convT0.Add(2*time.Hour)) ||
		cs[1].State != ConversationOpen || !cs[1].Opened.Equal(convT0.Add(30*time.Hour)) || cs[1].AnsweredBy != "" || cs[1].Subject != cs[0].Subject {
		t.Fatalf("conversations %+v", cs)
	}
	open, err := s.db.Conversations(context.Background(), ConversationFilter{Open: true, Counsellor: "MARIE@mailnet.test"})
	if err != nil || len(open) != 1 || open[0].ID != cs[1].ID {
		t.Fatalf("open conversations %+v, %v", open, err)
	}
	s.deliver(t, answerMsg("r2@x", 31, "a@x")) // cites the first request only
	cs = s.all(t)
	if cs[1].State != ConversationAnswered || !cs[1].AnsweredAt.Equal(convT0.Add(31*time.Hour)) || !cs[0].AnsweredAt.Equal(convT0.Add(2*time.Hour)) {
		t.Fatalf("after the second answer %+v", cs)
	}
}

func TestConversationAnswerWithoutConversation(t *testing.T) {
	t.Parallel()
	s := newConvStore(t)
	s.deliver(t, answerMsg("r@x", 0, "a@x"))
	if cs := s.all(t); len(cs) != 0 {
		t.Fatalf("conversations %+v", cs)
	}
}

func TestConversationOverdueFilter(t *testing.T) {
	t.Parallel()
	s := newConvStore(t)
	s.deliver(t, clientMsg("a@x", 0))
	for _, tc := range []struct {
		at   time.Time
		want int
	}{{convDue.Add(-time.Second), 0}, {convDue, 1}} {
		cs, err := s.db.Conversations(context.Background(), ConversationFilter{OverdueAt: tc.at})
		if err != nil || len(cs) != tc.want {
			t.Fatalf("overdue at %s: %+v, %v; want %d", tc.at, cs, err, tc.want)
		}
	}
}

// TestConversationAtomic: a delivery that fails changes no conversation.
func TestConversationAtomic(t *testing.T) {
	t.Parallel()
	s := newConvStore(t)
	s.deliver(t, clientMsg("a@x", 0))
	for _, ev := range []ConversationEvent{answerMsg("r@x", 1, "a@x"), {Client: "J2", MessageID: "n@x", At: convT0}} {
		in := Incoming{Raw: testMessage("m"), Deliveries: []Delivery{{Account: 999, Mailbox: "INBOX"}}, Conversation: &ev}
		if _, err := s.db.Deliver(context.Background(), in); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Deliver to a missing account: %v", err)
		}
	}
	cs := s.all(t)
	if len(cs) != 1 || cs[0].State != ConversationOpen || cs[0].Messages != 1 {
		t.Fatalf("conversations %+v", cs)
	}
	if _, err := s.db.ConversationByID(context.Background(), 2); !errors.Is(err, ErrNotFound) {
		t.Fatalf("ConversationByID(2): %v", err)
	}
}

// TestConversationTeamFilter keeps the conversations of a team's
// counsellors, by the current caseload.
func TestConversationTeamFilter(t *testing.T) {
	t.Parallel()
	s := newConvStore(t)
	if _, err := s.db.ImportCaseload(context.Background(), CaseloadBatch{
		Teams:       []Team{{ID: "T1"}},
		Counsellors: []Counsellor{{Address: "marie@mailnet.test", Kind: ServesJobseekers, Team: "T1"}},
	}, "test", false); err != nil {
		t.Fatal(err)
	}
	s.deliver(t, clientMsg("a@x", 0))
	for team, want := range map[string]int{"T1": 1, "T2": 0} {
		cs, err := s.db.Conversations(context.Background(), ConversationFilter{Team: team})
		if err != nil || len(cs) != want {
			t.Fatalf("team %s: %d conversations (%v), want %d", team, len(cs), err, want)
		}
	}
}
