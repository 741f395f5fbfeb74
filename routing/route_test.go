package routing

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"mailnet/storage"
)

const domain = "pes.test"

// Times of the fixture, in UTC: Marie is away on 1 December from 09:00 to
// 17:00 (Paul substitutes), and on 2 December from 09:00 to 18:00 (the
// manager substitutes) with, set later, 12:00 to 14:00 given to Ana.
var (
	created  = time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	dec1     = func(h, m int) time.Time { return time.Date(2026, 12, 1, h, m, 0, 0, time.UTC) }
	dec2     = func(h, m int) time.Time { return time.Date(2026, 12, 2, h, m, 0, 0, time.UTC) }
	outOfAll = time.Date(2026, 12, 10, 10, 0, 0, 0, time.UTC)
)

// newFixture returns a fresh caseload; tests that change it get their own.
func newFixture() *caseStore {
	return &caseStore{
		accounts: []storage.Account{
			{ID: 1, Address: "marie@pes.test", Name: "Marie Dupont"},
			{ID: 2, Address: "paul@pes.test", Name: "Paul Durand"},
			{ID: 3, Address: "chef@pes.test", Name: "Chef", Role: storage.RoleManager},
			{ID: 4, Address: "expert@pes.test", Name: "Eva Expert"},
			{ID: 5, Address: "ana@pes.test", Name: "Ana Silva"},
			{ID: 6, Address: "adjoint@pes.test", Name: "Adjoint", Role: storage.RoleManager},
		},
		teams: []storage.Team{
			{ID: "LYON3", Managers: []string{"chef@pes.test", "Adjoint@pes.test"}, ServiceAddresses: []string{"Contact@PES.test"}},
			{ID: "EMPTY", Managers: []string{"ghost@pes.test"}, ServiceAddresses: []string{"vide@pes.test"}},
		},
		clients: []storage.Client{
			{ID: "J1", Kind: storage.ClientJobseeker, Name: "Jean Martin", Emails: []string{"jean@mail.test"}, Counsellor: "marie@pes.test"},
			{ID: "E1", Kind: storage.ClientEmployer, Name: "Acme / Sud", Domains: []string{"acme.test"}, Counsellor: "marie@pes.test"},
			{ID: "J2", Kind: storage.ClientJobseeker, Name: "Zoé", Emails: []string{"zoe@mail.test"}, Counsellor: "ghost@pes.test"},
		},
		absences: []storage.Absence{
			{ID: 1, Counsellor: "marie@pes.test", From: dec1(9, 0), To: dec1(17, 0), Substitute: "paul@pes.test", Created: created},
			{ID: 2, Counsellor: "marie@pes.test", From: dec2(9, 0), To: dec2(18, 0), Substitute: "chef@pes.test", Created: created},
			{ID: 3, Counsellor: "marie@pes.test", From: dec2(12, 0), To: dec2(14, 0), Substitute: "ana@pes.test", Created: created.Add(time.Hour)},
			{ID: 4, Counsellor: "paul@pes.test", From: dec1(0, 0), To: dec2(0, 0), Substitute: "ana@pes.test", Created: created},
		},
		links: []storage.CaseLink{{Client: "J1", Expert: "expert@pes.test", Reason: "benefits"}},
	}
}

// verified and forged build the sender part of a Message.
func verified(from string) Message {
	return Message{From: from, VerifiedDomain: from[strings.LastIndexByte(from, '@')+1:], At: outOfAll}
}

func forged(from string) Message { return Message{From: from, At: outOfAll} }

func (m Message) to(at time.Time, rcpts ...string) Message {
	m.Recipients, m.At = rcpts, at
	return m
}

// summary renders targets as "account folder route" lines.
func summary(ts []Target) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Account.Address + " " + t.Mailbox + " " + string(t.Route)
	}
	return out
}

func TestRoute(t *testing.T) {
	t.Parallel()
	r := New(newFixture(), []string{domain})
	tests := []struct {
		name       string
		msg        Message
		want       []string
		wantClient string
		wantReason string // substring of the first target's reason
	}{
		{"direct address", forged("x@else.test").to(outOfAll, "Marie@PES.test"),
			[]string{"marie@pes.test INBOX personal"}, "", "personal address"},
		{"absence starts at the minute", forged("x@else.test").to(dec1(9, 0), "marie@pes.test"),
			[]string{"marie@pes.test INBOX personal", "paul@pes.test Substitute/marie substitute"}, "", "copy to substitute paul@pes.test"},
		{"before absence", forged("x@else.test").to(dec1(8, 59), "marie@pes.test"),
			[]string{"marie@pes.test INBOX personal"}, "", ""},
		{"last minute of absence", forged("x@else.test").to(dec1(16, 59), "marie@pes.test"),
			[]string{"marie@pes.test INBOX personal", "paul@pes.test Substitute/marie substitute"}, "", ""},
		{"absence ends exclusive", forged("x@else.test").to(dec1(17, 0), "marie@pes.test"),
			[]string{"marie@pes.test INBOX personal"}, "", ""},
		{"overlap: latest absence wins", forged("x@else.test").to(dec2(13, 0), "marie@pes.test"),
			[]string{"marie@pes.test INBOX personal", "ana@pes.test Substitute/marie substitute"}, "", ""},
		{"overlap: older absence outside newer", forged("x@else.test").to(dec2(14, 0), "marie@pes.test"),
			[]string{"marie@pes.test INBOX personal", "chef@pes.test Substitute/marie substitute"}, "", ""},
		{"substitute absent too: no chaining", forged("x@else.test").to(dec1(10, 0), "marie@pes.test", "paul@pes.test"),
			[]string{"marie@pes.test INBOX personal", "paul@pes.test Substitute/marie substitute",
				"paul@pes.test INBOX personal", "ana@pes.test Substitute/paul substitute"}, "", ""},
		{"service address, known client", verified("Jean@mail.test").to(outOfAll, "contact@pes.test"),
			[]string{"marie@pes.test INBOX personal", "expert@pes.test Linked/J1 Jean Martin expert"}, "J1", "client J1"},
		{"service address, known client, counsellor absent", verified("jean@mail.test").to(dec1(12, 0), "CONTACT@pes.test"),
			[]string{"marie@pes.test INBOX personal", "paul@pes.test Substitute/marie substitute",
				"expert@pes.test Linked/J1 Jean Martin expert"}, "J1", ""},
		{"service address, unknown sender", verified("stranger@else.test").to(outOfAll, "contact@pes.test"),
			[]string{"adjoint@pes.test Dispatch/LYON3 dispatch", "chef@pes.test Dispatch/LYON3 dispatch"}, "", "unknown sender"},
		{"service address, forged client From", forged("jean@mail.test").to(outOfAll, "contact@pes.test"),
			[]string{"adjoint@pes.test Dispatch/LYON3 dispatch", "chef@pes.test Dispatch/LYON3 dispatch"}, "", "sender not verified"},
		{"verified domain of another From", Message{From: "jean@mail.test", VerifiedDomain: "else.test"}.to(outOfAll, "contact@pes.test"),
			[]string{"adjoint@pes.test Dispatch/LYON3 dispatch", "chef@pes.test Dispatch/LYON3 dispatch"}, "", "sender not verified"},
		{"service address, no From", Message{}.to(outOfAll, "contact@pes.test"),
			[]string{"adjoint@pes.test Dispatch/LYON3 dispatch", "chef@pes.test Dispatch/LYON3 dispatch"}, "", "no valid From"},
		{"employer domain", verified("rh@ACME.test").to(outOfAll, "contact@pes.test"),
			[]string{"marie@pes.test INBOX personal"}, "E1", "client E1"},
		{"jobseeker domain does not match", verified("other@mail.test").to(outOfAll, "contact@pes.test"),
			[]string{"adjoint@pes.test Dispatch/LYON3 dispatch", "chef@pes.test Dispatch/LYON3 dispatch"}, "", "unknown sender"},
		{"counsellor without account: dispatch", verified("zoe@mail.test").to(outOfAll, "contact@pes.test"),
			[]string{"adjoint@pes.test Dispatch/LYON3 dispatch", "chef@pes.test Dispatch/LYON3 dispatch"}, "J2", "has no account"},
		{"linked expert on direct mail", verified("jean@mail.test").to(outOfAll, "marie@pes.test"),
			[]string{"marie@pes.test INBOX personal", "expert@pes.test Linked/J1 Jean Martin expert"}, "J1", ""},
		{"forged client gets no expert copy", forged("jean@mail.test").to(outOfAll, "marie@pes.test"),
			[]string{"marie@pes.test INBOX personal"}, "", ""},
		{"deduplicated per account and folder", verified("jean@mail.test").to(outOfAll, "marie@pes.test", "contact@pes.test", "expert@pes.test"),
			[]string{"marie@pes.test INBOX personal", "expert@pes.test INBOX personal", "expert@pes.test Linked/J1 Jean Martin expert"}, "J1", "personal address"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := r.Route(context.Background(), tc.msg)
			if err != nil {
				t.Fatalf("Route: %v", err)
			}
			if got := summary(d.Targets); strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Fatalf("targets:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			gotClient := ""
			if d.Client != nil {
				gotClient = d.Client.ID
			}
			if gotClient != tc.wantClient {
				t.Errorf("client = %q, want %q", gotClient, tc.wantClient)
			}
			for _, tg := range d.Targets {
				if tg.Reason == "" {
					t.Errorf("target %s %s has no reason", tg.Account.Address, tg.Mailbox)
				}
			}
			if !strings.Contains(d.Targets[0].Reason, tc.wantReason) {
				t.Errorf("reason %q does not contain %q", d.Targets[0].Reason, tc.wantReason)
			}
		})
	}
}

func TestRouteErrors(t *testing.T) {
	t.Parallel()
	r := New(newFixture(), []string{domain})
	tests := []struct {
		name    string
		rcpts   []string
		wantErr error
	}{
		{"unknown account", []string{"nobody@pes.test"}, ErrUnknownRecipient},
		{"unknown after a good one", []string{"marie@pes.test", "nobody@pes.test"}, ErrUnknownRecipient},
		{"foreign domain", []string{"marie@else.test"}, ErrNotLocal},
		{"malformed", []string{"marie"}, ErrBadAddress},
		{"dispatch without manager account", []string{"vide@pes.test"}, ErrNoDispatch},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := r.Route(context.Background(), forged("x@else.test").to(outOfAll, tc.rcpts...))
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err = %v, want %v", err, tc.wantErr)
			}
		})
	}
}

func TestAccept(t *testing.T) {
	t.Parallel()
	r := New(newFixture(), []string{domain})
	tests := []struct {
		rcpt    string
		want    string
		wantErr error
	}{
		{"Marie@pes.test", "marie@pes.test", nil},
		{"contact@PES.TEST", "contact@pes.test", nil},
		{"nobody@pes.test", "", ErrUnknownRecipient},
		{"contact@else.test", "", ErrNotLocal},
	}
	for _, tc := range tests {
		t.Run(tc.rcpt, func(t *testing.T) {
			t.Parallel()
			got, err := r.Accept(context.Background(), tc.rcpt)
			if got != tc.want || !errors.Is(err, tc.wantErr) {
				t.Fatalf("Accept(%q) = %q, %v; want %q, %v", tc.rcpt, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

// TestRouteReassignment: a new personal counsellor receives the client's
// next message at once, because routing reads the current assignment.
func TestRouteReassignment(t *testing.T) {
	t.Parallel()
	store := newFixture()
	r := New(store, []string{domain})
	msg := verified("jean@mail.test").to(outOfAll, "contact@pes.test")
	for _, tc := range []struct{ counsellor, want string }{
		{"marie@pes.test", "marie@pes.test INBOX personal"},
		{"ana@pes.test", "ana@pes.test INBOX personal"},
	} {
		store.clients[0].Counsellor = tc.counsellor
		d, err := r.Route(context.Background(), msg)
		if err != nil {
			t.Fatal(err)
		}
		if got := summary(d.Targets)[0]; got != tc.want {
			t.Fatalf("after assigning %s: first target %q, want %q", tc.counsellor, got, tc.want)
		}
	}
}

func TestSenderAllowed(t *testing.T) {
	t.Parallel()
	r := New(newFixture(), []string{domain})
	paul := storage.Account{ID: 2, Address: "paul@pes.test"}
	ana := storage.Account{ID: 5, Address: "ana@pes.test"}
	tests := []struct {
		name       string
		auth       storage.Account
		from       string
		at         time.Time
		wantSender string
		wantOK     bool
		wantErr    error
	}{
		{"own address", paul, "Paul@pes.test", outOfAll, "", true, nil},
		{"substitute during absence", paul, "marie@pes.test", dec1(9, 0), "paul@pes.test", true, nil},
		{"substitute last minute", paul, "marie@pes.test", dec1(16, 59), "paul@pes.test", true, nil},
		{"substitute after absence", paul, "marie@pes.test", dec1(17, 0), "", false, nil},
		{"substitute before absence", paul, "marie@pes.test", dec1(8, 59), "", false, nil},
		{"not the substitute", ana, "marie@pes.test", dec1(10, 0), "", false, nil},
		{"newer overlapping absence", ana, "marie@pes.test", dec2(13, 0), "ana@pes.test", true, nil},
		{"older substitute replaced", paul, "marie@pes.test", dec2(13, 0), "", false, nil},
		{"malformed From", paul, "marie", outOfAll, "", false, ErrBadAddress},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sender, ok, err := r.SenderAllowed(context.Background(), tc.auth, tc.from, tc.at)
			if sender != tc.wantSender || ok != tc.wantOK || !errors.Is(err, tc.wantErr) {
				t.Fatalf("SenderAllowed = %q, %v, %v; want %q, %v, %v",
					sender, ok, err, tc.wantSender, tc.wantOK, tc.wantErr)
			}
		})
	}
}
