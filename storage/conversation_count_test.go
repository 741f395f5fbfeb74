package storage

import (
	"context"
	"testing"
	"time"
)

// TestConversationCounts counts a store holding one conversation in each
// situation, at two instants.
func TestConversationCounts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newConvStore(t)
	if n, err := s.db.ConversationCounts(ctx, convT0); err != nil || n != (ConversationCounts{}) {
		t.Fatalf("empty store: %+v, %v", n, err)
	}
	open := func(client string, h int) ConversationEvent {
		at := convT0.Add(time.Duration(h) * time.Hour)
		return ConversationEvent{Client: client, Counsellor: "marie@mailnet.test", MessageID: client + "@x",
			At: at, Due: at.Add(72 * time.Hour), NoticeAt: at.Add(48 * time.Hour)}
	}
	s.deliver(t, open("fresh", 10))
	s.deliver(t, open("warned", 10))
	s.deliver(t, open("late", 0))
	s.deliver(t, open("answered", 0))
	s.deliver(t, ConversationEvent{Answer: true, Client: "answered", Refs: []string{"answered@x"}, At: convT0.Add(time.Hour)})
	s.deliver(t, open("warnedlate", 0))
	for _, c := range s.all(t) {
		if c.Client == "warned" || c.Client == "warnedlate" {
			if ok, err := s.db.WarnConversation(ctx, c.ID, c.NoticeAt, c.Due, nil, nil); err != nil || !ok {
				t.Fatalf("warn %s: %v, %v", c.Client, ok, err)
			}
		}
	}
	tests := []struct {
		name string
		at   time.Time
		want ConversationCounts
	}{
		{"before every deadline", convT0.Add(71 * time.Hour), ConversationCounts{Open: 2, Warned: 2}},
		{"at the first deadlines", convT0.Add(72 * time.Hour), ConversationCounts{Open: 1, Warned: 1, Overdue: 2}},
		{"after every deadline", convT0.Add(82 * time.Hour), ConversationCounts{Overdue: 4}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.db.ConversationCounts(ctx, tc.at)
			if err != nil || got != tc.want {
				t.Fatalf("ConversationCounts = %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}
