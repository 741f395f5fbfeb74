package web

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"mailnet/storage"
)

// viewer is the logged-in reader of one request and what they may see.
type viewer struct {
	sess *session
	storage.Account
	// all: an admin, who sees every team.
	all bool
	// manages are the teams the viewer manages (every team for an admin),
	// sorted.
	manages []string
	// counsellors maps each counsellor the viewer may see to their team:
	// those of the managed teams, and the viewer themself.
	counsellors map[string]string
	// teams are the caseload's teams by ID.
	teams map[string]storage.Team
}

// newViewer computes the scope of acct from the caseload.
func (s *Server) newViewer(ctx context.Context, sess *session, acct storage.Account) (*viewer, error) {
	teams, err := s.deps.Store.Teams(ctx)
	if err != nil {
		return nil, fmt.Errorf("scope: %w", err)
	}
	cs, err := s.deps.Store.Counsellors(ctx)
	if err != nil {
		return nil, fmt.Errorf("scope: %w", err)
	}
	v := &viewer{sess: sess, Account: acct, all: acct.Role == storage.RoleAdmin,
		counsellors: map[string]string{}, teams: map[string]storage.Team{}}
	for _, t := range teams {
		v.teams[t.ID] = t
		if v.all || (acct.Role == storage.RoleManager && slices.Contains(t.Managers, acct.Address)) {
			v.manages = append(v.manages, t.ID)
		}
	}
	slices.Sort(v.manages)
	for _, c := range cs {
		if slices.Contains(v.manages, c.Team) || c.Address == acct.Address {
			v.counsellors[c.Address] = c.Team
		}
	}
	if _, ok := v.counsellors[acct.Address]; !ok && len(v.manages) == 0 {
		v.counsellors[acct.Address] = "" // not in the caseload: their own (empty) figures
	}
	return v, nil
}

// isManager reports whether the viewer manages at least one team (admins
// manage all).
func (v *viewer) isManager() bool { return len(v.manages) > 0 }

// managesTeam reports whether the viewer manages team.
func (v *viewer) managesTeam(team string) bool { return slices.Contains(v.manages, team) }

// sees reports whether the viewer may see the figures, conversations and
// mail of counsellor.
func (v *viewer) sees(counsellor string) bool {
	_, ok := v.counsellors[strings.ToLower(counsellor)]
	return ok
}

// managesCounsellor reports whether counsellor is in a team the viewer
// manages: the condition of the routing actions.
func (v *viewer) managesCounsellor(counsellor string) bool {
	team, ok := v.counsellors[strings.ToLower(counsellor)]
	return ok && v.managesTeam(team)
}

// visible returns the counsellors (address → team) of the selection: one
// managed team, or with team "" all of the viewer's scope.
func (v *viewer) visible(team string) map[string]string {
	out := map[string]string{}
	for who, t := range v.counsellors {
		if team == "" || t == team {
			out[who] = t
		}
	}
	return out
}
