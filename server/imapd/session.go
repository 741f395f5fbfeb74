package imapd

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-sasl"

	"mailnet/auth"
	"mailnet/storage"
)

// session is one IMAP connection's state. go-imap calls its methods from
// the connection's goroutine only, except Idle's stop channel.
type session struct {
	srv     *Server
	conn    *imapserver.Conn
	cmd     *cmdConn // our command layer; nil only in unit tests without one
	remote  netip.Addr
	log     *slog.Logger
	account *storage.Account // nil until authenticated
	sel     *selection       // nil unless a mailbox is selected
}

// selection is the selected mailbox of a session.
type selection struct {
	view      view
	box       storage.Mailbox // view.box
	live      *liveMailbox
	tracker   *imapserver.SessionTracker
	readOnly  bool
	searchRes []uint32 // SEARCHRES ($) saved UIDs
}

var (
	_ imapserver.SessionIMAP4rev2      = (*session)(nil)
	_ imapserver.SessionSASL           = (*session)(nil)
	_ imapserver.SessionUnauthenticate = (*session)(nil)
	_ imapserver.SessionAppendLimit    = (*session)(nil)
)

// ctx returns the context for storage calls: writes carry the session's
// tracker as their origin, so the session is not told of its own changes
// twice.
func (s *session) ctx() context.Context {
	ctx := context.Background()
	if s.sel != nil {
		ctx = storage.WithOrigin(ctx, s.sel.tracker)
	}
	return ctx
}

func (s *session) fail(op string, err error) error { return imapError(s.log, op, err) }

// Close releases the selected mailbox.
func (s *session) Close() error {
	s.unselect()
	s.log.Debug("connection closed")
	s.srv.deps.Observer.ConnClosed()
	return nil
}

// Login checks a LOGIN command's credentials (only reachable over TLS:
// go-imap refuses LOGIN before it and advertises LOGINDISABLED).
func (s *session) Login(username, password string) error {
	acc, err := s.srv.deps.Auth.Authenticate(context.Background(), username, password, s.remote)
	if err != nil {
		return s.loginError(err)
	}
	s.loggedIn(acc)
	return nil
}

func (s *session) loginError(err error) error {
	s.srv.deps.Observer.Login(false)
	switch {
	case errors.Is(err, auth.ErrThrottled):
		return errThrottled
	case errors.Is(err, auth.ErrInvalidCredentials), errors.Is(err, auth.ErrInvalidAddress):
		return errAuthFailed
	}
	return s.fail("login", err)
}

func (s *session) loggedIn(acc storage.Account) {
	s.account = &acc
	s.log = s.log.With("user", acc.Address)
	s.log.Info("login")
	s.srv.deps.Observer.Login(true)
}

// AuthenticateMechanisms lists the SASL mechanisms (AUTHENTICATE).
func (s *session) AuthenticateMechanisms() []string { return s.srv.deps.Auth.Mechanisms() }

// Authenticate starts a SASL exchange.
func (s *session) Authenticate(mech string) (sasl.Server, error) {
	srv, err := s.srv.deps.Auth.SASL(context.Background(), mech, s.remote, s.loggedIn)
	if err != nil {
		return nil, s.loginError(err)
	}
	return saslErrors{srv, s}, nil
}

// saslErrors turns auth errors met during a SASL exchange into IMAP
// replies.
type saslErrors struct {
	sasl.Server
	s *session
}

func (w saslErrors) Next(resp []byte) ([]byte, bool, error) {
	ch, done, err := w.Server.Next(resp)
	if err != nil {
		err = w.s.loginError(err)
	}
	return ch, done, err
}

// Unauthenticate returns to the not-authenticated state (RFC 8437).
func (s *session) Unauthenticate() error {
	s.unselect()
	s.account = nil
	return nil
}

// AppendLimit is the largest message APPEND accepts.
func (s *session) AppendLimit() uint32 {
	if s.srv.cfg.MaxMessageBytes <= 0 || s.srv.cfg.MaxMessageBytes > 1<<32-1 {
		return 1<<32 - 1
	}
	return uint32(s.srv.cfg.MaxMessageBytes)
}

// Namespace advertises the personal namespace, colleagues' mail as the
// other users' namespace, and the cases and the answer repository as
// shared namespaces (RFC 2342).
func (s *session) Namespace() (*imap.NamespaceData, error) {
	return &imap.NamespaceData{
		Personal: []imap.NamespaceDescriptor{{Prefix: "", Delim: storage.Delimiter}},
		Other:    []imap.NamespaceDescriptor{{Prefix: sharedPrefix, Delim: storage.Delimiter}},
		Shared: []imap.NamespaceDescriptor{
			{Prefix: casesRoot + "/", Delim: storage.Delimiter},
			{Prefix: answersPrefix, Delim: storage.Delimiter},
		},
	}, nil
}
