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

// TestAcceptAddresses checks the RCPT-time address handling: case,
// domains, syntax, and store failures passed on.
func TestAcceptAddresses(t *testing.T) {
	t.Parallel()
	store := fakeStore{"marie.dupont@mailnet.test": {ID: 7, Address: "marie.dupont@mailnet.test"}}
	r := New(store, []string{"MailNet.test"})
	tests := []struct {
		name    string
		rcpt    string
		want    string
		wantErr error
	}{
		{"exact", "marie.dupont@mailnet.test", "marie.dupont@mailnet.test", nil},
		{"case-insensitive", "Marie.Dupont@MAILNET.TEST", "marie.dupont@mailnet.test", nil},
		{"unknown local", "nobody@mailnet.test", "", ErrUnknownRecipient},
		{"foreign domain", "marie.dupont@example.org", "", ErrNotLocal},
		{"subdomain is foreign", "marie.dupont@x.mailnet.test", "", ErrNotLocal},
		{"no at", "marie.dupont", "", ErrBadAddress},
		{"empty local", "@mailnet.test", "", ErrBadAddress},
		{"space", "marie dupont@mailnet.test", "", ErrBadAddress},
		{"store failure", "broken@mailnet.test", "", errStoreDown},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := r.Accept(context.Background(), tc.rcpt)
			if !errors.Is(err, tc.wantErr) || got != tc.want {
				t.Fatalf("Accept = %q, %v; want %q, %v", got, err, tc.want, tc.wantErr)
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
