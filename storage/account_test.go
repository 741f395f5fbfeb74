package storage

import (
	"context"
	"errors"
	"testing"
)

func TestCreateAccountMakesDefaultMailboxes(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	a := newTestAccount(t, db, "marie@mailnet.test")
	if a.ID == 0 || a.Created.IsZero() {
		t.Fatalf("account not assigned ID/Created: %+v", a)
	}
	boxes, err := db.Mailboxes(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"INBOX": "", "Sent": `\Sent`, "Drafts": `\Drafts`, "Trash": `\Trash`, "Archive": `\Archive`, "Junk": `\Junk`}
	if len(boxes) != len(want) {
		t.Fatalf("got %d mailboxes, want %d", len(boxes), len(want))
	}
	validities := map[uint32]bool{}
	for _, m := range boxes {
		use, ok := want[m.Name]
		if !ok || use != m.SpecialUse || !m.Subscribed || m.UIDNext != 1 {
			t.Errorf("unexpected mailbox %+v", m)
		}
		if validities[m.UIDValidity] {
			t.Errorf("UIDVALIDITY %d repeated", m.UIDValidity)
		}
		validities[m.UIDValidity] = true
	}
	if _, err := db.CreateAccount(ctx, Account{Address: "marie@mailnet.test", Role: RoleCounsellor}); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate account: err = %v, want ErrExists", err)
	}
	if _, err := db.CreateAccount(ctx, Account{Address: "Upper@mailnet.test", Role: RoleCounsellor}); !errors.Is(err, ErrInvalidName) {
		t.Fatalf("upper-case address: err = %v, want ErrInvalidName", err)
	}
}

func TestUpdateAccountKeepsIdentity(t *testing.T) {
	t.Parallel()
	db := newTestDB(t)
	ctx := context.Background()
	a := newTestAccount(t, db, "marie@mailnet.test")
	got, err := db.UpdateAccount(ctx, a.Address, func(b *Account) error {
		b.ID = 99
		b.Disabled = true
		b.Role = RoleManager
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != a.ID || !got.Disabled || got.Role != RoleManager {
		t.Fatalf("updated = %+v", got)
	}
	again, err := db.AccountByID(ctx, a.ID)
	if err != nil || !again.Disabled {
		t.Fatalf("AccountByID = %+v, %v", again, err)
	}
	if _, err := db.UpdateAccount(ctx, "nobody@mailnet.test", func(*Account) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
	all, err := db.Accounts(ctx)
	if err != nil || len(all) != 1 {
		t.Fatalf("Accounts = %v, %v", all, err)
	}
}
