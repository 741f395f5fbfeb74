package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"mailnet/storage"
)

func TestPagesAndAPIRequireLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client(t)
	for _, path := range []string{"/dashboard", "/conversations/1", "/conversations/1/attachment?uid=1&part=1"} {
		resp, err := c.http.Get(e.base + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/login" {
			t.Errorf("GET %s without login: %s to %q, want 303 to /login", path, resp.Status, resp.Header.Get("Location"))
		}
	}
	for _, path := range []string{"/api/me", "/api/stats", "/api/stats.csv", "/api/conversations", "/api/conversations/1"} {
		if status, body := c.get(path); status != http.StatusUnauthorized || !strings.Contains(body, `"error"`) {
			t.Errorf("GET %s without login: %d %s, want 401 JSON", path, status, body)
		}
	}
	for _, path := range []string{"/actions/assign", "/actions/absence", "/actions/link", "/logout"} {
		if resp, _ := c.post(path, url.Values{"client": {"J1"}, "counsellor": {karim}}); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("POST %s without login: %s, want 401", path, resp.Status)
		}
	}
}

func TestLoginSessionCookieAndLogout(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client(t)
	resp, body := c.tryLogin(marie, "wrong password")
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Wrong address or password") {
		t.Fatalf("wrong password: %s\n%s", resp.Status, body)
	}
	resp, _ = c.tryLogin("MARIE@mailnet.test", password)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: %s", resp.Status)
	}
	var session *http.Cookie
	for _, ck := range resp.Cookies() {
		if ck.Name == cookiePlain && ck.Value != "" {
			session = ck
		}
	}
	if session == nil {
		t.Fatalf("no session cookie in %v", resp.Header["Set-Cookie"])
	}
	if !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Secure || len(session.Value) != 43 {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, not Secure over plain HTTP, 32 random bytes", session)
	}
	status, page := c.get("/dashboard")
	if status != http.StatusOK {
		t.Fatalf("dashboard: %d", status)
	}
	csrf := csrfField.FindStringSubmatch(page)[1]
	if resp, _ := c.post("/logout", url.Values{"csrf": {csrf}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("logout: %s", resp.Status)
	}
	// The old cookie is dead on the server, not only in the jar.
	replay := e.client(t)
	replay.http.Jar.SetCookies(mustURL(t, e.base), []*http.Cookie{{Name: cookiePlain, Value: session.Value}})
	if status, _ := replay.get("/api/me"); status != http.StatusUnauthorized {
		t.Errorf("session after logout: %d, want 401", status)
	}
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSessionExpires(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.loggedIn(t, marie)
	id := c.sessionID()
	stored, err := e.db.WebSession(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	stored.Expires = e.now // the lifetime is over at e.now
	if err := e.db.CreateWebSession(t.Context(), id, stored, e.now, 0); err != nil {
		t.Fatal(err)
	}
	if status, _ := c.get("/api/me"); status != http.StatusUnauthorized {
		t.Errorf("expired session: %d, want 401", status)
	}
	if _, err := e.db.WebSession(t.Context(), id); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("expired session still stored: %v", err)
	}
}

// TestSessionSurvivesRestart: sessions are in the store, by hash: a new
// server on the same store knows the cookie, and the store holds no
// usable ID.
func TestSessionSurvivesRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.loggedIn(t, marie)
	id := c.sessionID()
	if _, err := e.db.WebSession(t.Context(), id); err != nil {
		t.Fatalf("session not stored: %v", err)
	}
	again := newSessions(e.db, time.Hour, func() time.Time { return e.now })
	sess, err := again.get(t.Context(), id)
	if err != nil || sess == nil || sess.address != marie || sess.csrf != c.csrf {
		t.Fatalf("a new session table reads %+v, %v", sess, err)
	}
	if got, _ := again.get(t.Context(), "not-"+id); got != nil {
		t.Fatal("an unknown ID has a session")
	}
}

func TestLoginRefusedWithoutToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client(t)
	resp, _ := c.post("/login", url.Values{"address": {marie}, "password": {password}})
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("login without the form's token: %s, want 403", resp.Status)
	}
	if status, _ := c.get("/api/me"); status != http.StatusUnauthorized {
		t.Errorf("a session was opened by a login without token")
	}
}

func TestLoginThrottled(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client(t)
	for range 3 {
		c.tryLogin(karim, "wrong password")
	}
	resp, body := c.tryLogin(karim, password)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed logins") {
		t.Fatalf("login after 3 failures: %s, want 429\n%s", resp.Status, body)
	}
}

func TestDisabledAccountLosesSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.loggedIn(t, karim)
	if _, err := e.db.UpdateAccount(t.Context(), karim, func(a *storage.Account) error { a.Disabled = true; return nil }); err != nil {
		t.Fatal(err)
	}
	if status, _ := c.get("/api/me"); status != http.StatusUnauthorized {
		t.Errorf("session of a disabled account: %d, want 401", status)
	}
}
