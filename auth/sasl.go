package auth

import (
	"context"
	"fmt"
	"net/netip"
	"strings"

	"github.com/emersion/go-sasl"

	"mailnet/storage"
)

// Mechanisms returns the SASL mechanisms that SASL accepts, in order of
// preference: PLAIN (RFC 4616) and LOGIN (draft-murchison-sasl-login). Both
// send the password in clear, so servers must offer them only over TLS. The
// slice is new at each call; the caller may keep or modify it.
func (a *Authenticator) Mechanisms() []string {
	return []string{sasl.Plain, sasl.Login}
}

// SASL returns a server for one exchange of the SASL mechanism mech (one of
// Mechanisms, compared case-insensitively) with a client at remote, for
// go-smtp's Session.Auth and go-imap's SessionSASL.Authenticate. Once the
// client's credentials are known, the server calls Authenticate with ctx
// (the connection's context: the returned server keeps it) and, on success,
// onSuccess (if not nil) with the account, before reporting the exchange
// done; errors from Authenticate are returned from Next unchanged. The
// protocol layer decodes base64 before calling Next.
//
// A PLAIN authorization identity other than the login (after
// NormalizeAddress) fails with ErrAuthzidMismatch, before the password is
// checked. An unknown mech yields an error wrapping
// ErrUnsupportedMechanism.
//
// go-smtp v0.25.1 writes any error that is not an *smtp.SMTPError as a 454
// reply with the error's text, and does not unwrap: the SMTP server should
// wrap the returned sasl.Server to map errors to replies.
func (a *Authenticator) SASL(ctx context.Context, mech string, remote netip.Addr, onSuccess func(storage.Account)) (sasl.Server, error) {
	login := func(username, password string) error {
		acct, err := a.Authenticate(ctx, username, password, remote)
		if err != nil {
			return err
		}
		if onSuccess != nil {
			onSuccess(acct)
		}
		return nil
	}
	switch strings.ToUpper(mech) {
	case sasl.Plain:
		return sasl.NewPlainServer(func(authzid, username, password string) error {
			if authzid != "" && !sameLogin(authzid, username) {
				a.log.Info("login failed", "remote", remote, "reason", "authorization identity differs from login")
				return ErrAuthzidMismatch
			}
			return login(username, password)
		}), nil
	case sasl.Login:
		return &loginServer{authenticate: login}, nil
	}
	return nil, fmt.Errorf("mechanism %q: %w", mech, ErrUnsupportedMechanism)
}

// sameLogin reports whether a and b name the same login.
func sameLogin(a, b string) bool {
	if a == b {
		return true
	}
	na, errA := NormalizeAddress(a)
	nb, errB := NormalizeAddress(b)
	return errA == nil && errB == nil && na == nb
}

// The challenges of the LOGIN mechanism. The draft suggests "User Name" and
// "Password" but says clients must ignore them; these are the ones every
// deployed server sends, and go-sasl's LOGIN client insists on "Password:".
// Next returns a new slice each time, as the caller may keep it.
const (
	loginUsernameChallenge = "Username:"
	loginPasswordChallenge = "Password:"
)

// loginState is the progress of a LOGIN exchange.
type loginState int

const (
	loginStart    loginState = iota // nothing received
	loginUsername                   // "Username:" sent
	loginPassword                   // "Password:" sent
	loginDone                       // credentials checked
)

// loginServer is the server side of the SASL LOGIN mechanism
// (draft-murchison-sasl-login-00 §2), which go-sasl only provides as a
// client. The client sends the username, either as initial response or
// after "Username:", then the password after "Password:".
type loginServer struct {
	state        loginState
	username     string
	authenticate func(username, password string) error
}

var _ sasl.Server = (*loginServer)(nil)

// Next implements sasl.Server. A nil response is "no initial response";
// the protocol layers pass an empty, non-nil slice for an empty one.
func (s *loginServer) Next(response []byte) (challenge []byte, done bool, err error) {
	switch s.state {
	case loginStart:
		if response == nil {
			s.state = loginUsername
			return []byte(loginUsernameChallenge), false, nil
		}
		s.username, s.state = string(response), loginPassword
		return []byte(loginPasswordChallenge), false, nil
	case loginUsername:
		s.username, s.state = string(response), loginPassword
		return []byte(loginPasswordChallenge), false, nil
	case loginPassword:
		s.state = loginDone
		return nil, true, s.authenticate(s.username, string(response))
	}
	return nil, false, sasl.ErrUnexpectedClientResponse
}
