package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"sync"
	"time"

	"mailnet/storage"
)

// Cookie names. With TLS the session cookie takes the __Host- prefix, which
// browsers accept only from a secure origin, for the whole host, without
// Domain: no subdomain can set or shadow it.
const (
	cookiePlain  = "mailnet_session"
	cookieSecure = "__Host-mailnet_session"
	cookieLogin  = "mailnet_login" // the login form's CSRF token (double submit)
)

// maxSessions bounds the sessions kept; past it, the oldest is dropped.
const maxSessions = 10000

// session is one login.
type session struct {
	id      string
	csrf    string
	account storage.Account
	expires time.Time
}

// sessions is the server-side session table. Safe for concurrent use.
type sessions struct {
	mu       sync.Mutex
	m        map[string]*session
	lifetime time.Duration
	now      func() time.Time
}

func newSessions(lifetime time.Duration, now func() time.Time) *sessions {
	return &sessions{m: map[string]*session{}, lifetime: lifetime, now: now}
}

// randomToken returns 32 random bytes, base64url-encoded.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// create opens a session for acct, dropping expired ones (and the one
// closest to expiry if the table is full).
func (ss *sessions) create(acct storage.Account) *session {
	acct.PasswordHash = ""
	now := ss.now()
	s := &session{id: randomToken(), csrf: randomToken(), account: acct, expires: now.Add(ss.lifetime)}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	var oldest *session
	for id, o := range ss.m {
		if !now.Before(o.expires) {
			delete(ss.m, id)
		} else if oldest == nil || o.expires.Before(oldest.expires) {
			oldest = o
		}
	}
	if len(ss.m) >= maxSessions && oldest != nil {
		delete(ss.m, oldest.id)
	}
	ss.m[s.id] = s
	return s
}

// get returns the live session with that ID, or nil.
func (ss *sessions) get(id string) *session {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s := ss.m[id]
	if s == nil {
		return nil
	}
	if !ss.now().Before(s.expires) {
		delete(ss.m, id)
		return nil
	}
	return s
}

// end removes a session.
func (ss *sessions) end(id string) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.m, id)
}

// cookieName returns the session cookie's name for this server.
func (s *Server) cookieName() string {
	if s.cfg.TLS != nil {
		return cookieSecure
	}
	return cookiePlain
}

// setCookie sets an HttpOnly, SameSite=Strict cookie for the whole host,
// Secure under TLS; maxAge < 0 deletes it.
func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: s.cfg.TLS != nil,
		SameSite: http.SameSiteStrictMode, MaxAge: int(maxAge / time.Second)}
	if maxAge < 0 {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}

// current returns the request's live session, or nil.
func (s *Server) current(r *http.Request) *session {
	c, err := r.Cookie(s.cookieName())
	if err != nil {
		return nil
	}
	return s.sessions.get(c.Value)
}

// tokenEqual compares tokens in constant time; an empty token never
// matches.
func tokenEqual(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// csrfOK reports whether a POST carries the session's CSRF token.
func csrfOK(r *http.Request, sess *session) bool {
	tok := r.Header.Get("X-CSRF-Token")
	if tok == "" {
		tok = r.PostFormValue("csrf")
	}
	return tokenEqual(tok, sess.csrf)
}

// live returns the request's viewer: its live session, the account as
// stored now and the scope that follows. A session whose account is gone or
// disabled ends here. The error is not the client's fault.
func (s *Server) live(r *http.Request) (*viewer, error) {
	sess := s.current(r)
	if sess == nil {
		return nil, nil
	}
	acct, err := s.deps.Store.Account(r.Context(), sess.account.Address)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && acct.Disabled) {
		s.sessions.end(sess.id)
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return s.newViewer(r.Context(), sess, acct)
}

// authed wraps a page handler: without a session it redirects to the
// login page (GET) or refuses (other methods); a POST must carry the CSRF
// token.
func (s *Server) authed(h func(http.ResponseWriter, *http.Request, *viewer)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := s.live(r)
		if err != nil {
			s.serverError(w, r, err)
			return
		}
		if v == nil {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login", http.StatusSeeOther)
				return
			}
			s.errorPage(w, r, http.StatusUnauthorized, "Your session has ended: log in again.")
			return
		}
		if r.Method == http.MethodPost && !csrfOK(r, v.sess) {
			s.log.Info("web request refused", "reason", "csrf token", "path", r.URL.Path, "address", v.Address)
			s.errorPage(w, r, http.StatusForbidden, "This form has expired or did not come from this site: reload the page and try again.")
			return
		}
		h(w, r, v)
	}
}

// authedAPI wraps an API handler: without a session it answers 401 in
// JSON.
func (s *Server) authedAPI(h func(http.ResponseWriter, *http.Request, *viewer)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		v, err := s.live(r)
		if err != nil {
			s.log.Error("web api", "path", r.URL.Path, "err", err)
			writeJSONError(w, http.StatusInternalServerError, "internal error")
			return
		}
		if v == nil {
			writeJSONError(w, http.StatusUnauthorized, "login required")
			return
		}
		h(w, r, v)
	}
}
