package queue

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// The TLS states recorded in storage.Attempt.TLS.
const (
	tlsNone       = "none"
	tlsUnverified = "tls"
	tlsVerified   = "tls-verified"
)

// tlsMode says whether a connection may use STARTTLS.
type tlsMode int

const (
	// tlsOpportunistic uses STARTTLS when the server offers it, whatever
	// its certificate (RFC 7435); verification is only recorded.
	tlsOpportunistic tlsMode = iota
	// tlsSkip never uses STARTTLS: the host failed it just before.
	tlsSkip
)

// tlsError reports that STARTTLS was offered but failed (refused, broken
// handshake, data injected before it). The session is lost; the host may be
// tried again without TLS.
type tlsError struct{ err error }

func (e *tlsError) Error() string { return "starttls: " + e.err.Error() }
func (e *tlsError) Unwrap() error { return e.err }

// session is an SMTP session with one remote host, greeted (and encrypted
// when possible), ready for MAIL.
type session struct {
	c    *smtp.Client
	addr string // the ip:port connected to
	tls  string // tlsNone, tlsUnverified or tlsVerified
	// certErr is why the certificate did not verify, for the log.
	certErr error
	// stop cancels the closing of the connection when ctx ends.
	stop func() bool
}

// connect opens a session with host: it resolves the host's addresses,
// connects to the first that answers, reads the greeting, says EHLO and,
// unless mode is tlsSkip, starts TLS when offered. Errors are a *failure
// (DNS, connection), a *smtp.SMTPError (greeting, EHLO), a *tlsError, or an
// I/O error. While the session is open, ctx's end closes its connection.
func (w *Worker) connect(ctx context.Context, host string, mode tlsMode) (*session, error) {
	conn, addr, err := w.dialHost(ctx, host)
	if err != nil {
		return nil, err
	}
	stop := context.AfterFunc(ctx, func() { closeConn(w.log, conn) })
	s, err := w.greet(ctx, conn, host, mode)
	if err != nil {
		stop()
		closeConn(w.log, conn)
		return nil, err
	}
	s.addr, s.stop = addr, stop
	return s, nil
}

// dialHost connects to the first of host's addresses that accepts.
func (w *Worker) dialHost(ctx context.Context, host string) (net.Conn, string, error) {
	ips, err := w.dns.LookupIPAddr(ctx, host)
	switch {
	case err != nil && !isNotFound(err):
		return nil, "", &failure{"4.4.3", fmt.Sprintf("address lookup for %s: %v", host, err)}
	case len(ips) == 0:
		return nil, "", &failure{"4.4.4", fmt.Sprintf("%s has no address", host)}
	}
	port := strconv.Itoa(w.cfg.Port)
	var last error
	for _, ip := range ips {
		addr := net.JoinHostPort(ip.IP.String(), port)
		dctx, cancel := context.WithTimeout(ctx, w.cfg.ConnectTimeout)
		conn, err := w.dial(dctx, "tcp", addr)
		cancel()
		if err == nil {
			return conn, addr, nil
		}
		last = err
	}
	// RFC 3463 X.4.1: no answer from host.
	return nil, "", &failure{"4.4.1", fmt.Sprintf("connect to %s: %v", host, last)}
}

// greet reads the greeting, says EHLO and negotiates TLS on conn.
func (w *Worker) greet(ctx context.Context, conn net.Conn, host string, mode tlsMode) (*session, error) {
	c := w.client(conn)
	if err := c.Hello(w.cfg.Hostname); err != nil {
		return nil, err
	}
	if ok, _ := c.Extension("STARTTLS"); !ok || mode == tlsSkip {
		return &session{c: c, tls: tlsNone}, nil
	}
	tc, certErr, err := w.startTLS(ctx, conn, host)
	if err != nil {
		return nil, &tlsError{err}
	}
	// RFC 3207 §4.2: the session starts again, without a new greeting;
	// say EHLO again, and forget what was said in the clear.
	c = w.client(&resumedConn{Conn: tc, greeting: strings.NewReader("220 " + host + "\r\n")})
	if err := c.Hello(w.cfg.Hostname); err != nil {
		return nil, err
	}
	s := &session{c: c, tls: tlsVerified, certErr: certErr}
	if certErr != nil {
		s.tls = tlsUnverified
	}
	return s, nil
}

// client returns a go-smtp client on conn with our timeouts.
func (w *Worker) client(conn net.Conn) *smtp.Client {
	c := smtp.NewClient(conn)
	c.CommandTimeout = w.cfg.CommandTimeout
	c.SubmissionTimeout = max(w.cfg.CommandTimeout, dataReplyTimeout)
	return c
}

// startTLS sends STARTTLS on conn, where EHLO has just been answered, and
// runs the TLS handshake. go-smtp v0.25.1 has no StartTLS for a client made
// with NewClient, and NewClientStartTLS would say "EHLO localhost", which
// strict servers refuse; so the command is sent here and go-smtp takes
// over on the TLS connection (see resumedConn). certErr tells why the
// certificate did not verify; the handshake succeeds either way.
func (w *Worker) startTLS(ctx context.Context, conn net.Conn, host string) (tc *tls.Conn, certErr error, err error) {
	if err := conn.SetDeadline(time.Now().Add(w.cfg.CommandTimeout)); err != nil {
		return nil, nil, err
	}
	if _, err := io.WriteString(conn, "STARTTLS\r\n"); err != nil {
		return nil, nil, err
	}
	br := bufio.NewReader(conn)
	if _, _, err := textproto.NewReader(br).ReadResponse(220); err != nil {
		return nil, nil, err
	}
	if br.Buffered() > 0 {
		// Bytes sent in the clear after the 220 would be read as if
		// they came over TLS (the CVE-2011-0411 family).
		return nil, nil, errors.New("data after the STARTTLS reply")
	}
	certErr = errors.New("no certificate")
	cfg := w.cfg.TLSConfig.Clone()
	cfg.ServerName = host
	cfg.InsecureSkipVerify = true
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		certErr = verifyPeer(w.cfg.TLSConfig, host, cs)
		return nil
	}
	tc = tls.Client(conn, cfg)
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, nil, err
	}
	if err := conn.SetDeadline(time.Time{}); err != nil {
		return nil, nil, err
	}
	return tc, certErr, nil
}

// verifyPeer checks the server's certificate chain against host the way
// crypto/tls does when InsecureSkipVerify is false: base's RootCAs (nil
// means the system roots) and clock.
func verifyPeer(base *tls.Config, host string, cs tls.ConnectionState) error {
	if len(cs.PeerCertificates) == 0 {
		return errors.New("no certificate")
	}
	opts := x509.VerifyOptions{
		Roots:         base.RootCAs,
		DNSName:       host,
		Intermediates: x509.NewCertPool(),
	}
	if base.Time != nil {
		opts.CurrentTime = base.Time()
	}
	for _, cert := range cs.PeerCertificates[1:] {
		opts.Intermediates.AddCert(cert)
	}
	_, err := cs.PeerCertificates[0].Verify(opts)
	return err
}

// resumedConn is a connection after STARTTLS, handed to a new go-smtp
// client. The client waits for a greeting, which servers do not send again
// after STARTTLS, so resumedConn replays one before the server's bytes.
type resumedConn struct {
	net.Conn
	greeting *strings.Reader
}

func (c *resumedConn) Read(p []byte) (int, error) {
	if c.greeting.Len() > 0 {
		return c.greeting.Read(p)
	}
	return c.Conn.Read(p)
}

// close ends the session with QUIT, or just closes it if QUIT fails.
func (s *session) close(log *slog.Logger) {
	s.stop()
	if err := s.c.Quit(); err != nil {
		log.Debug("quit failed", "err", err)
		if err := s.c.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			log.Debug("close failed", "err", err)
		}
	}
}

// closeConn closes conn, logging an unexpected error.
func closeConn(log *slog.Logger, conn net.Conn) {
	if err := conn.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		log.Debug("close failed", "err", err)
	}
}
