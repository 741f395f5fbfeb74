package imapd

import (
	"context"
	"crypto/tls"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapserver"
	"github.com/emersion/go-sasl"

	"mailnet/auth"
	"mailnet/internal/netlimit"
	"mailnet/storage"
)

// Store is what the IMAP server needs from storage.
type Store interface {
	Mailboxes(ctx context.Context, account uint64) ([]storage.Mailbox, error)
	Mailbox(ctx context.Context, account uint64, name string) (storage.Mailbox, error)
	MailboxByID(ctx context.Context, id uint64) (storage.Mailbox, error)
	CreateMailbox(ctx context.Context, account uint64, name, specialUse string) (storage.Mailbox, error)
	DeleteMailbox(ctx context.Context, account uint64, name string) error
	RenameMailbox(ctx context.Context, account uint64, from, to string) error
	SetSubscribed(ctx context.Context, account uint64, name string, subscribed bool) error
	UIDs(ctx context.Context, mailbox uint64) ([]uint32, error)
	Messages(ctx context.Context, mailbox uint64, uids []uint32, want storage.Want) ([]storage.Message, error)
	StoreFlags(ctx context.Context, mailbox uint64, uids []uint32, op storage.FlagOp, flags []string) ([]storage.FlagChange, error)
	CopyMessages(ctx context.Context, from uint64, uids []uint32, to uint64) (storage.Transfer, error)
	MoveMessages(ctx context.Context, from uint64, uids []uint32, to uint64) (storage.Transfer, error)
	ExpungeDeleted(ctx context.Context, mailbox uint64, uids []uint32) ([]uint32, error)
	Deliver(ctx context.Context, in storage.Incoming) (storage.Receipt, error)
	Watch(fn func(storage.Event)) (cancel func())

	Account(ctx context.Context, address string) (storage.Account, error)
	Counsellor(ctx context.Context, address string) (storage.Counsellor, error)
	Team(ctx context.Context, id string) (storage.Team, error)
	Teams(ctx context.Context) ([]storage.Team, error)
	Counsellors(ctx context.Context) ([]storage.Counsellor, error)
	Client(ctx context.Context, id string) (storage.Client, error)
	ClientsOf(ctx context.Context, counsellor string) ([]storage.Client, error)
	CaseLinks(ctx context.Context, client string) ([]storage.CaseLink, error)
	SeenBy(ctx context.Context, reader uint64, view string, uids []uint32) (map[uint32]bool, error)
	SetSeenBy(ctx context.Context, reader uint64, view string, uids []uint32, seen bool) error
	PruneSeenBy(ctx context.Context, reader uint64, view string, live []uint32) (int, error)
	ViewSubscriptions(ctx context.Context, reader uint64) (map[string]bool, error)
	SetViewSubscribed(ctx context.Context, reader uint64, name string, on bool) error
	ClientsWithPrefix(ctx context.Context, prefix string, limit int) ([]storage.Client, error)
	CaseBox(ctx context.Context, client string) (storage.CaseBox, error)
	CaseUIDs(ctx context.Context, client string) ([]uint32, error)
	CaseMessages(ctx context.Context, client string, uids []uint32, want storage.Want) ([]storage.Message, error)
	Audit(ctx context.Context, e storage.AuditEntry) (storage.AuditEntry, error)
}

// Authenticator checks credentials.
type Authenticator interface {
	Authenticate(ctx context.Context, username, password string, remote netip.Addr) (storage.Account, error)
	SASL(ctx context.Context, mech string, remote netip.Addr, onSuccess func(storage.Account)) (sasl.Server, error)
	Mechanisms() []string
}

// Config is the IMAP listener configuration.
type Config struct {
	// TLS is required: STARTTLS on plain listeners, or the implicit TLS
	// wrapper of ServeTLS.
	TLS *tls.Config
	// MaxMessageBytes bounds APPEND (advertised as APPENDLIMIT).
	MaxMessageBytes int64
	// IdleTimeout closes connections silent for that long (RFC 9051 §5.4
	// asks for at least 30 minutes).
	IdleTimeout time.Duration
	// ShareScope is how far counsellors read colleagues' mail and cases.
	ShareScope auth.Scope
	// AnswersAccount is the account whose mailboxes are the answer
	// repository (Answers/…); 0 means none.
	AnswersAccount uint64
}

// Deps are the server's collaborators.
type Deps struct {
	Store  Store
	Auth   Authenticator
	Logger *slog.Logger
	// Observer, if set, counts connections and logins.
	Observer Observer
	// Limiter, if set, bounds the open connections per client network,
	// counted together with the server's other listeners.
	Limiter *netlimit.Limiter
}

// Observer counts connections and logins for metrics (*metrics.Protocol
// implements it). It is called from connection goroutines: its methods
// must be quick and safe for concurrent use.
type Observer interface {
	ConnOpened()
	ConnClosed()
	Login(ok bool)
}

type nopObserver struct{}

func (nopObserver) ConnOpened() {}
func (nopObserver) ConnClosed() {}
func (nopObserver) Login(bool)  {}

// Server serves IMAP on any number of listeners.
type Server struct {
	cfg     Config
	deps    Deps
	log     *slog.Logger
	imap    *imapserver.Server
	live    *registry
	unwatch func()
	connSeq atomic.Uint64

	mu      sync.Mutex
	closed  bool
	fronts  []*frontListener
	serving []*startedListener
}

// capabilities lists what the backend implements; go-imap adds the
// per-state ones (STARTTLS, AUTH=, LOGINDISABLED, IDLE…).
var capabilities = imap.CapSet{
	imap.CapIMAP4rev1:        {},
	imap.CapIMAP4rev2:        {},
	imap.CapNamespace:        {},
	imap.CapUIDPlus:          {},
	imap.CapESearch:          {},
	imap.CapSearchRes:        {},
	imap.CapListExtended:     {},
	imap.CapListStatus:       {},
	imap.CapMove:             {},
	imap.CapStatusSize:       {},
	imap.CapBinary:           {},
	imap.CapChildren:         {},
	imap.CapSpecialUse:       {},
	imap.CapCreateSpecialUse: {},
	imap.CapLiteralPlus:      {},
	imap.CapUnauthenticate:   {},
	imap.CapACL:              {},
	"RIGHTS=" + rightsExtra:  {},
}

// New returns a server. It starts watching storage for changes; Close
// stops that.
func New(cfg Config, deps Deps) *Server {
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Observer == nil {
		deps.Observer = nopObserver{}
	}
	s := &Server{cfg: cfg, deps: deps, log: deps.Logger, live: newRegistry()}
	s.unwatch = deps.Store.Watch(func(ev storage.Event) {
		origin, _ := ev.Origin.(*imapserver.SessionTracker)
		s.live.handle(ev, origin)
	})
	s.imap = imapserver.New(&imapserver.Options{
		NewSession: s.newSession,
		Caps:       capabilities,
		Logger:     slog.NewLogLogger(deps.Logger.Handler(), slog.LevelError),
		// go-imap only ever sees TLS connections: STARTTLS is served by
		// our front (front.go), so it must not require *tls.Conn itself.
		InsecureAuth: true,
	})
	return s
}

// Serve accepts plain connections (STARTTLS offered) on l until Close.
func (s *Server) Serve(l net.Listener) error {
	front := newFrontListener(s.withIdleTimeout(s.withLimit(l, true)), s.cfg.TLS)
	s.mu.Lock()
	s.fronts = append(s.fronts, front)
	s.mu.Unlock()
	return s.serve(front)
}

// ServeTLS accepts implicit-TLS connections on l until Close.
func (s *Server) ServeTLS(l net.Listener) error {
	return s.serve(tlsListener{tls.NewListener(s.withIdleTimeout(s.withLimit(l, false)), s.cfg.TLS)})
}

// serve runs go-imap on l. go-imap's Serve registers itself with a
// WaitGroup that its Close waits on, unsynchronized: Close waits here for
// every Serve to have reached Accept first.
func (s *Server) serve(l net.Listener) error {
	sl := &startedListener{Listener: l, started: make(chan struct{})}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		l.Close()
		return net.ErrClosed
	}
	s.serving = append(s.serving, sl)
	s.mu.Unlock()
	return s.imap.Serve(sl)
}

// startedListener tells when its first Accept has been called.
type startedListener struct {
	net.Listener
	once    sync.Once
	started chan struct{}
}

func (l *startedListener) Accept() (net.Conn, error) {
	l.once.Do(func() { close(l.started) })
	return l.Listener.Accept()
}

// Close stops the listeners and cuts every connection, IDLE ones included
// (go-imap has no drain), then stops watching storage.
func (s *Server) Close() error {
	s.mu.Lock()
	s.closed = true
	fronts, serving := s.fronts, s.serving
	s.mu.Unlock()
	for _, l := range serving {
		<-l.started
	}
	err := s.imap.Close()
	for _, f := range fronts {
		f.Close()
		f.Wait()
	}
	s.unwatch()
	return err
}

func (s *Server) newSession(c *imapserver.Conn) (imapserver.Session, *imapserver.GreetingData, error) {
	id := s.connSeq.Add(1)
	remote := remoteAddr(c.NetConn())
	sess := &session{
		srv:    s,
		conn:   c,
		remote: remote,
		log:    s.log.With("proto", "imap", "conn", id, "remote", remote.String()),
	}
	if cc, ok := c.NetConn().(*cmdConn); ok {
		sess.cmd = cc
		cc.setExtension(sess, []string{string(imap.CapACL), "RIGHTS=" + rightsExtra})
	}
	sess.log.Debug("connection opened")
	s.deps.Observer.ConnOpened()
	return sess, nil, nil
}

func remoteAddr(c net.Conn) netip.Addr {
	if ap, err := netip.ParseAddrPort(c.RemoteAddr().String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

// withIdleTimeout makes every accepted connection fail a read that waits
// longer than the idle timeout, which ends the session.
func (s *Server) withIdleTimeout(l net.Listener) net.Listener {
	if s.cfg.IdleTimeout <= 0 {
		return l
	}
	return idleListener{Listener: l, timeout: s.cfg.IdleTimeout}
}

type idleListener struct {
	net.Listener
	timeout time.Duration
}

func (l idleListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &idleConn{Conn: c, timeout: l.timeout}, nil
}

type idleConn struct {
	net.Conn
	timeout time.Duration
}

func (c *idleConn) Read(b []byte) (int, error) {
	if err := c.Conn.SetReadDeadline(time.Now().Add(c.timeout)); err != nil {
		return 0, err
	}
	return c.Conn.Read(b)
}

var _ io.Reader = (*idleConn)(nil)
