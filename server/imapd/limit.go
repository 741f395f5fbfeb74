package imapd

import (
	"net"
	"net/netip"
	"sync"
	"time"

	"mailnet/internal/netlimit"
)

// byeTooMany is sent, on the plain port, to a connection over the
// per-network limit before it is closed; on the implicit-TLS port the
// connection is closed without a word (nothing can be said before TLS).
const byeTooMany = "* BYE Too many connections from your network, try again later\r\n"

// countedListener admits connections within the per-network limit shared
// with the server's other listeners, and refuses the others at once.
type countedListener struct {
	net.Listener
	limit *netlimit.Limiter
	bye   bool // say byeTooMany before closing a refused connection
}

// withLimit wraps l when the server has a limiter.
func (s *Server) withLimit(l net.Listener, bye bool) net.Listener {
	if s.deps.Limiter == nil {
		return l
	}
	return &countedListener{Listener: l, limit: s.deps.Limiter, bye: bye}
}

func (l *countedListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		remote := netlimit.RemoteAddr(c)
		if l.limit.Acquire(remote) {
			return &countedConn{Conn: c, limit: l.limit, remote: remote}, nil
		}
		if l.bye {
			_ = c.SetWriteDeadline(time.Now().Add(5 * time.Second))
			_, _ = c.Write([]byte(byeTooMany)) // best effort: the connection is refused anyway
		}
		_ = c.Close() // a refused connection: its close error tells nothing
	}
}

// countedConn gives its slot back when closed.
type countedConn struct {
	net.Conn
	limit  *netlimit.Limiter
	remote netip.Addr
	once   sync.Once
}

func (c *countedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.limit.Release(c.remote) })
	return err
}
