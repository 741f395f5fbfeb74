package auth

import (
	"fmt"
	"slices"
	"strings"

	"mailnet/storage"
)

// Scope is how far a counsellor's read access to colleagues' mail and to
// clients' cases reaches: their own team, their agency, or everyone.
// Managers and admins read everything whatever the scope.
type Scope string

// The scopes of shared reading.
const (
	ScopeTeam   Scope = "team"
	ScopeAgency Scope = "agency"
	ScopeAll    Scope = "all"
)

// ParseScope returns the Scope named by s.
func ParseScope(s string) (Scope, error) {
	switch sc := Scope(strings.ToLower(strings.TrimSpace(s))); sc {
	case ScopeTeam, ScopeAgency, ScopeAll:
		return sc, nil
	}
	return "", fmt.Errorf("parse scope %q: %w", s, ErrInvalidScope)
}

// Rights are RFC 4314 access rights, as the letters IMAP shows.
type Rights string

// The rights a session can have on a mailbox.
const (
	// RightsOwner: everything, on one's own mailboxes.
	RightsOwner Rights = "lrswipkxtea"
	// RightsRead: look up, read, and keep one's own \Seen marks.
	RightsRead Rights = "lrs"
	// RightsAssign: read, and insert — a manager files a dispatched
	// message into a counsellor's INBOX of their team.
	RightsAssign Rights = "lrsi"
	// RightsEdit: what managers have on the answer repository: read,
	// write flags, insert, create, delete and expunge; not administer.
	RightsEdit Rights = "lrswipkxte"
)

// Has reports whether r includes every right in want.
func (r Rights) Has(want Rights) bool {
	for _, c := range want {
		if !strings.ContainsRune(string(r), c) {
			return false
		}
	}
	return true
}

// Unit places mail or a case in the organisation: the team (and its
// agency) of the counsellor it belongs to.
type Unit struct {
	Team   string
	Agency string
}

// Staff is what access decisions know of a logged-in account.
type Staff struct {
	Address string
	Role    storage.Role
	// Unit is the counsellor's team and agency; empty for staff without
	// a caseload (an admin, a manager who is not also a counsellor).
	Unit Unit
	// Manages lists the teams whose managers include Address.
	Manages []string
}

// ReadsAll reports whether s reads every mailbox and case: managers and
// admins do.
func (s Staff) ReadsAll() bool { return s.Role == storage.RoleManager || s.Role == storage.RoleAdmin }

// inScope reports whether u is within reach of s under scope.
func (s Staff) inScope(u Unit, scope Scope) bool {
	switch scope {
	case ScopeAll:
		return true
	case ScopeAgency:
		if s.Unit.Agency != "" && s.Unit.Agency == u.Agency {
			return true
		}
	}
	return s.Unit.Team != "" && s.Unit.Team == u.Team
}

// CanReadColleague reports whether s may read, read-only, the INBOX and
// Sent of a colleague whose unit is owner.
func CanReadColleague(s Staff, owner Unit, scope Scope) bool {
	return s.ReadsAll() || s.inScope(owner, scope)
}

// CanReadCase reports whether s may read the archived exchange with a
// client whose personal counsellor is in unit; linked tells that s is an
// expert linked to that case.
func CanReadCase(s Staff, unit Unit, linked bool, scope Scope) bool {
	return linked || s.ReadsAll() || s.inScope(unit, scope)
}

// CanAssign reports whether s may assign the dispatched mail of team: its
// managers and admins may.
func CanAssign(s Staff, team string) bool {
	return s.Role == storage.RoleAdmin || slices.Contains(s.Manages, team)
}

// CanEditAnswers reports whether s may write to the answer repository.
func CanEditAnswers(s Staff) bool { return s.ReadsAll() }

// ColleagueRights are s's rights on a colleague's INBOX (inbox true) or
// Sent of team: read, and insert on the INBOX for who may assign the
// team's dispatched mail. Reading itself is CanReadColleague's decision.
func ColleagueRights(s Staff, team string, inbox bool) Rights {
	if inbox && CanAssign(s, team) {
		return RightsAssign
	}
	return RightsRead
}

// AnswersRights are s's rights on the answer repository.
func AnswersRights(s Staff) Rights {
	if CanEditAnswers(s) {
		return RightsEdit
	}
	return RightsRead
}
