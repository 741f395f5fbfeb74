package routing

import (
	"context"
	"errors"
	"testing"

	"mailnet/storage"
)

type fakeStore map[string]storage.Account

var errStoreDown = errors.New("store down")

func (f fakeStore) Account(_ context.Context, addr string) (storage.Account, error) {
	if addr == "broken@mailnet.test" {
		return storage.Account{}, errStoreDown
	}
	a, ok := f[addr]
	if !ok {
		return storage.Account{}, storage.ErrNotFound
	}
	return a, nil
}

func TestRecipient(t *testing.T) {
	t.Parallel()
	store := fakeStore{"marie.dupont@mailnet.test": {ID: 7, Address: "marie.dupont@mailnet.test"}}
	r := New(store, []string{"MailNet.test"})
	tests := []struct {
		name    string
		rcpt    string
		wantID  uint64
		wantErr error
	}{
		{"exact", "marie.dupont@mailnet.test", 7, nil},
		{"case-insensitive", "Marie.Dupont@MAILNET.TEST", 7, nil},
		{"unknown local", "nobody@mailnet.test", 0, ErrUnknownRecipient},
		{"foreign domain", "marie.dupont@example.org", 0, ErrNotLocal},
		{"subdomain is foreign", "marie.dupont@x.mailnet.test", 0, ErrNotLocal},
		{"no at", "marie.dupont", 0, ErrBadAddress},
		{"empty local", "@mailnet.test", 0, ErrBadAddress},
		{"space", "marie dupont@mailnet.test", 0, ErrBadAddress},
		{"store failure", "broken@mailnet.test", 0, errStoreDown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := r.Recipient(context.Background(), tc.rcpt)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
			if err == nil && (got.Account.ID != tc.wantID || got.Mailbox != "INBOX") {
				t.Fatalf("target = %+v", got)
			}
		})
	}
}

func TestDeliveriesDeduplicates(t *testing.T) {
	t.Parallel()
	a := storage.Account{ID: 1}
	b := storage.Account{ID: 2}
	got := Deliveries([]Target{{Account: a, Mailbox: "INBOX"}, {Account: b, Mailbox: "INBOX"}, {Account: a, Mailbox: "INBOX"}})
	if len(got) != 2 || got[0].Account != 1 || got[1].Account != 2 {
		t.Fatalf("deliveries = %+v", got)
	}
}

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"a@b.c", "A@B", "@", "a@", "x@.y", "é@ü.fr"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		addr, domain, err := Canonical(s)
		if err != nil {
			return
		}
		if addr == "" || domain == "" || len(domain) >= len(addr) {
			t.Fatalf("Canonical(%q) = %q, %q", s, addr, domain)
		}
	})
}
