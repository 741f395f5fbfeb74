package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"mailnet/auth"
	"mailnet/conf"
	"mailnet/dkimsign"
	"mailnet/internal/netlimit"
	"mailnet/mailauth"
	"mailnet/resolver"
	"mailnet/routing"
	"mailnet/routing/sla"
	"mailnet/routing/sla/texts"
	"mailnet/server/autoconfig"
	"mailnet/server/control"
	"mailnet/server/imapd"
	"mailnet/server/metrics"
	"mailnet/server/queue"
	"mailnet/server/slawatch"
	"mailnet/server/smtpd"
	"mailnet/server/tlsconf"
	"mailnet/server/web"
	"mailnet/storage"
)

// Server is a running mailnet instance.
type Server struct {
	cfg  *conf.Config
	db   *storage.DB
	log  *slog.Logger
	tls  *tls.Config
	auth *auth.Authenticator

	mx, submission, submissions *smtpd.Server
	imap                        *imapd.Server
	control                     *control.Server
	web                         *web.Server
	queue                       *queue.Worker
	watch                       *slawatch.Watcher // nil without a calendar
	metrics                     *metrics.Metrics
	autoconfig                  *autoconfig.Handler
	// stopWorkers stops the background workers (notice watcher, then
	// delivery worker) and waits for them, in that order.
	stopWorkers []func()

	mu    sync.Mutex
	addrs map[string]net.Addr
	wg    sync.WaitGroup
}

// New builds a server over an open store. It loads or generates the TLS
// certificate but opens no listener yet.
func New(cfg *conf.Config, db *storage.DB, log *slog.Logger) (*Server, error) {
	cert, err := loadCertificate(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, db: db, log: log, tls: tlsconf.Config(cert, cfg.TLS.MinTLSVersion()), addrs: map[string]net.Addr{}}
	s.metrics = metrics.New(metrics.Options{Store: db, Logger: log.With("part", "metrics")})
	pub := cfg.Published()
	s.autoconfig = autoconfig.New(autoconfig.Config{Domains: slices.Clone(cfg.Domains), Host: pub.Host,
		IMAPPort: pub.IMAPPort, IMAPSPort: pub.IMAPSPort, SubmissionPort: pub.SubmissionPort, SubmissionsPort: pub.SubmissionsPort})
	s.auth = auth.New(db, auth.Options{
		Limits: auth.Limits{
			FailuresPerAccount: cfg.Limits.LoginFailuresPerAccount,
			FailuresPerIP:      cfg.Limits.LoginFailuresPerIP,
			Window:             cfg.Limits.LoginWindow.Duration,
		},
		Logger: log.With("part", "auth"),
	})
	signer, err := dkimsign.Load(cfg.DataDir)
	if err != nil {
		return nil, fmt.Errorf("dkim keys: %w", err)
	}
	for _, k := range signer.Keys() {
		log.Info("dkim key loaded", "domain", k.Domain, "selector", k.Selector, "algorithm", k.Algorithm)
	}
	router := routing.New(db, cfg.Domains)
	dns := resolver.Cached(resolver.New(resolver.Options{Servers: cfg.DNS.ServerAddrs(), Timeout: cfg.DNS.Timeout.Duration}), nil)
	checker := mailauth.New(dns, mailauth.Options{AuthServID: cfg.Hostname})
	smtpCfg := smtpd.Config{
		Hostname:            cfg.Hostname,
		TLS:                 s.tls,
		MaxMessageBytes:     int64(cfg.Limits.MessageSize),
		MaxRecipients:       cfg.Limits.Recipients,
		CommandTimeout:      cfg.Limits.SMTPCommandTimeout.Duration,
		DataTimeout:         cfg.Limits.SMTPDataTimeout.Duration,
		MaxConnectionsPerIP: cfg.Limits.MaxConnectionsPerIP,
		DMARCReject:         dmarcAction(cfg.Inbound.DMARCReject),
	}
	retry := make([]time.Duration, len(cfg.Queue.Retry))
	for i, d := range cfg.Queue.Retry {
		retry[i] = d.Duration
	}
	s.queue = queue.New(queue.Config{
		Hostname:    cfg.Hostname,
		Retry:       retry,
		MaxAge:      cfg.Queue.MaxAge.Duration,
		Concurrency: cfg.Queue.Concurrency,
	}, queue.Deps{Store: db, Resolver: dns, Logger: log.With("part", "queue"), Observer: s.metrics})
	cal, err := newCalendar(cfg.SLA)
	if err != nil {
		return nil, err
	}
	txt, err := texts.Load(cfg.SLA.TemplatesDir)
	if err != nil {
		return nil, fmt.Errorf("sla.templates_dir: %w", err)
	}
	smtpCfg.AckText = txt.Ack
	if cal != nil {
		s.watch = slawatch.New(slawatch.Config{Hostname: cfg.Hostname, NoticeText: txt.Notice, AlertText: txt.Alert,
			ContactAt: cfg.SLA.NextContact.Duration},
			slawatch.Deps{Store: db, Calendar: cal, Signer: signer, Logger: log.With("part", "slawatch"), Queued: s.queue.Kick})
	}
	// One count of connections per client network for every listener.
	limit := netlimit.New(cfg.Limits.MaxConnectionsPerIP)
	deps := smtpd.Deps{Store: db, Router: router, Auth: s.auth, Logger: log, Signer: signer, Checker: checker, Queued: s.queue.Kick,
		Calendar: cal, Limiter: limit}
	smtpCfg.Mode = smtpd.ModeMX
	smtpCfg.Acknowledge = cfg.SLA.Acknowledge
	deps.Observer = s.metrics.Protocol(metrics.ProtoMX)
	s.mx = smtpd.New(smtpCfg, deps)
	smtpCfg.Mode = smtpd.ModeSubmission
	smtpCfg.Acknowledge = false
	deps.Observer = s.metrics.Protocol(metrics.ProtoSubmission)
	s.submission = smtpd.New(smtpCfg, deps)
	smtpCfg.ImplicitTLS = true
	s.submissions = smtpd.New(smtpCfg, deps)
	answers, err := ensureAnswers(context.Background(), db)
	if err != nil {
		return nil, err
	}
	scope, err := auth.ParseScope(cfg.Sharing.Scope)
	if err != nil {
		return nil, err
	}
	s.imap = imapd.New(imapd.Config{
		TLS:             s.tls,
		MaxMessageBytes: int64(cfg.Limits.MessageSize),
		IdleTimeout:     cfg.Limits.IMAPIdleTimeout.Duration,
		ShareScope:      scope,
		AnswersAccount:  answers.ID,
	}, imapd.Deps{Store: db, Auth: s.auth, Logger: log, Observer: s.metrics.Protocol(metrics.ProtoIMAP), Limiter: limit})
	if s.web, err = newWeb(cfg, db, s, cal); err != nil {
		return nil, err
	}
	return s, nil
}

// newWeb builds the dashboard: HTTPS with the mail certificate when one is
// configured, plain HTTP (on loopback, as conf.Validate requires)
// otherwise.
func newWeb(cfg *conf.Config, db *storage.DB, s *Server, cal *sla.Calendar) (*web.Server, error) {
	wcfg := web.Config{SessionLifetime: cfg.Web.SessionLifetime.Duration, LowVolumePercent: cfg.Web.LowVolumePercent, Calendar: cal}
	for _, p := range cfg.Web.MetricsFrom {
		wcfg.MetricsFrom = append(wcfg.MetricsFrom, p.Prefix)
	}
	if cfg.TLS.CertFile != "" {
		wcfg.TLS = s.tls.Clone()
		wcfg.TLS.NextProtos = []string{"h2", "http/1.1"}
	}
	log := s.log.With("part", "web")
	w, err := web.New(wcfg, web.Deps{Store: db, Auth: s.auth, Caseload: &control.Local{DB: db}, Logger: log,
		Audit: web.AuditFunc(func(ctx context.Context, e web.AuditEntry) error {
			_, err := db.Audit(ctx, storage.AuditEntry{Actor: e.Actor, Action: e.Action, Owner: e.Owner,
				Mailbox: e.Mailbox, Client: e.Client, UIDs: e.UIDs, Remote: e.Remote})
			return err
		}),
		Metrics:    s.MetricsHandler(),
		Autoconfig: s.AutoconfigHandler(),
	})
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	return w, nil
}

// dmarcAction maps the validated inbound.dmarc_reject setting.
func dmarcAction(s string) smtpd.DMARCAction {
	switch s {
	case "quarantine":
		return smtpd.DMARCQuarantine
	case "tag":
		return smtpd.DMARCTag
	}
	return smtpd.DMARCRefuse
}

func loadCertificate(cfg *conf.Config) (tls.Certificate, error) {
	if cfg.TLS.CertFile != "" {
		return tlsconf.Load(cfg.TLS.CertFile, cfg.TLS.KeyFile)
	}
	return tlsconf.LoadOrCreate(cfg.DataDir, cfg.Hostname, time.Now())
}

// listener is one configured endpoint.
type listener struct {
	name  string
	addr  conf.Addr
	serve func(net.Listener) error
}

// Start opens every configured listener and the control socket, and serves
// them in the background. If any listener cannot be opened, those already
// open are closed and the error is returned.
func (s *Server) Start() error {
	ls := []listener{
		{"smtp", s.cfg.Listen.SMTP, s.mx.Serve},
		{"submission", s.cfg.Listen.Submission, s.submission.Serve},
		{"submissions", s.cfg.Listen.Submissions, s.submissions.Serve},
		{"imap", s.cfg.Listen.IMAP, s.imap.Serve},
		{"imaps", s.cfg.Listen.IMAPS, s.imap.ServeTLS},
		{"http", s.cfg.Listen.HTTP, s.web.Serve},
	}
	var opened []net.Listener
	for _, l := range ls {
		if !l.addr.IsSet() {
			continue
		}
		nl, err := net.Listen("tcp", l.addr.String())
		if err != nil {
			for _, o := range opened {
				o.Close()
			}
			return fmt.Errorf("listen %s on %s: %w", l.name, l.addr, err)
		}
		opened = append(opened, nl)
		s.mu.Lock()
		s.addrs[l.name] = nl.Addr()
		s.mu.Unlock()
		s.log.Info("listening", "proto", l.name, "addr", nl.Addr().String())
		serve := l.serve
		name := l.name
		s.wg.Go(func() {
			if err := serve(nl); err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) &&
				!errors.Is(err, http.ErrServerClosed) {
				s.log.Error("listener stopped", "proto", name, "err", err)
			}
		})
	}
	ctl, err := control.Listen(control.SocketPath(s.cfg.DataDir), &control.Local{DB: s.db, Kick: s.queue.Kick, Retention: s.cfg.Archive.Retention.ByCategory()}, s.log.With("part", "control"))
	if err != nil {
		for _, o := range opened {
			o.Close()
		}
		return fmt.Errorf("control socket: %w", err)
	}
	s.control = ctl
	s.wg.Go(func() {
		if err := ctl.Serve(); err != nil {
			s.log.Error("control socket stopped", "err", err)
		}
	})
	// Both workers write to the store, so Shutdown stops them before the
	// store closes; the delivery worker last, after it has saved what
	// remote hosts already answered.
	s.startWorker("delivery worker", s.queue.Run)
	if s.watch != nil {
		s.startWorker("notice watcher", s.watch.Run)
	}
	return nil
}

// startWorker runs a background worker until Shutdown, which stops the
// workers in the reverse order of their start and waits for each.
func (s *Server) startWorker(name string, run func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			s.log.Error(name+" stopped", "err", err)
		}
	}()
	s.stopWorkers = append([]func(){func() { cancel(); <-done }}, s.stopWorkers...)
}

// Addr returns the bound address of the named listener ("smtp",
// "submission", "submissions", "imap", "imaps", "http"), or nil.
func (s *Server) Addr(name string) net.Addr {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addrs[name]
}

// MetricsHandler serves the Prometheus metrics of this server (see
// package mailnet/server/metrics), for the web server to mount at
// /metrics. It may be called before Start and used concurrently.
func (s *Server) MetricsHandler() http.Handler {
	return s.metrics.Handler()
}

// AutoconfigHandler serves the automatic set-up of mail clients (see
// package mailnet/server/autoconfig), for the web server to mount at
// /.well-known/autoconfig/mail/config-v1.1.xml and
// /mail/config-v1.1.xml. It announces the [public] host and ports.
func (s *Server) AutoconfigHandler() http.Handler {
	return s.autoconfig
}

// Shutdown stops the server: SMTP sessions and web requests are drained
// (until ctx ends), IMAP connections are cut, the control socket is closed, the notice
// watcher stops, and the delivery worker stops after saving the results of
// deliveries in progress. The store is the caller's to close afterwards.
func (s *Server) Shutdown(ctx context.Context) error {
	var errs []error
	if err := s.web.Shutdown(ctx); err != nil {
		errs = append(errs, err)
	}
	for _, srv := range []*smtpd.Server{s.mx, s.submission, s.submissions} {
		if err := srv.Shutdown(ctx); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			errs = append(errs, err)
		}
	}
	if err := s.imap.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		errs = append(errs, err)
	}
	if s.control != nil {
		if err := s.control.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	for _, stop := range s.stopWorkers {
		stop()
	}
	s.wg.Wait()
	return errors.Join(errs...)
}
