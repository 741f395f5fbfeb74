package web

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"time"

	"mailnet/routing/sla"
	"mailnet/storage"
)

// Store is what the dashboard reads and finds in the store.
type Store interface {
	Account(ctx context.Context, address string) (storage.Account, error)
	Teams(ctx context.Context) ([]storage.Team, error)
	Counsellors(ctx context.Context) ([]storage.Counsellor, error)
	Counsellor(ctx context.Context, address string) (storage.Counsellor, error)
	Client(ctx context.Context, id string) (storage.Client, error)
	Conversations(ctx context.Context, f storage.ConversationFilter) ([]storage.Conversation, error)
	ConversationByID(ctx context.Context, id uint64) (storage.Conversation, error)
	Mailboxes(ctx context.Context, account uint64) ([]storage.Mailbox, error)
	UIDs(ctx context.Context, mailbox uint64) ([]uint32, error)
	Messages(ctx context.Context, mailbox uint64, uids []uint32, want storage.Want) ([]storage.Message, error)
	Absences(ctx context.Context, counsellor string) ([]storage.Absence, error)
	ArchiveEntries(ctx context.Context, f storage.ArchiveFilter) ([]storage.ArchiveEntry, error)
	CaseUIDs(ctx context.Context, client string) ([]uint32, error)
	CaseMessages(ctx context.Context, client string, uids []uint32, want storage.Want) ([]storage.Message, error)
	SessionStore
}

// Authenticator checks a login; auth.Authenticator implements it.
type Authenticator interface {
	Authenticate(ctx context.Context, username, password string, remote netip.Addr) (storage.Account, error)
}

// Caseload performs the managers' routing actions; control.Local
// implements it, as for the command line.
type Caseload interface {
	SetAbsence(ctx context.Context, a storage.Absence) (uint64, error)
	LinkCase(ctx context.Context, l storage.CaseLink) error
	AssignClient(ctx context.Context, client, counsellor, actor string) error
}

// Config is the dashboard's settings.
type Config struct {
	// TLS, if set, makes Serve speak HTTPS; the session cookie is then
	// Secure.
	TLS *tls.Config
	// SessionLifetime is how long a login lasts.
	SessionLifetime time.Duration
	// LowVolumePercent is the statistics' low-volume threshold; 0 means
	// the default of package stats.
	LowVolumePercent int
	// Calendar is the SLA business calendar: business hours, and the time
	// zone of dates in forms.
	Calendar *sla.Calendar
	// MetricsFrom lists the networks that may read /metrics; others get
	// 403, and none means no /metrics.
	MetricsFrom []netip.Prefix
}

// Deps are the dashboard's collaborators. Store, Auth, Caseload, Audit
// and Calendar (in Config) are required.
type Deps struct {
	Store    Store
	Auth     Authenticator
	Caseload Caseload
	Audit    Auditor
	Logger   *slog.Logger
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Metrics, if set, is mounted at /metrics.
	Metrics http.Handler
	// Autoconfig, if set, is mounted at the two Thunderbird autoconfig
	// paths.
	Autoconfig http.Handler
}

// Server is the dashboard's HTTP server.
type Server struct {
	cfg      Config
	deps     Deps
	log      *slog.Logger
	now      func() time.Time
	sessions *sessions
	pages    map[string]*template.Template
	http     *http.Server
}

// New returns a dashboard server; it opens no listener. It fails only if
// the embedded templates do not parse.
func New(cfg Config, deps Deps) (*Server, error) {
	s := &Server{cfg: cfg, deps: deps, log: deps.Logger, now: deps.Now}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if cfg.SessionLifetime <= 0 {
		s.cfg.SessionLifetime = 8 * time.Hour
	}
	s.sessions = newSessions(s.deps.Store, s.cfg.SessionLifetime, s.now)
	pages, err := parsePages(cfg.Calendar.Location())
	if err != nil {
		return nil, err
	}
	s.pages = pages
	s.http = &http.Server{
		Handler:           s.Handler(),
		TLSConfig:         cfg.TLS,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       time.Minute,
		WriteTimeout:      5 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelError),
	}
	return s, nil
}

// Handler returns the dashboard's routes with its security headers.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /static/", http.FileServerFS(assets))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
	})
	mux.HandleFunc("GET /login", s.loginPage)
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("POST /logout", s.authed(s.logout))
	mux.HandleFunc("GET /dashboard", s.authed(s.dashboard))
	mux.HandleFunc("GET /conversations/{id}", s.authed(s.conversationPage))
	mux.HandleFunc("GET /conversations/{id}/attachment", s.authed(s.attachment))
	mux.HandleFunc("POST /actions/absence", s.authed(s.actionAbsence))
	mux.HandleFunc("POST /actions/link", s.authed(s.actionLink))
	mux.HandleFunc("POST /actions/assign", s.authed(s.actionAssign))
	mux.HandleFunc("GET /api/me", s.authedAPI(s.apiMe))
	mux.HandleFunc("GET /api/stats", s.authedAPI(s.apiStats))
	mux.HandleFunc("GET /api/stats.csv", s.authedAPI(s.apiStatsCSV))
	mux.HandleFunc("GET /api/conversations", s.authedAPI(s.apiConversations))
	mux.HandleFunc("GET /api/conversations/{id}", s.authedAPI(s.apiConversation))
	if s.deps.Metrics != nil && len(s.cfg.MetricsFrom) > 0 {
		mux.Handle("/metrics", s.metricsGuard(s.deps.Metrics))
	}
	if s.deps.Autoconfig != nil {
		mux.Handle("/.well-known/autoconfig/mail/config-v1.1.xml", s.deps.Autoconfig)
		mux.Handle("/mail/config-v1.1.xml", s.deps.Autoconfig)
	}
	return securityHeaders(mux)
}

// securityHeaders forbids framing, sniffing, scripts and remote content on
// every response: sanitised mail may still link to images elsewhere, and
// those must not load (tracking pixels).
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; "+
			"form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}

// Serve accepts connections on l until Shutdown, over TLS when the
// configuration has it. It returns http.ErrServerClosed after Shutdown.
func (s *Server) Serve(l net.Listener) error {
	if s.cfg.TLS != nil {
		return s.http.ServeTLS(l, "", "") // certificates from TLSConfig
	}
	return s.http.Serve(l)
}

// Shutdown stops accepting, waits for requests in progress until ctx
// ends, then closes the remaining connections.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.http.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		if cerr := s.http.Close(); cerr != nil {
			return fmt.Errorf("web close: %w", cerr)
		}
	}
	if err != nil {
		return fmt.Errorf("web shutdown: %w", err)
	}
	return nil
}

// metricsGuard lets only the networks of Config.MetricsFrom read h: the
// metrics tell queue sizes and login failures, not for everyone to see.
func (s *Server) metricsGuard(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		remote := remoteAddr(r)
		for _, p := range s.cfg.MetricsFrom {
			if p.Contains(remote) {
				h.ServeHTTP(w, r)
				return
			}
		}
		http.Error(w, "Forbidden", http.StatusForbidden)
	})
}
