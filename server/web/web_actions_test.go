package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestActionsRefusedWithoutCSRFToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.loggedIn(t, bossA)
	for _, tc := range []struct {
		path string
		form url.Values
	}{
		{"/actions/assign", url.Values{"client": {"J1"}, "counsellor": {karim}}},
		{"/actions/absence", url.Values{"counsellor": {marie}, "substitute": {karim}, "from": {"2027-01-21"}, "to": {"2027-01-25"}}},
		{"/actions/link", url.Values{"client": {"J1"}, "expert": {lucie}, "reason": {"x"}}},
		{"/logout", url.Values{}},
	} {
		for _, token := range []string{"", "forged"} {
			form := url.Values{}
			for k, v := range tc.form {
				form[k] = v
			}
			if token != "" {
				form.Set("csrf", token)
			}
			if resp, _ := c.post(tc.path, form); resp.StatusCode != http.StatusForbidden {
				t.Errorf("POST %s with token %q: %s, want 403", tc.path, token, resp.Status)
			}
		}
	}
	if cl, _ := e.db.Client(t.Context(), "J1"); cl.Counsellor != marie {
		t.Errorf("J1 reassigned to %s by a refused POST", cl.Counsellor)
	}
	if abs, _ := e.db.Absences(t.Context(), marie); len(abs) != 0 {
		t.Errorf("absence set by a refused POST: %+v", abs)
	}
	if links, _ := e.db.CaseLinks(t.Context(), "J1"); len(links) != 0 {
		t.Errorf("case linked by a refused POST: %+v", links)
	}
	if status, _ := c.get("/api/me"); status != http.StatusOK {
		t.Errorf("logout without token ended the session")
	}
}

// act posts a form with the session's token and returns the redirect's
// outcome message.
func (c *client) act(path string, form url.Values) string {
	c.t.Helper()
	form.Set("csrf", c.csrf)
	resp, body := c.post(path, form)
	if resp.StatusCode != http.StatusSeeOther {
		c.t.Fatalf("POST %s: %s\n%s", path, resp.Status, body)
	}
	u, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		c.t.Fatal(err)
	}
	if f := u.Query().Get("failed"); f != "" {
		return "failed: " + f
	}
	return u.Query().Get("done")
}

func TestManagerActions(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.loggedIn(t, bossA)
	ctx := t.Context()

	if got := c.act("/actions/assign", url.Values{"client": {"J1"}, "counsellor": {karim}}); !strings.Contains(got, "now followed by") {
		t.Errorf("assign: %s", got)
	}
	if cl, _ := e.db.Client(ctx, "J1"); cl.Counsellor != karim {
		t.Errorf("J1 followed by %s, want karim", cl.Counsellor)
	}
	if got := c.act("/actions/absence", url.Values{"counsellor": {marie}, "substitute": {karim}, "from": {"2027-01-21"}, "to": {"2027-01-25"}}); !strings.Contains(got, "Absence") {
		t.Errorf("absence: %s", got)
	}
	abs, err := e.db.Absences(ctx, marie)
	if err != nil || len(abs) != 1 || abs[0].SetBy != bossA || abs[0].Substitute != karim || !abs[0].From.Equal(paris(t, "2027-01-21 00:00")) {
		t.Errorf("absences %+v %v", abs, err)
	}
	if got := c.act("/actions/link", url.Values{"client": {"J2"}, "expert": {lucie}, "reason": {"benefits"}}); !strings.Contains(got, "linked") {
		t.Errorf("link: %s", got)
	}
	links, err := e.db.CaseLinks(ctx, "J2")
	if err != nil || len(links) != 1 || links[0].SetBy != bossA || links[0].Expert != lucie {
		t.Errorf("case links %+v %v", links, err)
	}
	// Who did it is in the caseload change log.
	changes, err := e.db.Changes(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	byBoss := 0
	for _, ch := range changes {
		if ch.Actor == bossA {
			byBoss++
		}
	}
	if byBoss != 3 {
		t.Errorf("%d changes logged under %s, want 3: %+v", byBoss, bossA, changes)
	}
}

func TestManagerActionsStayInScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.loggedIn(t, bossA)
	for _, tc := range []struct {
		path string
		form url.Values
	}{
		{"/actions/assign", url.Values{"client": {"E1"}, "counsellor": {karim}}}, // client of team B
		{"/actions/assign", url.Values{"client": {"J1"}, "counsellor": {lucie}}}, // counsellor of team B
		{"/actions/absence", url.Values{"counsellor": {lucie}, "substitute": {karim}, "from": {"2027-01-21"}, "to": {"2027-01-25"}}},
		{"/actions/absence", url.Values{"counsellor": {marie}, "substitute": {karim}, "from": {"2027-01-25"}, "to": {"2027-01-21"}}},
		{"/actions/link", url.Values{"client": {"E1"}, "expert": {marie}, "reason": {"x"}}},
		{"/actions/link", url.Values{"client": {"J1"}, "expert": {"nobody@mailnet.test"}, "reason": {"x"}}},
	} {
		if got := c.act(tc.path, tc.form); !strings.HasPrefix(got, "failed: ") {
			t.Errorf("POST %s %v: %q, want a refusal", tc.path, tc.form, got)
		}
	}
	if changes, _ := e.db.Changes(t.Context(), 0, 0); len(changes) != 0 && changes[len(changes)-1].Actor == bossA {
		t.Errorf("a refused action changed the caseload: %+v", changes[len(changes)-1])
	}
	k := e.loggedIn(t, karim)
	form := url.Values{"client": {"J1"}, "counsellor": {karim}, "csrf": {k.csrf}}
	if resp, _ := k.post("/actions/assign", form); resp.StatusCode != http.StatusForbidden {
		t.Errorf("counsellor's action: %s, want 403", resp.Status)
	}
}
