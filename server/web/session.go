package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
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

// maxSessions bounds the sessions kept; past it, the one closest to
// expiry is dropped.
const maxSessions = 10000

// session is one login.
type session struct {
	id      string
	csrf    string
	address string // the account's; its role and state are read anew on every request
	expires time.Time
}

// SessionStore keeps the logins in the server's store, so that a restart
// logs no one out; *storage.DB implements it. IDs are stored hashed.
type SessionStore interface {
	CreateWebSession(ctx context.Context, id string, s storage.WebSession, now time.Time, max int) error
	WebSession(ctx context.Context, id string) (storage.WebSession, error)
	DeleteWebSession(ctx context.Context, id string) error
}

// sessions is the session table.
type sessions struct {
	store    SessionStore
	lifetime time.Duration
	now      func() time.Time
}

func newSessions(store SessionStore, lifetime time.Duration, now func() time.Time) *sessions {
	return &sessions{store: store, lifetime: lifetime, now: now}
}

// randomToken returns 32 random bytes, base64url-encoded.
func randomToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// create opens a session for acct; the store drops expired ones (and the
// one closest to expiry if the table is full).
func (ss *sessions) create(ctx context.Context, acct storage.Account) (*session, error) {
	now := ss.now()
	s := &session{id: randomToken(), csrf: randomToken(), address: acct.Address, expires: now.Add(ss.lifetime)}
	err := ss.store.CreateWebSession(ctx, s.id, storage.WebSession{Account: s.address, CSRF: s.csrf, Expires: s.expires}, now, maxSessions)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// get returns the live session with that ID, or nil.
func (ss *sessions) get(ctx context.Context, id string) (*session, error) {
	if id == "" {
		return nil, nil
	}
	stored, err := ss.store.WebSession(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !ss.now().Before(stored.Expires) {
		return nil, ss.end(ctx, id)
	}
	return &session{id: id, csrf: stored.CSRF, address: stored.Account, expires: stored.Expires}, nil
}

// end removes a session.
func (ss *sessions) end(ctx context.Context, id string) error {
	return ss.store.DeleteWebSession(ctx, id)
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
func (s *Server) current(r *http.Request) (*session, error) {
	c, err := r.Cookie(s.cookieName())
	if err != nil {
		return nil, nil
	}
	return s.sessions.get(r.Context(), c.Value)
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
	sess, err := s.current(r)
	if sess == nil || err != nil {
		return nil, err
	}
	acct, err := s.deps.Store.Account(r.Context(), sess.address)
	if errors.Is(err, storage.ErrNotFound) || (err == nil && acct.Disabled) {
		return nil, s.sessions.end(r.Context(), sess.id)
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
