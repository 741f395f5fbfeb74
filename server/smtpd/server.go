package smtpd

import (
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"mailnet/internal/netlimit"
	"mailnet/mailauth"
	"mailnet/routing"
	"mailnet/routing/sla/texts"
	"mailnet/storage"
)

// Mode is the role of a Server.
type Mode int

const (
	// ModeMX receives mail from other servers for local recipients only
	// (port 25). It never relays and never offers AUTH.
	ModeMX Mode = iota
	// ModeSubmission receives mail from authenticated local users, over
	// TLS only (587 with STARTTLS, 465 with implicit TLS), and delivers it
	// locally or queues it for remote recipients.
	ModeSubmission
)

// String returns the mode's name as it appears in logs ("proto").
func (m Mode) String() string {
	if m == ModeSubmission {
		return "submission"
	}
	return "smtp"
}

// Defaults applied by New to zero Config fields.
const (
	// DefaultMaxMessageBytes is the default SIZE limit, 25 MiB.
	DefaultMaxMessageBytes = 25 << 20
	// DefaultMaxRecipients is the least RFC 5321 §4.5.3.1.8 allows.
	DefaultMaxRecipients = 100
	// DefaultCommandTimeout is RFC 5321 §4.5.3.2.7's server timeout.
	DefaultCommandTimeout = 5 * time.Minute
	// DefaultDataTimeout is the default DataTimeout.
	DefaultDataTimeout = 5 * time.Minute
)

// Config describes one listener's SMTP service.
type Config struct {
	// Mode is ModeMX (the zero value) or ModeSubmission.
	Mode Mode
	// Hostname is our name in the greeting, the Received field and the
	// Message-IDs that submission adds. Empty means "localhost".
	Hostname string
	// TLS enables STARTTLS (offered on MX when set) and, with ImplicitTLS,
	// the TLS of the whole connection. Submission refuses to serve
	// without it; nil is meant for tests of plain MX.
	TLS *tls.Config
	// ImplicitTLS makes every connection TLS from its first byte (port
	// 465). Serve then wraps the listener with TLS itself: pass it a
	// plain TCP listener. (A listener that already yields *tls.Conn, from
	// tls.NewListener, works too, but its connections escape
	// MaxConnectionsPerIP, Shutdown's waking of idle sessions and the
	// check for connections that end inside a BDAT chunk.)
	ImplicitTLS bool
	// MaxMessageBytes is the SIZE limit, in bytes of message content as
	// received (and again after line endings are normalised). Zero means
	// DefaultMaxMessageBytes.
	MaxMessageBytes int64
	// MaxRecipients bounds the recipients of one transaction. Zero means
	// DefaultMaxRecipients.
	MaxRecipients int
	// CommandTimeout bounds the wait for each command line and for the
	// writing of each reply. Zero means DefaultCommandTimeout.
	CommandTimeout time.Duration
	// DataTimeout is the longest the client may stay silent while it
	// sends message content (DATA or a BDAT chunk). Zero means
	// DefaultDataTimeout.
	DataTimeout time.Duration
	// MaxConnectionsPerIP bounds the open connections from one IPv4
	// address or IPv6 /64; excess connections get "421 4.7.0 Too many
	// connections" and are closed. Zero means unlimited.
	MaxConnectionsPerIP int
	// DMARCReject is what MX does with a message failing DMARC from a
	// domain publishing p=reject (RFC 7489 §6.3). The zero value refuses
	// it.
	DMARCReject DMARCAction
	// Acknowledge makes MX answer a known client's message with an
	// acknowledgement of receipt from the personal counsellor, when
	// answers are tracked (Deps.Calendar): at most one per conversation
	// per day, never to automatic mail (RFC 3834).
	Acknowledge bool
	// AckText is the template of the acknowledgement, loaded and checked
	// by texts.Load; nil means the French default.
	AckText *texts.Template
}

// DMARCAction is the handling of mail that fails DMARC under p=reject.
type DMARCAction int

// The DMARC actions.
const (
	// DMARCRefuse answers 550 5.7.1: the message is never stored.
	DMARCRefuse DMARCAction = iota
	// DMARCQuarantine stores it in the recipients' Junk folder.
	DMARCQuarantine
	// DMARCTag only records the failure in Authentication-Results.
	DMARCTag
)

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.Hostname == "" {
		c.Hostname = "localhost"
	}
	if c.MaxMessageBytes <= 0 {
		c.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if c.MaxRecipients <= 0 {
		c.MaxRecipients = DefaultMaxRecipients
	}
	if c.CommandTimeout <= 0 {
		c.CommandTimeout = DefaultCommandTimeout
	}
	if c.DataTimeout <= 0 {
		c.DataTimeout = DefaultDataTimeout
	}
	if c.AckText == nil {
		c.AckText = texts.Default().Ack
	}
	return c
}

// Store stores accepted messages. Deliver must store the message in every
// delivery mailbox and the outbound queue in one durable transaction, or
// store nothing and return an error (*storage.DB does).
type Store interface {
	Deliver(ctx context.Context, in storage.Incoming) (storage.Receipt, error)
}

// Router resolves one envelope recipient to a local target, or fails with
// routing.ErrNotLocal, routing.ErrUnknownRecipient or routing.ErrBadAddress
// (*routing.Router does).
type Router interface {
	// Accept checks one RCPT: a local account or a service address.
	Accept(ctx context.Context, rcpt string) (string, error)
	// Route decides every copy of a message and why.
	Route(ctx context.Context, m routing.Message) (routing.Decision, error)
	// SenderAllowed tells whether an account may send as from (its own
	// address, or an absent colleague's it substitutes for) and the
	// Sender: value to add.
	SenderAllowed(ctx context.Context, account storage.Account, from string, at time.Time) (string, bool, error)
	// AnsweredClient returns the client a submitted message answers, or
	// nil when none of its recipients is a client the account serves.
	AnsweredClient(ctx context.Context, account storage.Account, recipients []string, at time.Time) (*storage.Client, error)
	// IsLocal reports whether a domain is one of ours.
	IsLocal(domain string) bool
}

// Calendar computes the answer deadlines of a client message received at
// a given time (*sla.Calendar does).
type Calendar interface {
	Due(received time.Time) time.Time
	Notice(received time.Time) time.Time
	// Location is the time zone of the dates told to clients.
	Location() *time.Location
}

// Authenticator runs SASL logins for submission (*auth.Authenticator
// does). SASL's server must call onSuccess with the account before it
// reports the exchange done.
type Authenticator interface {
	SASL(ctx context.Context, mech string, remote netip.Addr, onSuccess func(storage.Account)) (sasl.Server, error)
	Mechanisms() []string
}

// Deps are a Server's collaborators. Store and Router are required; Auth
// is required for submission and unused by MX.
type Deps struct {
	// Store receives every accepted message.
	Store Store
	// Router decides, per RCPT, whether and where a recipient is local.
	Router Router
	// Auth runs AUTH on submission.
	Auth Authenticator
	// Logger receives connection and message events; nil discards them.
	Logger *slog.Logger
	// Now is the clock for Received and Date fields; nil means time.Now.
	Now func() time.Time
	// Signer DKIM-signs submitted messages; nil sends them unsigned.
	Signer Signer
	// Checker verifies the sender of MX mail (SPF, DKIM, DMARC); nil
	// skips verification (tests of other behaviour only).
	Checker Checker
	// Queued, if set, is called after a message was queued for remote
	// recipients (submission) or an acknowledgement of receipt was queued
	// (MX), to wake the delivery worker.
	Queued func()
	// Calendar, if set, turns on answer tracking: a known client's MX
	// message opens or joins a conversation, a counsellor's submitted
	// reply answers it (see storage.ConversationEvent). Nil tracks none.
	Calendar Calendar
	// Observer, if set, counts connections, messages and logins.
	Observer Observer
	// Limiter, if set, counts connections per client network together
	// with the server's other listeners; nil gives this server one of its
	// own with Config.MaxConnectionsPerIP.
	Limiter *netlimit.Limiter
}

// Observer counts what a Server does, for metrics (*metrics.Protocol
// implements it). Its methods are called on connection goroutines, so
// they must be quick and safe for concurrent use.
type Observer interface {
	// ConnOpened and ConnClosed bracket each connection admitted.
	ConnOpened()
	ConnClosed()
	// Accepted counts a stored message.
	Accepted()
	// Rejected counts a refused MAIL, RCPT or DATA, or a connection
	// refused by MaxConnectionsPerIP, by reason: "unknown_user",
	// "relay_denied", "size", "dmarc_reject", "rate", "temporary"… (see
	// rejectReasons).
	Rejected(reason string)
	// Login counts a submission AUTH exchange that succeeded or failed.
	Login(ok bool)
}

// nopObserver is the Observer of a Server given none.
type nopObserver struct{}

func (nopObserver) ConnOpened()     {}
func (nopObserver) ConnClosed()     {}
func (nopObserver) Accepted()       {}
func (nopObserver) Rejected(string) {}
func (nopObserver) Login(bool)      {}

// Checker authenticates an incoming message's sender (mailauth.Checker).
type Checker interface {
	Check(ctx context.Context, in mailauth.Input) mailauth.Verdict
	Header(v mailauth.Verdict) string
}

// Signer adds DKIM signatures to a message (dkimsign.Signer).
type Signer interface {
	Sign(raw []byte, envelopeFrom string) (signed []byte, ok bool, err error)
}

// Server is an SMTP server in one Mode. Create it with New, run it with
// Serve (on as many listeners as wanted), stop it with Shutdown. Its
// methods are safe for concurrent use.
type Server struct {
	cfg     Config
	store   Store
	router  Router
	auth    Authenticator
	signer  Signer
	checker Checker
	queued  func()
	cal     Calendar
	obs     Observer
	log     *slog.Logger
	now     func() time.Time

	smtp  *smtp.Server
	conns *tracker

	shutdownOnce sync.Once
}

// New returns a Server for cfg and deps; nothing listens until Serve.
func New(cfg Config, deps Deps) *Server {
	cfg = cfg.withDefaults()
	log := deps.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	proto := cfg.Mode.String()
	if cfg.ImplicitTLS {
		proto += "+tls"
	}
	log = log.With("proto", proto)
	now := deps.Now
	if now == nil {
		now = time.Now
	}
	limit := deps.Limiter
	if limit == nil {
		limit = netlimit.New(cfg.MaxConnectionsPerIP)
	}
	obs := deps.Observer
	if obs == nil {
		obs = nopObserver{}
	}
	s := &Server{
		cfg:     cfg,
		store:   deps.Store,
		router:  deps.Router,
		auth:    deps.Auth,
		signer:  deps.Signer,
		checker: deps.Checker,
		queued:  deps.Queued,
		cal:     deps.Calendar,
		obs:     obs,
		log:     log,
		now:     now,
		conns:   newTracker(limit, log, obs),
	}
	s.smtp = s.newSMTPServer()
	return s
}

// newSMTPServer configures go-smtp for s.
func (s *Server) newSMTPServer() *smtp.Server {
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = s.cfg.Hostname
	srv.TLSConfig = s.cfg.TLS
	srv.MaxMessageBytes = s.cfg.MaxMessageBytes
	srv.ReadTimeout = s.cfg.CommandTimeout
	srv.WriteTimeout = s.cfg.CommandTimeout
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = slog.NewLogLogger(s.log.Handler(), slog.LevelError)
	// Recipients are counted by the session, for our own reply text.
	srv.MaxRecipients = 0
	// Submission: go-smtp hides AUTH before TLS and refuses it with 523.
	// MX: AUTH is never advertised; letting it through to the session
	// gets the same "not enabled" reply with or without TLS.
	srv.AllowInsecureAuth = s.cfg.Mode == ModeMX
	return srv
}

// check reports what makes s unable to serve.
func (s *Server) check() error {
	var errs []error
	if (s.cfg.Mode == ModeSubmission || s.cfg.ImplicitTLS) && s.cfg.TLS == nil {
		errs = append(errs, errors.New("smtpd: submission and implicit TLS need a TLS configuration"))
	}
	if s.store == nil || s.router == nil {
		errs = append(errs, errors.New("smtpd: Deps.Store and Deps.Router are required"))
	}
	if s.cfg.Mode == ModeSubmission && s.auth == nil {
		errs = append(errs, errors.New("smtpd: submission needs Deps.Auth"))
	}
	return errors.Join(errs...)
}

// Serve accepts connections on l until Shutdown, and then returns
// smtp.ErrServerClosed. With ImplicitTLS, l must be a plain listener:
// Serve wraps it with TLS. Serve closes l when it returns. It fails at once
// if the Config or Deps given to New cannot work (submission without TLS
// or Auth, no Store or Router).
func (s *Server) Serve(l net.Listener) error {
	if err := s.check(); err != nil {
		if cerr := l.Close(); cerr != nil {
			s.log.Warn("close listener", "err", cerr)
		}
		return err
	}
	ll := &limitListener{Listener: l, t: s.conns}
	if s.cfg.ImplicitTLS {
		ll.implicitTLS = s.cfg.TLS
	}
	if !s.conns.addListener(ll) {
		if err := ll.Close(); err != nil {
			s.log.Warn("close listener", "err", err)
		}
		return smtp.ErrServerClosed
	}
	var served net.Listener = ll
	if s.cfg.ImplicitTLS {
		served = tls.NewListener(ll, s.cfg.TLS)
	}
	err := s.smtp.Serve(served)
	if cerr := ll.Close(); cerr != nil && !errors.Is(cerr, net.ErrClosed) {
		s.log.Warn("close listener", "err", cerr)
	}
	if err == nil || errors.Is(err, net.ErrClosed) {
		// go-smtp returns nil once Shutdown has closed the listener.
		return smtp.ErrServerClosed
	}
	return err
}

// Shutdown stops accepting connections and waits for the open ones to
// end. Connections in a mail transaction may finish it; idle ones are sent
// go-smtp's "421 4.4.2" and closed, which is repeated until ctx ends since
// a session can become idle at any time. When ctx ends first, the
// remaining connections are closed (their unfinished messages are not
// stored; the clients retry) and ctx's error is returned. Later calls
// return smtp.ErrServerClosed.
func (s *Server) Shutdown(ctx context.Context) error {
	err := smtp.ErrServerClosed
	s.shutdownOnce.Do(func() { err = s.shutdown(ctx) })
	return err
}

func (s *Server) shutdown(ctx context.Context) error {
	s.conns.stop()
	stop := make(chan struct{})
	var waker sync.WaitGroup
	waker.Go(func() { s.wakeIdleUntil(stop) })
	err := s.smtp.Shutdown(ctx)
	close(stop)
	waker.Wait()
	s.conns.closeListeners()
	if ctx.Err() != nil {
		s.conns.closeAll()
	}
	s.conns.rejects.Wait()
	s.log.Info("stopped", "err", err)
	return err
}

// wakeIdleUntil wakes idle connections now and then at growing intervals
// until stop is closed, like net/http's Shutdown polling.
func (s *Server) wakeIdleUntil(stop <-chan struct{}) {
	delay := 10 * time.Millisecond
	for {
		s.conns.wakeIdle()
		t := time.NewTimer(delay)
		select {
		case <-stop:
			t.Stop()
			return
		case <-t.C:
		}
		delay = min(2*delay, 500*time.Millisecond)
	}
}
