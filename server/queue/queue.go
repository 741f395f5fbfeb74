package queue

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"sync"
	"time"

	"mailnet/storage"
)

// Defaults applied by New to zero Config fields.
const (
	// DefaultMaxAge is how long a message is retried before it bounces.
	DefaultMaxAge = 5 * 24 * time.Hour
	// DefaultPort is the SMTP port of remote MX hosts (RFC 5321 §4.5.4.2
	// leaves no choice in practice).
	DefaultPort = 25
	// DefaultConnectTimeout bounds one TCP connection attempt.
	DefaultConnectTimeout = 30 * time.Second
	// DefaultCommandTimeout is RFC 5321 §4.5.3.2's 5 minutes for the
	// greeting and each command's reply.
	DefaultCommandTimeout = 5 * time.Minute
	// DefaultConcurrency is the default number of parallel deliveries.
	DefaultConcurrency = 4
)

// dataReplyTimeout is RFC 5321 §4.5.3.2.6's wait for the reply to the end
// of data. It is used unless CommandTimeout is longer.
const dataReplyTimeout = 10 * time.Minute

// maxIdle caps the wait between two scans of the queue, so a missed wake-up
// or a jump of the clock costs at most this delay.
const maxIdle = time.Minute

// DefaultRetry returns the default backoff schedule: 1m, 5m, 30m, 2h, 4h,
// then every 4h.
func DefaultRetry() []time.Duration {
	return []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 4 * time.Hour}
}

// Config tunes the delivery worker. Zero fields take the defaults above.
type Config struct {
	// Hostname is our name in EHLO, in the DSN's Reporting-MTA and From
	// (MAILER-DAEMON@Hostname) and in its Message-ID. Empty means
	// "localhost". An MX record naming this host is a routing loop (RFC
	// 5321 §5.1).
	Hostname string
	// Retry is the backoff schedule: after the n-th unsuccessful round
	// the entry waits Retry[n-1], the last value repeating. Empty means
	// DefaultRetry(). Values that are not positive are ignored.
	Retry []time.Duration
	// MaxAge is how long after it was queued a message may still be
	// retried; recipients still pending after that bounce with 4.4.7.
	// Zero means DefaultMaxAge.
	MaxAge time.Duration
	// Port is the remote SMTP port. Zero means DefaultPort.
	Port int
	// ConnectTimeout bounds each TCP connection attempt. Zero means
	// DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// CommandTimeout bounds the greeting, the STARTTLS handshake and each
	// command's reply; the reply to the end of data may take 10 minutes
	// or CommandTimeout if longer. Zero means DefaultCommandTimeout.
	CommandTimeout time.Duration
	// Concurrency bounds the deliveries Run makes in parallel (each is one
	// queue entry). Zero means DefaultConcurrency.
	Concurrency int
	// TLSConfig is the base client TLS configuration (RootCAs, MinVersion,
	// Time). Its ServerName, InsecureSkipVerify and VerifyConnection are
	// replaced: TLS is opportunistic, the certificate is verified against
	// the MX host name and the outcome recorded, never enforced. Nil means
	// the system roots.
	TLSConfig *tls.Config
	// Now returns the current time; nil means time.Now. It decides what
	// is due, the next attempt and expiry; network timeouts use real time.
	Now func() time.Time
}

// withDefaults returns c with zero fields set to their defaults.
func (c Config) withDefaults() Config {
	if c.Hostname == "" {
		c.Hostname = "localhost"
	}
	c.Retry = slices.DeleteFunc(slices.Clone(c.Retry), func(d time.Duration) bool { return d <= 0 })
	if len(c.Retry) == 0 {
		c.Retry = DefaultRetry()
	}
	if c.MaxAge <= 0 {
		c.MaxAge = DefaultMaxAge
	}
	if c.Port <= 0 {
		c.Port = DefaultPort
	}
	if c.ConnectTimeout <= 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.CommandTimeout <= 0 {
		c.CommandTimeout = DefaultCommandTimeout
	}
	if c.Concurrency <= 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.TLSConfig == nil {
		c.TLSConfig = &tls.Config{}
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// backoff returns the wait after the given number of unsuccessful rounds
// (at least 1).
func (c Config) backoff(attempts int) time.Duration {
	return c.Retry[min(max(attempts, 1), len(c.Retry))-1]
}

// Store is the durable queue (*storage.DB implements it). UpdateQueue and
// FinishQueue must be durable when they return nil; FinishQueue must remove
// the entry and deliver the notice in one transaction.
type Store interface {
	Queue(ctx context.Context) ([]storage.QueueEntry, error)
	QueueEntry(ctx context.Context, id uint64) (storage.QueueEntry, error)
	QueueMessage(ctx context.Context, id uint64) ([]byte, error)
	UpdateQueue(ctx context.Context, id uint64, change func(*storage.QueueEntry) error) (storage.QueueEntry, error)
	FinishQueue(ctx context.Context, id uint64, notice *storage.Incoming) error
	Account(ctx context.Context, address string) (storage.Account, error)
}

// Resolver is the DNS the worker uses (*net.Resolver, *mockdns.Resolver
// and resolver.Resolver implement it). A "not found" answer must be a
// *net.DNSError with IsNotFound set; any other error counts as temporary.
type Resolver interface {
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupIPAddr(ctx context.Context, host string) ([]net.IPAddr, error)
}

// Deps are the worker's collaborators.
type Deps struct {
	// Store holds the queue. Required.
	Store Store
	// Resolver answers MX and address lookups. Required.
	Resolver Resolver
	// Logger receives delivery events; nil discards them.
	Logger *slog.Logger
	// Dialer opens TCP connections to "ip:port" addresses; nil means a
	// net.Dialer. Each call's ctx carries ConnectTimeout.
	Dialer func(ctx context.Context, network, addr string) (net.Conn, error)
	// Wake, if not nil, makes Run scan the queue at once whenever it
	// receives (send after queueing mail; Kick does the same).
	Wake <-chan struct{}
	// Observer, if set, counts the attempts and times the deliveries.
	Observer Observer
}

// Observer counts what the worker does, for metrics (*metrics.Metrics
// implements it). Its methods are called from delivery goroutines: they
// must be quick and safe for concurrent use.
type Observer interface {
	// DeliveryAttempt counts one recipient's attempt whose result was
	// saved: "delivered", "deferred" (still pending) or "failed".
	DeliveryAttempt(result string)
	// Delivered gives the time from a message's queueing to a remote
	// host's acceptance of one of its recipients.
	Delivered(latency time.Duration)
}

type nopObserver struct{}

func (nopObserver) DeliveryAttempt(string)  {}
func (nopObserver) Delivered(time.Duration) {}

// Worker delivers queued messages to remote MX hosts. Its methods are safe
// for concurrent use; one entry is never delivered by two goroutines at
// once.
type Worker struct {
	cfg   Config
	store Store
	dns   Resolver
	log   *slog.Logger
	dial  func(ctx context.Context, network, addr string) (net.Conn, error)
	wake  <-chan struct{}
	obs   Observer
	kick  chan struct{} // Kick → Run, buffered 1
	done  chan struct{} // a delivery ended → Run, buffered 1
	slots chan struct{} // Run's deliveries in progress, cap Concurrency

	mu      sync.Mutex
	busy    map[uint64]bool      // entries being delivered
	holdoff map[uint64]time.Time // entries whose last round failed on our side
}

// New returns a Worker; nothing runs until Run. deps.Store and
// deps.Resolver must not be nil.
func New(cfg Config, deps Deps) *Worker {
	cfg = cfg.withDefaults()
	w := &Worker{
		cfg:     cfg,
		store:   deps.Store,
		dns:     deps.Resolver,
		log:     deps.Logger,
		dial:    deps.Dialer,
		wake:    deps.Wake,
		obs:     deps.Observer,
		kick:    make(chan struct{}, 1),
		done:    make(chan struct{}, 1),
		slots:   make(chan struct{}, cfg.Concurrency),
		busy:    make(map[uint64]bool),
		holdoff: make(map[uint64]time.Time),
	}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if w.obs == nil {
		w.obs = nopObserver{}
	}
	if w.dial == nil {
		var d net.Dialer
		w.dial = d.DialContext
	}
	return w
}

// Run delivers due entries (NextAttempt not after Now) until ctx is done,
// at most Concurrency at a time, then sleeps until the next entry is due,
// a Kick, a Wake or the end of a delivery. Entries left due by a crash or
// a stop are simply due when Run starts. Run returns ctx's error after
// every delivery it started has ended and saved its results; call it once.
func (w *Worker) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		timer.Reset(w.dispatch(ctx, &wg))
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-w.kick:
		case <-w.wake:
		case <-w.done:
		case <-timer.C:
		}
	}
}

// Kick makes Run scan the queue now rather than at its next wake-up. It
// never blocks.
func (w *Worker) Kick() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// DeliverNow makes one delivery round for entry id in the caller's
// goroutine, due or not, outside the Concurrency bound: every pending
// recipient is tried once, then the entry is finished (removed, with a DSN
// for failures) or rescheduled. It returns nil when the round ran, even if
// recipients remain pending; storage.ErrNotFound (wrapped) when there is no
// such entry; ErrBusy when Run is delivering it now.
func (w *Worker) DeliverNow(ctx context.Context, id uint64) error {
	if !w.claim(id) {
		return fmt.Errorf("deliver queue entry %d: %w", id, ErrBusy)
	}
	defer w.ended(id)
	w.unhold(id)
	return w.deliver(ctx, id)
}

// dispatch starts a delivery for each due entry while slots are free and
// returns how long Run may sleep before the next one falls due.
func (w *Worker) dispatch(ctx context.Context, wg *sync.WaitGroup) time.Duration {
	entries, err := w.store.Queue(ctx)
	if err != nil {
		if ctx.Err() == nil {
			w.log.Error("queue scan failed", "err", err)
		}
		return w.cfg.Retry[0]
	}
	slices.SortStableFunc(entries, func(a, b storage.QueueEntry) int {
		return a.NextAttempt.Compare(b.NextAttempt)
	})
	now := w.cfg.Now()
	wait := maxIdle
	for _, e := range entries {
		if due := w.dueAt(e); due.After(now) {
			wait = min(wait, due.Sub(now))
			continue
		}
		if !w.claim(e.ID) {
			continue // its end signals done, and we scan again
		}
		select {
		case w.slots <- struct{}{}:
		default:
			w.release(e.ID)
			return maxIdle // full: the next delivery to end signals done
		}
		wg.Go(func() {
			defer func() { <-w.slots }()
			defer w.ended(e.ID)
			w.run(ctx, e.ID)
		})
	}
	return wait
}

// run is the top of a delivery goroutine: it logs what deliver could not
// handle, and holds the entry back for Retry[0] so a failing store is not
// hammered.
func (w *Worker) run(ctx context.Context, id uint64) {
	defer func() {
		if r := recover(); r != nil {
			w.log.Error("delivery panicked", "queue_id", id, "panic", r)
			w.hold(id)
		}
	}()
	err := w.deliver(ctx, id)
	switch {
	case err == nil:
		w.unhold(id)
	case ctx.Err() != nil:
	case errors.Is(err, storage.ErrNotFound):
		w.unhold(id)
		w.log.Info("queue entry gone", "queue_id", id) // finished or dropped meanwhile
	default:
		w.log.Error("delivery round failed", "queue_id", id, "err", err)
		w.hold(id)
	}
}

// dueAt returns when e may be delivered next.
func (w *Worker) dueAt(e storage.QueueEntry) time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	if h, ok := w.holdoff[e.ID]; ok && h.After(e.NextAttempt) {
		return h
	}
	return e.NextAttempt
}

// hold keeps Run from retrying id before Retry[0] has passed.
func (w *Worker) hold(id uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.holdoff[id] = w.cfg.Now().Add(w.cfg.Retry[0])
}

// unhold forgets a hold on id.
func (w *Worker) unhold(id uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.holdoff, id)
}

// claim marks id as being delivered, or reports false if it already is.
func (w *Worker) claim(id uint64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.busy[id] {
		return false
	}
	w.busy[id] = true
	return true
}

// release undoes claim.
func (w *Worker) release(id uint64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.busy, id)
}

// ended releases id after a delivery and tells Run to scan again.
func (w *Worker) ended(id uint64) {
	w.release(id)
	select {
	case w.done <- struct{}{}:
	default:
	}
}
