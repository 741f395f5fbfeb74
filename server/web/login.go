package web

import (
	"errors"
	"net/http"
	"net/netip"
	"strings"

	"mailnet/auth"
)

// loginData is the login page's template data.
type loginData struct {
	Token   string
	Address string
	Error   string
}

// loginPage shows the login form, with a fresh pre-login token in a cookie
// and in the form. A viewer already logged in goes to the dashboard.
func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if sess, err := s.current(r); err != nil {
		s.serverError(w, r, err)
		return
	} else if sess != nil {
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
		return
	}
	tok := randomToken()
	s.setCookie(w, cookieLogin, tok, 0)
	s.render(w, r, http.StatusOK, "login", nil, loginData{Token: tok})
}

// login checks the form's credentials and opens a session.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	c, err := r.Cookie(cookieLogin)
	if err != nil || !tokenEqual(r.PostFormValue("csrf"), c.Value) {
		s.log.Info("web request refused", "reason", "login csrf token", "remote", r.RemoteAddr)
		s.errorPage(w, r, http.StatusForbidden, "This form has expired or did not come from this site: reload the page and try again.")
		return
	}
	address := strings.TrimSpace(r.PostFormValue("address"))
	remote := remoteAddr(r)
	acct, err := s.deps.Auth.Authenticate(r.Context(), address, r.PostFormValue("password"), remote)
	fail := func(status int, msg string) {
		tok := randomToken()
		s.setCookie(w, cookieLogin, tok, 0)
		s.render(w, r, status, "login", nil, loginData{Token: tok, Address: address, Error: msg})
	}
	switch {
	case errors.Is(err, auth.ErrThrottled):
		fail(http.StatusTooManyRequests, "Too many failed logins: try again later.")
		return
	case errors.Is(err, auth.ErrInvalidCredentials):
		fail(http.StatusUnauthorized, "Wrong address or password.")
		return
	case err != nil:
		s.serverError(w, r, err)
		return
	}
	sess, err := s.sessions.create(r.Context(), acct)
	if err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setCookie(w, cookieLogin, "", -1)
	s.setCookie(w, s.cookieName(), sess.id, s.cfg.SessionLifetime)
	s.log.Info("web login", "address", acct.Address, "remote", remote)
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

// logout ends the session.
func (s *Server) logout(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := s.sessions.end(r.Context(), v.sess.id); err != nil {
		s.serverError(w, r, err)
		return
	}
	s.setCookie(w, s.cookieName(), "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// remoteAddr returns the client's IP address for login throttling; no
// forwarding header is trusted.
func remoteAddr(r *http.Request) netip.Addr {
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr()
}
