package metrics

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"mailnet/internal/testutil"
	"mailnet/storage"
)

var t0 = time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC)

// newStore opens a store with one account, closed when the test ends.
func newStore(t *testing.T) (*storage.DB, storage.Account) {
	t.Helper()
	db, err := storage.Open(filepath.Join(t.TempDir(), "mailnet.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	a, err := db.CreateAccount(context.Background(), storage.Account{Address: "marie@mailnet.test", Role: storage.RoleCounsellor, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	return db, a
}

func message(id string) []byte {
	return fmt.Appendf(nil, "From: client@example.org\r\nTo: marie@mailnet.test\r\nSubject: s\r\nMessage-ID: <%s>\r\n\r\nBonjour.\r\n", id)
}

// TestStoreMetrics scrapes a store holding known conversations and queue
// entries, and checks the commit histogram counts the store's commits.
func TestStoreMetrics(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, marie := newStore(t)
	clock := testutil.NewClock(t0)
	before := db.Stats()
	m := New(Options{Store: db, Now: clock.Now})

	deliver := func(in storage.Incoming) {
		t.Helper()
		in.Deliveries = []storage.Delivery{{Account: marie.ID, Mailbox: "INBOX"}}
		if _, err := db.Deliver(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	// Conversations of four clients opened at t0, due at t0+72h; the
	// third is warned, the fourth answered.
	for _, client := range []string{"c1", "c2", "c3", "c4"} {
		deliver(storage.Incoming{Raw: message(client + "@x"), Conversation: &storage.ConversationEvent{
			Client: client, Counsellor: marie.Address, MessageID: client + "@x",
			At: t0, Due: t0.Add(72 * time.Hour), NoticeAt: t0.Add(48 * time.Hour)}})
	}
	// A fifth opened later, due at t0+100h.
	deliver(storage.Incoming{Raw: message("c5@x"), Conversation: &storage.ConversationEvent{
		Client: "c5", Counsellor: marie.Address, MessageID: "c5@x",
		At: t0.Add(28 * time.Hour), Due: t0.Add(100 * time.Hour), NoticeAt: t0.Add(76 * time.Hour)}})
	deliver(storage.Incoming{Raw: message("r4@x"), Conversation: &storage.ConversationEvent{
		Answer: true, Client: "c4", Refs: []string{"c4@x"}, At: t0.Add(time.Hour), By: marie.Address}})
	convs, err := db.Conversations(ctx, storage.ConversationFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range convs {
		if c.Client == "c3" {
			if ok, err := db.WarnConversation(ctx, c.ID, c.NoticeAt, c.Due, nil, nil); err != nil || !ok {
				t.Fatalf("warn: %v, %v", ok, err)
			}
		}
	}
	// Three queued messages, one of which was tried once.
	for i := range 3 {
		deliver(storage.Incoming{Raw: message(fmt.Sprint("out", i)), Outbound: &storage.Outbound{From: marie.Address, To: []string{"x@example.org"}}})
	}
	q, err := db.Queue(ctx)
	if err != nil || len(q) != 3 {
		t.Fatalf("queue: %d, %v", len(q), err)
	}
	if _, err := db.UpdateQueue(ctx, q[0].ID, func(e *storage.QueueEntry) error { e.Attempts++; return nil }); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		at                    time.Time
		open, warned, overdue float64
	}{
		{t0.Add(50 * time.Hour), 3, 1, 0},
		{t0.Add(72 * time.Hour), 1, 0, 3},
		{t0.Add(100 * time.Hour), 0, 0, 4},
	}
	for _, tc := range tests {
		clock.Advance(tc.at.Sub(clock.Now()))
		s := testutil.Scrape(t, m.Handler())
		for state, want := range map[string]float64{"open": tc.open, "warned": tc.warned, "overdue": tc.overdue} {
			if got := s.Value("mailnet_sla_conversations", "state", state); got != want {
				t.Errorf("at t0+%v: sla_conversations{state=%q} = %v, want %v", tc.at.Sub(t0), state, got, want)
			}
		}
	}

	s := testutil.Scrape(t, m.Handler())
	if got, want := s.Value("mailnet_queue_messages", "state", "new"), 2.0; got != want {
		t.Errorf("queue_messages{new} = %v, want %v", got, want)
	}
	if got, want := s.Value("mailnet_queue_messages", "state", "deferred"), 1.0; got != want {
		t.Errorf("queue_messages{deferred} = %v, want %v", got, want)
	}
	fi, err := os.Stat(db.Path())
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Value("mailnet_storage_file_bytes"); got != float64(fi.Size()) || got == 0 {
		t.Errorf("storage_file_bytes = %v, want %d", got, fi.Size())
	}
	commits := db.Stats().Commits - before.Commits
	if got := s.Value("mailnet_storage_commit_duration_seconds_count"); got != float64(commits) || commits < 10 {
		t.Errorf("commit histogram counts %v commits, the store made %d", got, commits)
	}
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if !s.Has(name) {
			t.Errorf("no %s: Go or process collector missing", name)
		}
	}
}

// TestStoreMetricsAfterClose: a closed store makes its gauges fail while
// the other metrics are still served.
func TestStoreMetricsAfterClose(t *testing.T) {
	t.Parallel()
	db, _ := newStore(t)
	m := New(Options{Store: db})
	m.Protocol(ProtoIMAP).ConnOpened()
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	s := testutil.Scrape(t, m.Handler())
	if s.Has("mailnet_sla_conversations") || s.Has("mailnet_queue_messages") {
		t.Error("store gauges served from a closed store")
	}
	if got := s.Value("mailnet_connections_open", "proto", ProtoIMAP); got != 1 {
		t.Errorf("connections_open{imap} = %v, want 1", got)
	}
}

// TestProtocolAndDelivery checks the observer methods that the protocol
// servers and the delivery worker call.
func TestProtocolAndDelivery(t *testing.T) {
	t.Parallel()
	m := New(Options{})
	imap := m.Protocol(ProtoIMAP)
	imap.ConnOpened()
	imap.ConnOpened()
	imap.ConnClosed()
	imap.Login(true)
	imap.Login(false)
	imap.Login(false)
	m.Protocol(ProtoIMAP).Rejected("size")
	m.DeliveryAttempt(AttemptDelivered)
	m.DeliveryAttempt(AttemptDeferred)
	m.DeliveryAttempt(AttemptDeferred)
	m.Delivered(90 * time.Second)
	m.Delivered(30 * time.Second)
	s := testutil.Scrape(t, m.Handler())
	want := []struct {
		name   string
		labels []string
		value  float64
	}{
		{"mailnet_connections_total", []string{"proto", "imap"}, 2},
		{"mailnet_connections_open", []string{"proto", "imap"}, 1},
		{"mailnet_logins_total", []string{"proto", "imap", "result", "ok"}, 1},
		{"mailnet_logins_total", []string{"proto", "imap", "result", "failed"}, 2},
		{"mailnet_messages_rejected_total", []string{"proto", "imap", "reason", "size"}, 1},
		{"mailnet_delivery_attempts_total", []string{"result", "delivered"}, 1},
		{"mailnet_delivery_attempts_total", []string{"result", "deferred"}, 2},
		{"mailnet_delivery_latency_seconds_count", nil, 2},
		{"mailnet_delivery_latency_seconds_sum", nil, 120},
	}
	for _, w := range want {
		if got := s.Value(w.name, w.labels...); got != w.value {
			t.Errorf("%s%v = %v, want %v", w.name, w.labels, got, w.value)
		}
	}
	if s.Has("mailnet_sla_conversations") {
		t.Error("store gauges without a store")
	}
}
