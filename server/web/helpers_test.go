package web

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/netip"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"mailnet/auth"
	"mailnet/routing/sla"
	"mailnet/server/control"
	"mailnet/storage"
)

// The test world: team A (manager boss.a, counsellors marie and karim),
// team B (manager boss.b, counsellor lucie), an admin; seen on Wednesday
// 20 January 2027 at noon, Paris time.
const (
	admin    = "admin@mailnet.test"
	bossA    = "boss.a@mailnet.test"
	bossB    = "boss.b@mailnet.test"
	marie    = "marie@mailnet.test"
	karim    = "karim@mailnet.test"
	lucie    = "lucie@mailnet.test"
	password = "correct horse battery"
)

// testParams make the test hashes cheap; the Authenticator is told.
var testParams = auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// recorder is an Auditor that keeps the entries, or fails when told.
type recorder struct {
	mu      sync.Mutex
	entries []AuditEntry
	fail    bool
}

func (r *recorder) Audit(_ context.Context, e AuditEntry) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.fail {
		return fmt.Errorf("audit log unavailable")
	}
	r.entries = append(r.entries, e)
	return nil
}

func (r *recorder) all() []AuditEntry {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]AuditEntry(nil), r.entries...)
}

// env is a dashboard over a real store, served on 127.0.0.1.
type env struct {
	db    *storage.DB
	srv   *Server
	base  string
	audit *recorder
	now   time.Time
	cal   *sla.Calendar
	accts map[string]storage.Account
}

func paris(t testing.TB, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// newEnv builds the world and serves the dashboard; deps fields set by
// modify (Metrics, Autoconfig) are kept.
func newEnv(t *testing.T, modify ...func(*Deps)) *env {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(filepath.Join(t.TempDir(), "mailnet.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	cal, err := sla.New(sla.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	e := &env{db: db, audit: &recorder{}, now: paris(t, "2027-01-20 12:00"), cal: cal, accts: map[string]storage.Account{}}
	hash, err := auth.HashPasswordParams(password, testParams)
	if err != nil {
		t.Fatal(err)
	}
	roles := map[string]storage.Role{admin: storage.RoleAdmin, bossA: storage.RoleManager, bossB: storage.RoleManager,
		marie: storage.RoleCounsellor, karim: storage.RoleCounsellor, lucie: storage.RoleCounsellor}
	for addr, role := range roles {
		a, err := db.CreateAccount(ctx, storage.Account{Address: addr, Role: role, PasswordHash: hash})
		if err != nil {
			t.Fatal(err)
		}
		e.accts[addr] = a
	}
	_, err = db.ImportCaseload(ctx, storage.CaseloadBatch{
		Teams: []storage.Team{{ID: "A", Name: "Emploi A", Managers: []string{bossA}}, {ID: "B", Name: "Entreprises B", Managers: []string{bossB}}},
		Counsellors: []storage.Counsellor{{Address: marie, Kind: storage.ServesJobseekers, Team: "A"},
			{Address: karim, Kind: storage.ServesJobseekers, Team: "A"}, {Address: lucie, Kind: storage.ServesEmployers, Team: "B"}},
		Clients: []storage.Client{
			{ID: "J1", Kind: storage.ClientJobseeker, Name: "Jean", Emails: []string{"jean@example.org"}, Counsellor: marie},
			{ID: "J2", Kind: storage.ClientJobseeker, Name: "Paul", Emails: []string{"paul@example.org"}, Counsellor: karim},
			{ID: "E1", Kind: storage.ClientEmployer, Name: "Dupain", Emails: []string{"rh@dupain.fr"}, Domains: []string{"dupain.fr"}, Counsellor: lucie},
		},
	}, "test", false)
	if err != nil {
		t.Fatal(err)
	}
	e.fill(t)
	deps := Deps{Store: db, Auth: auth.New(db, auth.Options{Params: testParams, Now: func() time.Time { return e.now },
		Limits: auth.Limits{FailuresPerAccount: 3, FailuresPerIP: 100, Window: time.Hour}}),
		Caseload: &control.Local{DB: db, Now: func() time.Time { return e.now }}, Audit: e.audit, Now: func() time.Time { return e.now }}
	for _, m := range modify {
		m(&deps)
	}
	e.srv, err = New(Config{SessionLifetime: time.Hour, Calendar: cal, MetricsFrom: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}}, deps)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- e.srv.Serve(l) }()
	t.Cleanup(func() {
		if err := e.srv.Shutdown(context.Background()); err != nil {
			t.Error(err)
		}
		if err := <-done; err != http.ErrServerClosed {
			t.Errorf("Serve returned %v, want http.ErrServerClosed", err)
		}
	})
	e.base = "http://" + l.Addr().String()
	return e
}

// The messages of the world.
const (
	// jeanMsg is J1's request to marie, HTML with a script and an
	// attachment: conversation 1, overdue at e.now.
	jeanMsg = "From: Jean <jean@example.org>\r\nTo: marie@mailnet.test\r\nSubject: Mon dossier\r\n" +
		"Message-ID: <j1@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Bonjour <b>Marie</b></p><script>alert(1)</script><img src=\"https://tracker.example/p.gif\" onerror=\"x()\">\r\n" +
		"--b\r\nContent-Type: application/pdf; name=\"cv.pdf\"\r\nContent-Disposition: attachment; filename=\"cv.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQgZmFrZQ==\r\n--b--\r\n"
	// paulMsg is J2's request to karim: conversation 2, open, not overdue.
	paulMsg = "From: paul@example.org\r\nTo: karim@mailnet.test\r\nSubject: Rendez-vous\r\nMessage-ID: <p1@example.org>\r\n\r\nQuand ?\r\n"
	// jeanFollowUp joins conversation 1.
	jeanFollowUp = "From: jean@example.org\r\nTo: marie@mailnet.test\r\nSubject: Re: Mon dossier\r\nMessage-ID: <j2@example.org>\r\nIn-Reply-To: <j1@example.org>\r\n\r\nJe relance.\r\n"
	// dupainMsg and lucieAnswer: conversation 3, answered in 5 hours.
	dupainMsg   = "From: rh@dupain.fr\r\nTo: lucie@mailnet.test\r\nSubject: Offre\r\nMessage-ID: <e1@dupain.fr>\r\n\r\nUne offre.\r\n"
	lucieAnswer = "From: lucie@mailnet.test\r\nTo: rh@dupain.fr\r\nSubject: Re: Offre\r\nMessage-ID: <a1@mailnet.test>\r\nIn-Reply-To: <e1@dupain.fr>\r\n\r\nBien reçue.\r\n"
)

// fill delivers the world's messages with their conversation events.
func (e *env) fill(t *testing.T) {
	t.Helper()
	deliver := func(raw, owner, mailbox, at string, ev storage.ConversationEvent) {
		ev.At = paris(t, at)
		if !ev.Answer {
			ev.Due, ev.NoticeAt = e.cal.Due(ev.At), e.cal.Notice(ev.At)
		}
		dir := storage.DirectionIn
		if ev.Answer {
			dir = storage.DirectionOut
		}
		client, err := e.db.Client(context.Background(), ev.Client)
		if err != nil {
			t.Fatal(err)
		}
		in := storage.Incoming{Raw: []byte(raw), InternalDate: ev.At,
			Deliveries: []storage.Delivery{{Account: e.accts[owner].ID, Mailbox: mailbox}}, Conversation: &ev,
			Archive: &storage.ArchiveInfo{Direction: dir, Client: ev.Client, Counsellor: client.Counsellor}}
		if _, err := e.db.Deliver(context.Background(), in); err != nil {
			t.Fatal(err)
		}
	}
	deliver(jeanMsg, marie, "INBOX", "2027-01-13 10:00", storage.ConversationEvent{Client: "J1", Counsellor: marie, Subject: "Mon dossier", MessageID: "j1@example.org"})
	deliver(paulMsg, karim, "INBOX", "2027-01-19 09:00", storage.ConversationEvent{Client: "J2", Counsellor: karim, Subject: "Rendez-vous", MessageID: "p1@example.org"})
	deliver(dupainMsg, lucie, "INBOX", "2027-01-12 10:00", storage.ConversationEvent{Client: "E1", Counsellor: lucie, Subject: "Offre", MessageID: "e1@dupain.fr"})
	deliver(lucieAnswer, lucie, "Sent", "2027-01-12 15:00", storage.ConversationEvent{Answer: true, Client: "E1", By: lucie, MessageID: "a1@mailnet.test", Refs: []string{"e1@dupain.fr"}})
	// Jean writes again in his open conversation: a second message
	// received, no new conversation.
	deliver(jeanFollowUp, marie, "INBOX", "2027-01-14 09:00", storage.ConversationEvent{Client: "J1", Counsellor: marie, Subject: "Mon dossier", MessageID: "j2@example.org", Refs: []string{"j1@example.org"}})
}

// client is a browser: a cookie jar that does not follow redirects.
type client struct {
	t    *testing.T
	e    *env
	http *http.Client
	csrf string // the session's CSRF token, after login
}

func (e *env) client(t *testing.T) *client {
	t.Helper()
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &client{t: t, e: e, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get returns the status and body of a GET.
func (c *client) get(path string) (int, string) {
	c.t.Helper()
	resp, err := c.http.Get(c.e.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// post sends a form and returns the response (body read).
func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.t.Helper()
	resp, err := c.http.PostForm(c.e.base+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp, string(b)
}

// tryLogin fills the login form as a browser would.
func (c *client) tryLogin(address, pw string) (*http.Response, string) {
	c.t.Helper()
	status, page := c.get("/login")
	m := csrfField.FindStringSubmatch(page)
	if status != http.StatusOK || m == nil {
		c.t.Fatalf("GET /login: %d, no csrf field:\n%s", status, page)
	}
	return c.post("/login", url.Values{"csrf": {m[1]}, "address": {address}, "password": {pw}})
}

// loggedIn returns a client with a session of address.
func (e *env) loggedIn(t *testing.T, address string) *client {
	t.Helper()
	c := e.client(t)
	resp, body := c.tryLogin(address, password)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/dashboard" {
		t.Fatalf("login %s: %s\n%s", address, resp.Status, body)
	}
	status, page := c.get("/dashboard")
	m := csrfField.FindStringSubmatch(page)
	if status != http.StatusOK || m == nil {
		t.Fatalf("dashboard of %s: %d\n%s", address, status, page)
	}
	c.csrf = m[1]
	return c
}

// contains fails the test unless body has every want.
func contains(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// lacks fails the test if body has any of unwanted.
func lacks(t *testing.T, what, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("%s has %q", what, w)
		}
	}
}

// sessionID returns the session cookie's value the client holds.
func (c *client) sessionID() string {
	c.t.Helper()
	for _, ck := range c.http.Jar.Cookies(mustURL(c.t, c.e.base)) {
		if ck.Name == cookiePlain {
			return ck.Value
		}
	}
	c.t.Fatal("no session cookie")
	return ""
}
