package routing

import (
	"context"
	"slices"
	"strings"
	"time"

	"mailnet/storage"
)

// The accounts-only fakeStore of router_test.go has no caseload.

func (fakeStore) Teams(context.Context) ([]storage.Team, error) { return nil, nil }

func (fakeStore) ClientByEmail(context.Context, string) (storage.Client, error) {
	return storage.Client{}, storage.ErrNotFound
}

func (fakeStore) ClientByDomain(context.Context, string) (storage.Client, error) {
	return storage.Client{}, storage.ErrNotFound
}

func (fakeStore) ActiveAbsence(context.Context, string, time.Time) (storage.Absence, error) {
	return storage.Absence{}, storage.ErrNotFound
}

func (fakeStore) CaseLinks(context.Context, string) ([]storage.CaseLink, error) { return nil, nil }

// caseStore is a read-only in-memory Store built from a fixture. Its
// ActiveAbsence follows storage: among covering absences the latest
// created wins.
type caseStore struct {
	accounts []storage.Account
	teams    []storage.Team
	clients  []storage.Client
	absences []storage.Absence
	links    []storage.CaseLink
}

var _ Store = (*caseStore)(nil)

func (s *caseStore) Account(_ context.Context, addr string) (storage.Account, error) {
	for _, a := range s.accounts {
		if a.Address == addr {
			return a, nil
		}
	}
	return storage.Account{}, storage.ErrNotFound
}

func (s *caseStore) Teams(context.Context) ([]storage.Team, error) {
	out := slices.Clone(s.teams)
	slices.SortFunc(out, func(a, b storage.Team) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (s *caseStore) ClientByEmail(_ context.Context, addr string) (storage.Client, error) {
	for _, c := range s.clients {
		if slices.Contains(c.Emails, strings.ToLower(addr)) {
			return c, nil
		}
	}
	return storage.Client{}, storage.ErrNotFound
}

func (s *caseStore) ClientByDomain(_ context.Context, domain string) (storage.Client, error) {
	for _, c := range s.clients {
		if slices.Contains(c.Domains, strings.ToLower(domain)) {
			return c, nil
		}
	}
	return storage.Client{}, storage.ErrNotFound
}

func (s *caseStore) ActiveAbsence(_ context.Context, counsellor string, at time.Time) (storage.Absence, error) {
	var best storage.Absence
	for _, a := range s.absences {
		if a.Counsellor == counsellor && a.Covers(at) && (best.ID == 0 || a.Created.After(best.Created)) {
			best = a
		}
	}
	if best.ID == 0 {
		return best, storage.ErrNotFound
	}
	return best, nil
}

func (s *caseStore) CaseLinks(_ context.Context, client string) ([]storage.CaseLink, error) {
	var out []storage.CaseLink
	for _, l := range s.links {
		if l.Client == client {
			out = append(out, l)
		}
	}
	return out, nil
}
