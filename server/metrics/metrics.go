package metrics

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Values of the proto label.
const (
	ProtoMX         = "smtp-mx"
	ProtoSubmission = "submission"
	ProtoIMAP       = "imap"
)

// Values of the delivery_attempts_total result label.
const (
	AttemptDelivered = "delivered"
	AttemptDeferred  = "deferred"
	AttemptFailed    = "failed"
)

// Options configure New. The zero value gives the protocol and delivery
// metrics only.
type Options struct {
	// Store, if set, adds the metrics read from it at scrape time, and
	// New registers the commit observer on it (Store.ObserveCommits).
	Store Store
	// Now is the clock of the SLA counts; nil means time.Now.
	Now func() time.Time
	// Logger receives the errors met while serving a scrape; nil
	// discards them.
	Logger *slog.Logger
}

// Metrics owns a Prometheus registry and the metrics in it. Its methods
// are safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry
	log *slog.Logger

	connsTotal *prometheus.CounterVec
	connsOpen  *prometheus.GaugeVec
	accepted   *prometheus.CounterVec
	rejected   *prometheus.CounterVec
	logins     *prometheus.CounterVec
	attempts   *prometheus.CounterVec
	latency    prometheus.Histogram
	commits    prometheus.Histogram
}

// New returns a Metrics with its own registry, holding the Go runtime and
// process collectors and mailnet's metrics (see the package doc).
func New(opts Options) *Metrics {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		log: opts.Logger,
		connsTotal: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "mailnet", Name: "connections_total",
			Help: "Connections accepted, by protocol."}, []string{"proto"}),
		connsOpen: prometheus.NewGaugeVec(prometheus.GaugeOpts{Namespace: "mailnet", Name: "connections_open",
			Help: "Connections open now, by protocol."}, []string{"proto"}),
		accepted: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "mailnet", Name: "messages_accepted_total",
			Help: "Messages stored and answered 250, by protocol."}, []string{"proto"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "mailnet", Name: "messages_rejected_total",
			Help: "Refused MAIL, RCPT and DATA commands and connections over the per-IP limit, by protocol and reason."},
			[]string{"proto", "reason"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "mailnet", Name: "logins_total",
			Help: "IMAP logins and SMTP AUTH exchanges, by protocol and result (ok, failed)."}, []string{"proto", "result"}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: "mailnet", Name: "delivery_attempts_total",
			Help: "Outbound recipient attempts on a remote host, by result (delivered, deferred, failed)."}, []string{"result"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "mailnet", Name: "delivery_latency_seconds",
			Help:    "Time from the queueing of a message to the remote host's 250 for one recipient.",
			Buckets: []float64{1, 5, 15, 60, 300, 1800, 3600, 4 * 3600, 12 * 3600, 24 * 3600, 72 * 3600, 120 * 3600}}),
		commits: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: "mailnet", Name: "storage_commit_duration_seconds",
			Help:    "Duration of the store's durable transactions, fsync included.",
			Buckets: prometheus.ExponentialBuckets(0.0005, 2, 12)}),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.connsTotal, m.connsOpen, m.accepted, m.rejected, m.logins, m.attempts, m.latency, m.commits,
	)
	if opts.Store != nil {
		m.reg.MustRegister(newStoreCollector(opts.Store, opts.Now))
		opts.Store.ObserveCommits(m.observeCommit)
	}
	return m
}

// Handler serves the metrics in the Prometheus exposition format (text or
// protobuf, as the scraper asks). A metric that cannot be read, such as a
// store gauge while the store is closing, is left out of the answer and
// logged; the others are served.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(m.log.Handler(), slog.LevelError),
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.reg,
	})
}

// observeCommit records one durable commit.
func (m *Metrics) observeCommit(_ int, d time.Duration) {
	m.commits.Observe(d.Seconds())
}

// DeliveryAttempt counts one recipient's attempt on a remote host, with
// result AttemptDelivered, AttemptDeferred or AttemptFailed.
func (m *Metrics) DeliveryAttempt(result string) {
	m.attempts.WithLabelValues(result).Inc()
}

// Delivered records the time a recipient waited from the queueing of its
// message to the remote host's acceptance.
func (m *Metrics) Delivered(latency time.Duration) {
	m.latency.Observe(latency.Seconds())
}

// Protocol returns the observer of one protocol's sessions, proto being
// ProtoMX, ProtoSubmission or ProtoIMAP. Calls with the same proto share
// their series.
func (m *Metrics) Protocol(proto string) *Protocol {
	return &Protocol{
		m:      m,
		proto:  proto,
		conns:  m.connsTotal.WithLabelValues(proto),
		open:   m.connsOpen.WithLabelValues(proto),
		accept: m.accepted.WithLabelValues(proto),
		ok:     m.logins.WithLabelValues(proto, "ok"),
		failed: m.logins.WithLabelValues(proto, "failed"),
	}
}

// Protocol counts the connections, messages and logins of one protocol.
// Its methods are safe for concurrent use.
type Protocol struct {
	m          *Metrics
	proto      string
	conns      prometheus.Counter
	open       prometheus.Gauge
	accept     prometheus.Counter
	ok, failed prometheus.Counter
}

// ConnOpened counts a connection accepted; ConnClosed must follow it.
func (p *Protocol) ConnOpened() {
	p.conns.Inc()
	p.open.Inc()
}

// ConnClosed counts the end of a connection counted by ConnOpened.
func (p *Protocol) ConnClosed() { p.open.Dec() }

// Accepted counts a message stored.
func (p *Protocol) Accepted() { p.accept.Inc() }

// Rejected counts a refusal for reason, a short snake_case word such as
// "unknown_user" or "size".
func (p *Protocol) Rejected(reason string) {
	p.m.rejected.WithLabelValues(p.proto, reason).Inc()
}

// Login counts a login that succeeded (ok) or failed.
func (p *Protocol) Login(ok bool) {
	if ok {
		p.ok.Inc()
	} else {
		p.failed.Inc()
	}
}
