package smtpd

import (
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"mailnet/internal/netlimit"
)

// rejectTimeout bounds the time spent telling an excess connection it is
// refused (including, on an implicit-TLS port, the TLS handshake).
const rejectTimeout = 10 * time.Second

// tracker counts the open connections per client network and keeps every
// open connection and listener, so that Shutdown can wake idle sessions
// and, at its deadline, cut the others. It is safe for concurrent use.
type tracker struct {
	limit *netlimit.Limiter // shared with the other listeners of the server
	log   *slog.Logger
	obs   Observer

	mu        sync.Mutex
	closed    bool
	conns     map[*trackedConn]struct{}
	listeners map[net.Listener]struct{}

	rejects sync.WaitGroup // goroutines writing the refusal to excess connections
}

func newTracker(limit *netlimit.Limiter, log *slog.Logger, obs Observer) *tracker {
	return &tracker{
		limit:     limit,
		log:       log,
		obs:       obs,
		conns:     make(map[*trackedConn]struct{}),
		listeners: make(map[net.Listener]struct{}),
	}
}

// trackedConn is an accepted connection counted by a tracker until Close.
type trackedConn struct {
	net.Conn
	id     string     // connection ID for logs and replies
	remote netip.Addr // client address, unmapped
	t      *tracker   // nil when not counted

	// busy is set while a mail transaction is open (from MAIL to its end):
	// Shutdown lets such a connection finish instead of waking it.
	busy atomic.Bool
	// eof is set once a read has met the end of the stream: the client
	// closed its side. See session.Data for why it matters.
	eof       atomic.Bool
	closeOnce sync.Once
}

// Read reads from the connection, noting the end of the stream.
func (c *trackedConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err == io.EOF {
		c.eof.Store(true)
	}
	return n, err
}

// Close closes the connection and stops counting it.
func (c *trackedConn) Close() error {
	err := c.Conn.Close()
	c.closeOnce.Do(func() {
		if c.t != nil {
			c.t.release(c)
		}
	})
	return err
}

// Reasons for admit to refuse a connection.
var (
	errLimitReached = errors.New("smtpd: too many connections from one network")
	errStopped      = errors.New("smtpd: server shutting down")
)

// admit counts c and returns it tracked. It fails with errLimitReached if
// c's network already has maxPerIP connections, with errStopped after
// stop.
func (t *tracker) admit(c net.Conn) (*trackedConn, error) {
	tc := &trackedConn{Conn: c, id: newConnID(), remote: netlimit.RemoteAddr(c), t: t}
	t.mu.Lock()
	defer t.mu.Unlock()
	switch {
	case t.closed:
		return nil, errStopped
	case !t.limit.Acquire(tc.remote):
		return nil, errLimitReached
	}
	t.conns[tc] = struct{}{}
	t.obs.ConnOpened()
	return tc, nil
}

func (t *tracker) release(c *trackedConn) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.conns, c)
	t.obs.ConnClosed()
	t.limit.Release(c.remote)
	t.log.Debug("connection closed", "conn", c.id, "remote", c.remote)
}

// open returns the number of open connections.
func (t *tracker) open() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.conns)
}

// addListener records l, or reports false if the tracker is closed.
func (t *tracker) addListener(l net.Listener) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.listeners[l] = struct{}{}
	return true
}

// stop makes admit refuse every new connection and addListener every new
// listener.
func (t *tracker) stop() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
}

// closeListeners closes every listener. go-smtp closes those it knows;
// this also catches one whose Serve raced Shutdown.
func (t *tracker) closeListeners() {
	t.mu.Lock()
	defer t.mu.Unlock()
	for l := range t.listeners {
		if err := l.Close(); err != nil {
			t.log.Warn("close listener", "err", err)
		}
	}
}

// wakeIdle makes every connection outside a mail transaction fail its
// pending read now. go-smtp answers such a timeout with 421 and closes
// the connection; a read started later gets a fresh deadline, which is why
// Shutdown calls this repeatedly.
func (t *tracker) wakeIdle() {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := time.Now()
	for c := range t.conns {
		if !c.busy.Load() {
			if err := c.SetReadDeadline(now); err != nil {
				t.log.Debug("wake idle connection", "conn", c.id, "err", err)
			}
		}
	}
}

// closeAll closes every open connection.
func (t *tracker) closeAll() {
	t.mu.Lock()
	conns := make([]*trackedConn, 0, len(t.conns))
	for c := range t.conns {
		conns = append(conns, c)
	}
	t.mu.Unlock()
	for _, c := range conns {
		if err := c.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			t.log.Debug("close connection", "conn", c.id, "err", err)
		}
	}
}

// limitListener is the listener go-smtp serves: connections over the
// per-network limit are refused here, with a 421 reply, and never reach
// go-smtp; the others are returned as *trackedConn. Close may be called
// more than once: go-smtp and the tracker both close it.
type limitListener struct {
	net.Listener
	t           *tracker
	implicitTLS *tls.Config // set on an implicit-TLS port: the refusal is sent over TLS

	closeOnce sync.Once
	closeErr  error
	warnOnce  sync.Once
}

// Close closes the underlying listener once; later calls return nil.
func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { l.closeErr = l.Listener.Close() })
	return l.closeErr
}

// Accept returns the next admitted connection. After Shutdown it closes
// what it accepts and fails with net.ErrClosed.
func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if c, ok := c.(*tls.Conn); ok {
			// go-smtp recognises TLS by the *tls.Conn type, so such a
			// connection cannot be wrapped and goes untracked.
			l.warnOnce.Do(func() {
				l.t.log.Warn("listener yields TLS connections: per-IP limits and shutdown draining are off for it; " +
					"serve a plain listener with Config.ImplicitTLS instead")
			})
			return c, nil
		}
		tc, err := l.t.admit(c)
		switch {
		case err == nil:
			l.t.log.Debug("connection opened", "conn", tc.id, "remote", tc.remote)
			return tc, nil
		case errors.Is(err, errStopped):
			if cerr := c.Close(); cerr != nil {
				l.t.log.Debug("close connection", "err", cerr)
			}
			return nil, net.ErrClosed
		}
		l.t.reject(c, l.implicitTLS)
	}
}

// reject tells c it has too many connections and closes it, in a
// goroutine that Shutdown waits for, so that a slow client cannot stall
// Accept.
func (t *tracker) reject(c net.Conn, implicitTLS *tls.Config) {
	t.log.Info("connection refused", "remote", netlimit.RemoteAddr(c), "reason", "too many connections")
	t.obs.Rejected(rejectReason(replyTooManyConnections))
	t.rejects.Go(func() {
		conn := c
		defer func() {
			if err := conn.Close(); err != nil {
				t.log.Debug("close refused connection", "err", err)
			}
		}()
		if err := c.SetDeadline(time.Now().Add(rejectTimeout)); err != nil {
			return
		}
		if implicitTLS != nil {
			tc := tls.Server(c, implicitTLS)
			conn = tc
			if err := tc.Handshake(); err != nil {
				return
			}
		}
		if _, err := io.WriteString(conn, formatReply(replyTooManyConnections)); err != nil {
			t.log.Debug("write refusal", "err", err)
		}
	})
}
