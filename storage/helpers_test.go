package storage

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// newTestDB opens a store in a fresh temporary directory, closed at the
// end of the test.
func newTestDB(t testing.TB) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "mailnet.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	return db
}

func newTestAccount(t testing.TB, db *DB, address string) Account {
	t.Helper()
	a, err := db.CreateAccount(context.Background(), Account{Address: address, Role: RoleCounsellor, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func testMessage(subject string) []byte {
	return fmt.Appendf(nil, "From: Jean <jean@example.org>\r\nTo: marie@mailnet.test\r\nSubject: %s\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\nMessage-ID: <%s@example.org>\r\n\r\nBonjour,\r\nune question.\r\n", subject, subject)
}

func mustMailbox(t testing.TB, db *DB, account uint64, name string) Mailbox {
	t.Helper()
	m, err := db.Mailbox(context.Background(), account, name)
	if err != nil {
		t.Fatalf("mailbox %s: %v", name, err)
	}
	return m
}
