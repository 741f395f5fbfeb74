package web

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"mailnet/stats"
)

// The period of the dashboards below: the world's week and a half.
const period = "from=2027-01-11&to=2027-01-20"

func TestDashboardShowsTheManagersTeam(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.loggedIn(t, bossA)
	status, page := c.get("/dashboard?" + period)
	if status != http.StatusOK {
		t.Fatalf("dashboard: %d\n%s", status, page)
	}
	contains(t, "team A's dashboard", page, marie, karim, "<svg", `id="chart-volume"`, `id="chart-responses"`,
		`id="chart-counsellors"`, `<tr class="overdue">`, "OVERDUE", `href="/conversations/1"`, "Mon dossier",
		`action="/actions/absence"`, `name="csrf"`)
	lacks(t, "team A's dashboard", page, lucie, "Offre")
	if strings.Count(page, "OVERDUE") != 1 {
		t.Errorf("%d overdue rows, want 1 (conversation 1)", strings.Count(page, "OVERDUE"))
	}
	if status, _ := c.get("/dashboard?team=B"); status != http.StatusForbidden {
		t.Errorf("manager of A asks for team B: %d, want 403", status)
	}
	if status, page := c.get("/dashboard?team=A&" + period); status != http.StatusOK || !strings.Contains(page, "Team A") {
		t.Errorf("manager of A asks for team A: %d", status)
	}
	if status, _ := c.get("/dashboard?from=yesterday"); status != http.StatusBadRequest {
		t.Errorf("bad date: %d, want 400", status)
	}
}

func TestDashboardCounsellorSeesOnlySelf(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.loggedIn(t, karim)
	status, page := c.get("/dashboard?" + period)
	if status != http.StatusOK {
		t.Fatalf("dashboard: %d", status)
	}
	contains(t, "karim's dashboard", page, "My figures", karim, "Rendez-vous", "<svg")
	lacks(t, "karim's dashboard", page, marie, "Mon dossier", lucie, `action="/actions/`)
	if status, _ := c.get("/dashboard?team=A"); status != http.StatusForbidden {
		t.Errorf("counsellor asks for their team: %d, want 403", status)
	}
}

func TestDashboardAdminSeesEveryTeam(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	_, page := e.loggedIn(t, admin).get("/dashboard?" + period)
	contains(t, "admin's dashboard", page, marie, karim, lucie, "Mon dossier", "Rendez-vous")
}

// getStats decodes /api/stats for c.
func getStats(t *testing.T, c *client, query string) (int, stats.Report) {
	t.Helper()
	status, body := c.get("/api/stats?" + query)
	var rep stats.Report
	if status == http.StatusOK {
		if err := json.Unmarshal([]byte(body), &rep); err != nil {
			t.Fatalf("/api/stats: %v\n%s", err, body)
		}
	}
	return status, rep
}

func TestAPIStatsScopeAndFigures(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	status, rep := getStats(t, e.loggedIn(t, bossA), period)
	if status != http.StatusOK || len(rep.Teams) != 1 || rep.Teams[0].Team != "A" {
		t.Fatalf("manager of A: %d %+v", status, rep.Teams)
	}
	// Team A: conversation 1 (overdue, opened Wed 13, Jean wrote again on
	// Thu 14) and 2 (open, Tue 19): three messages received.
	if f := rep.Total; f.Received != 3 || f.PerDay[3].Received != 1 || f.UnansweredNow != 2 || f.OverdueNow != 1 || f.Answered != 0 {
		t.Errorf("team A figures %+v", f)
	}
	if status, _ := getStats(t, e.loggedIn(t, bossA), "team=B"); status != http.StatusForbidden {
		t.Errorf("manager of A, team B: %d, want 403", status)
	}
	_, rep = getStats(t, e.loggedIn(t, bossB), period)
	if f := rep.Total; len(rep.Teams) != 1 || f.Received != 1 || f.Answered != 1 || f.AnsweredInTime != 1 || f.MedianHours != 5 {
		t.Errorf("team B: teams %d, figures %+v; want lucie's answer in 5 h", len(rep.Teams), f)
	}
	_, rep = getStats(t, e.loggedIn(t, marie), period)
	var who []string
	for _, tm := range rep.Teams {
		for _, c := range tm.Counsellors {
			who = append(who, c.Counsellor)
		}
	}
	if !slices.Equal(who, []string{marie}) || rep.Total.Received != 2 {
		t.Errorf("marie sees %v with %d received, want only herself with 2", who, rep.Total.Received)
	}
	_, rep = getStats(t, e.loggedIn(t, admin), period)
	if rep.Total.Received != 4 || rep.Total.Sent != 1 || len(rep.Teams) != 2 {
		t.Errorf("admin: %d received, %d sent over %d teams, want 4 and 1 over 2", rep.Total.Received, rep.Total.Sent, len(rep.Teams))
	}
}

func TestAPIStatsCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.loggedIn(t, bossA)
	resp, err := c.http.Get(e.base + "/api/stats.csv?" + period)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != http.StatusOK || !strings.HasPrefix(ct, "text/csv") {
		t.Fatalf("CSV: %s %s", resp.Status, ct)
	}
	rows, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Header, total, team A, karim, marie.
	if len(rows) != 5 || rows[2][0] != "team" || rows[2][1] != "A" || rows[4][2] != marie || rows[4][5] != "2" {
		t.Errorf("CSV rows %q", rows)
	}
}

// conversationIDs decodes /api/conversations for c.
func conversationIDs(t *testing.T, c *client, query string) []uint64 {
	t.Helper()
	status, body := c.get("/api/conversations?" + query)
	if status != http.StatusOK {
		t.Fatalf("/api/conversations?%s: %d %s", query, status, body)
	}
	var list []struct {
		ID      uint64 `json:"id"`
		Overdue bool   `json:"overdue"`
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil {
		t.Fatal(err)
	}
	var ids []uint64
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	return ids
}

func TestAPIConversationsScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	a := e.loggedIn(t, bossA)
	if got := conversationIDs(t, a, "open=1"); !slices.Equal(got, []uint64{1, 2}) {
		t.Errorf("manager of A, open: %v, want [1 2]", got)
	}
	if got := conversationIDs(t, a, "overdue=1"); !slices.Equal(got, []uint64{1}) {
		t.Errorf("manager of A, overdue: %v, want [1]", got)
	}
	if got := conversationIDs(t, e.loggedIn(t, admin), period); !slices.Equal(got, []uint64{1, 2, 3}) {
		t.Errorf("admin, period: %v, want [1 2 3]", got)
	}
	k := e.loggedIn(t, karim)
	if got := conversationIDs(t, k, "open=1"); !slices.Equal(got, []uint64{2}) {
		t.Errorf("karim, open: %v, want [2]", got)
	}
	for _, tc := range []struct {
		c    *client
		id   string
		want int
	}{{a, "1", 200}, {a, "3", 403}, {k, "1", 403}, {k, "2", 200}, {a, "99", 404}, {a, "x", 404}} {
		if status, body := tc.c.get("/api/conversations/" + tc.id); status != tc.want {
			t.Errorf("conversation %s: %d, want %d\n%s", tc.id, status, tc.want, body)
		}
	}
}

func TestMetricsAndAutoconfigMounted(t *testing.T) {
	t.Parallel()
	named := func(name string) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(name + " " + r.URL.Path)) })
	}
	e := newEnv(t, func(d *Deps) { d.Metrics, d.Autoconfig = named("metrics"), named("autoconfig") })
	c := e.client(t)
	for path, want := range map[string]string{
		"/metrics": "metrics /metrics",
		"/.well-known/autoconfig/mail/config-v1.1.xml": "autoconfig /.well-known/autoconfig/mail/config-v1.1.xml",
		"/mail/config-v1.1.xml":                        "autoconfig /mail/config-v1.1.xml",
	} {
		if status, body := c.get(path); status != http.StatusOK || body != want {
			t.Errorf("GET %s: %d %q, want %q", path, status, body, want)
		}
	}
	if status, _ := newEnv(t).client(t).get("/metrics"); status != http.StatusNotFound {
		t.Errorf("/metrics without a handler: %d, want 404", status)
	}
}

// TestMetricsOnlyFromAllowedNetworks: /metrics answers the networks of
// MetricsFrom only.
func TestMetricsOnlyFromAllowedNetworks(t *testing.T) {
	t.Parallel()
	s := &Server{cfg: Config{MetricsFrom: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}}}
	h := s.metricsGuard(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("ok")) }))
	for remote, want := range map[string]int{"10.1.2.3:4000": http.StatusOK, "[::1]:4000": http.StatusOK,
		"127.0.0.1:4000": http.StatusForbidden, "192.0.2.1:4000": http.StatusForbidden} {
		r := httptest.NewRequest(http.MethodGet, "/metrics", nil)
		r.RemoteAddr = remote
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != want {
			t.Errorf("/metrics from %s: %d, want %d", remote, w.Code, want)
		}
	}
}
