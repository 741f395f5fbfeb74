package routing

import (
	"context"
	"testing"
	"time"

	"mailnet/storage"
)

func TestAnsweredClient(t *testing.T) {
	t.Parallel()
	store := newFixture()
	r := New(store, []string{domain})
	acc := func(addr string) storage.Account {
		a, err := store.Account(context.Background(), addr)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	tests := []struct {
		name       string
		account    string
		recipients []string
		at         time.Time
		want       string // client ID, "" for none
	}{
		{"personal counsellor", "marie@pes.test", []string{"Jean@Mail.test"}, outOfAll, "J1"},
		{"substitute during absence", "paul@pes.test", []string{"jean@mail.test"}, dec1(10, 0), "J1"},
		{"substitute after absence", "paul@pes.test", []string{"jean@mail.test"}, dec1(17, 0), ""},
		{"linked expert", "expert@pes.test", []string{"jean@mail.test"}, outOfAll, "J1"},
		{"colleague", "ana@pes.test", []string{"jean@mail.test"}, outOfAll, ""},
		{"expert of another case", "expert@pes.test", []string{"zoe@mail.test"}, outOfAll, ""},
		{"not a client", "marie@pes.test", []string{"paul@pes.test", "x@elsewhere.test"}, outOfAll, ""},
		{"client among others", "marie@pes.test", []string{"bad address", "paul@pes.test", "jean@mail.test"}, outOfAll, "J1"},
		{"no recipients", "marie@pes.test", nil, outOfAll, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := r.AnsweredClient(context.Background(), acc(tc.account), tc.recipients, tc.at)
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if c != nil {
				got = c.ID
			}
			if got != tc.want {
				t.Fatalf("AnsweredClient = %q, want %q", got, tc.want)
			}
		})
	}
}
