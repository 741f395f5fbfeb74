package routing

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"mailnet/storage"
)

// serviceTeam returns the team one of whose service addresses is addr
// (lower-cased), comparing case-insensitively. Teams come ordered by ID,
// so an address shared by two teams (a configuration fault) goes to the
// first one.
func (r *Router) serviceTeam(ctx context.Context, addr string) (storage.Team, bool, error) {
	teams, err := r.store.Teams(ctx)
	if err != nil {
		return storage.Team{}, false, fmt.Errorf("list teams: %w", err)
	}
	for _, t := range teams {
		for _, a := range t.ServiceAddresses {
			if strings.EqualFold(a, addr) {
				return t, true, nil
			}
		}
	}
	return storage.Team{}, false, nil
}

// dispatch returns one target per manager of team that has an account, in
// the folder DispatchFolder(team.ID), ordered by manager address.
func (r *Router) dispatch(ctx context.Context, addr string, team storage.Team, why string) ([]Target, error) {
	managers := make([]string, 0, len(team.Managers))
	for _, m := range team.Managers {
		managers = append(managers, strings.ToLower(m))
	}
	slices.Sort(managers)
	managers = slices.Compact(managers)
	folder := DispatchFolder(team.ID)
	var out []Target
	for _, m := range managers {
		acc, err := r.account(ctx, m)
		if errors.Is(err, ErrUnknownRecipient) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, Target{Address: addr, Account: acc, Mailbox: folder, Route: RouteDispatch,
			Reason: fmt.Sprintf("dispatch of team %s: %s", team.ID, why)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("team %s: %w", team.ID, ErrNoDispatch)
	}
	return out, nil
}
