package auth

import (
	"testing"

	"mailnet/storage"
)

func TestAccessRules(t *testing.T) {
	t.Parallel()
	lyon3 := Unit{Team: "LYON3", Agency: "LYON"}
	lyon7 := Unit{Team: "LYON7", Agency: "LYON"}
	paris := Unit{Team: "PARIS1", Agency: "PARIS"}
	ana := Staff{Address: "ana@pes.test", Role: storage.RoleCounsellor, Unit: lyon3}
	loner := Staff{Address: "x@pes.test", Role: storage.RoleCounsellor}
	chef := Staff{Address: "chef@pes.test", Role: storage.RoleManager, Manages: []string{"LYON3"}}
	admin := Staff{Address: "root@pes.test", Role: storage.RoleAdmin}
	tests := []struct {
		name  string
		who   Staff
		owner Unit
		scope Scope
		want  bool
	}{
		{"same team, team scope", ana, lyon3, ScopeTeam, true},
		{"other team same agency, team scope", ana, lyon7, ScopeTeam, false},
		{"other team same agency, agency scope", ana, lyon7, ScopeAgency, true},
		{"other agency, agency scope", ana, paris, ScopeAgency, false},
		{"other agency, all", ana, paris, ScopeAll, true},
		{"same team, agency scope", ana, lyon3, ScopeAgency, true},
		{"no team reads nothing at team scope", loner, Unit{}, ScopeTeam, false},
		{"no agency reads nothing at agency scope", loner, Unit{}, ScopeAgency, false},
		{"manager reads all", chef, paris, ScopeTeam, true},
		{"admin reads all", admin, paris, ScopeTeam, true},
	}
	for _, tc := range tests {
		if got := CanReadColleague(tc.who, tc.owner, tc.scope); got != tc.want {
			t.Errorf("%s: CanReadColleague = %v, want %v", tc.name, got, tc.want)
		}
		if got := CanReadCase(tc.who, tc.owner, false, tc.scope); got != tc.want {
			t.Errorf("%s: CanReadCase = %v, want %v", tc.name, got, tc.want)
		}
	}
	if !CanReadCase(ana, paris, true, ScopeTeam) {
		t.Error("a linked expert cannot read the case")
	}
	if !CanAssign(chef, "LYON3") || CanAssign(chef, "LYON7") || CanAssign(ana, "LYON3") || !CanAssign(admin, "LYON7") {
		t.Error("CanAssign: only the team's managers and admins")
	}
	if CanEditAnswers(ana) || !CanEditAnswers(chef) || !CanEditAnswers(admin) {
		t.Error("CanEditAnswers: managers and admins only")
	}
	if ColleagueRights(chef, "LYON3", true) != RightsAssign || ColleagueRights(chef, "LYON3", false) != RightsRead ||
		ColleagueRights(ana, "LYON3", true) != RightsRead || AnswersRights(chef) != RightsEdit || AnswersRights(ana) != RightsRead {
		t.Error("ColleagueRights / AnswersRights")
	}
	if !RightsOwner.Has("lrsi") || RightsRead.Has("i") || !RightsAssign.Has("i") || RightsEdit.Has("a") {
		t.Error("Rights.Has")
	}
	for in, want := range map[string]Scope{"team": ScopeTeam, " Agency": ScopeAgency, "ALL": ScopeAll} {
		if got, err := ParseScope(in); err != nil || got != want {
			t.Errorf("ParseScope(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseScope("region"); err == nil {
		t.Error("ParseScope accepted region")
	}
}
