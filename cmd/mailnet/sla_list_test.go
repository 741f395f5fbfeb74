package main

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailnet/storage"
)

// newConversationData returns a data directory holding three open
// conversations: J1's (marie) overdue, J2's (paul) due tomorrow and J3's
// (marie) due in two days, opened in that order of IDs J3, J1, J2.
func newConversationData(t *testing.T) string {
	t.Helper()
	data := t.TempDir()
	if _, err := runCLI(t, "", "user", "add", "marie@mailnet.test", "--data", data); err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(filepath.Join(data, dbFile), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	}()
	ctx := context.Background()
	acc, err := db.Account(ctx, "marie@mailnet.test")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, c := range []struct {
		client, counsellor string
		due                time.Duration
	}{
		{"J3", "marie@mailnet.test", 48 * time.Hour},
		{"J1", "marie@mailnet.test", -time.Hour},
		{"J2", "paul@mailnet.test", 24 * time.Hour},
	} {
		ev := storage.ConversationEvent{Client: c.client, Counsellor: c.counsellor, MessageID: c.client + "@example.org",
			At: now.Add(c.due - 72*time.Hour), Due: now.Add(c.due), NoticeAt: now.Add(c.due - 24*time.Hour)}
		raw := "From: c@example.org\r\nSubject: q\r\nMessage-ID: <" + c.client + "@example.org>\r\n\r\nBonjour.\r\n"
		in := storage.Incoming{Raw: []byte(raw), Conversation: &ev, Deliveries: []storage.Delivery{{Account: acc.ID, Mailbox: "INBOX"}},
			InternalDate: ev.At, Archive: &storage.ArchiveInfo{Direction: storage.DirectionIn, Client: c.client, Counsellor: c.counsellor}}
		if _, err := db.Deliver(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	return data
}

func TestSLAList(t *testing.T) {
	t.Parallel()
	data := newConversationData(t)
	tests := []struct {
		name string
		args []string
		want []string // client IDs, in order
	}{
		{"all by due time", nil, []string{"J1", "J2", "J3"}},
		{"counsellor", []string{"--counsellor", "MARIE@mailnet.test"}, []string{"J1", "J3"}},
		{"overdue", []string{"--overdue"}, []string{"J1"}},
		{"none", []string{"--counsellor", "lea@mailnet.test"}, nil},
	}
	for _, tc := range tests {
		// Not parallel: each run opens the shared store, whose file lock
		// is exclusive.
		t.Run(tc.name, func(t *testing.T) {
			out, err := runCLI(t, "", append([]string{"sla", "list", "--data", data}, tc.args...)...)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(tc.want) == 0 {
				if out != "no open conversations\n" {
					t.Fatalf("output:\n%s", out)
				}
				return
			}
			if len(lines) != len(tc.want)+1 {
				t.Fatalf("output:\n%s", out)
			}
			for i, id := range tc.want {
				f := strings.Fields(lines[i+1])
				if f[1] != id || strings.HasSuffix(lines[i+1], "OVERDUE") != (id == "J1") {
					t.Errorf("line %d = %q, want client %s (OVERDUE only for J1)", i+1, lines[i+1], id)
				}
			}
		})
	}
}
