package smtpd

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"

	"mailnet/internal/netlimit"
	"mailnet/mailauth"
	"mailnet/routing"
	"mailnet/storage"
)

// session is one go-smtp session, from EHLO to the end of the connection
// or to STARTTLS, after which go-smtp makes a new one. Every method that
// returns an error returns nil or the result of reply (smtpError).
type session struct {
	srv  *Server
	conn *trackedConn
	log  *slog.Logger
	helo string
	tls  *tls.ConnectionState // nil without TLS

	// ctx is the connection's own context, cancelled by Logout.
	ctx    context.Context
	cancel context.CancelFunc

	// mu guards account and env: for BDAT, go-smtp runs Data on a
	// goroutine of its own, concurrently with Reset and Logout.
	mu      sync.Mutex
	account *storage.Account // set by a successful AUTH
	env     envelope
}

var (
	_ smtp.Session     = (*session)(nil)
	_ smtp.AuthSession = (*session)(nil)
)

// envelope is the state of one mail transaction. Reset replaces it whole,
// so a copy taken by Data stays valid.
type envelope struct {
	open     bool   // MAIL accepted
	from     string // reverse-path, "" for the null sender
	sizeHint int64  // the MAIL SIZE parameter, 0 if absent
	rcpts    []string
	local    []string // canonical local recipients, routed at the end of DATA
	remote   []string // submission only: recipients for the queue
}

// newSession is go-smtp's Backend: it runs at EHLO or HELO.
func (s *Server) newSession(c *smtp.Conn) (smtp.Session, error) {
	tc := tracked(c.Conn())
	ctx, cancel := context.WithCancel(context.Background())
	ss := &session{
		srv:    s,
		conn:   tc,
		log:    s.log.With("conn", tc.id, "remote", tc.remote),
		helo:   c.Hostname(),
		ctx:    ctx,
		cancel: cancel,
	}
	tlsVersion := "none"
	if st, ok := c.TLSConnectionState(); ok {
		ss.tls = &st
		tlsVersion = tlsVersionName(st.Version)
	}
	// Debug: the "message accepted" line repeats what matters, and a
	// log write per connection costs throughput.
	ss.log.Debug("session started", "helo", ss.helo, "tls", tlsVersion)
	return ss, nil
}

// tracked returns the *trackedConn under c, which may be wrapped in TLS,
// or an untracked stand-in for a connection that did not come through a
// limitListener.
func tracked(c net.Conn) *trackedConn {
	if tc, ok := c.(*tls.Conn); ok {
		c = tc.NetConn()
	}
	if tc, ok := c.(*trackedConn); ok {
		return tc
	}
	return &trackedConn{Conn: c, id: newConnID(), remote: netlimit.RemoteAddr(c)}
}

// Mail starts a transaction. On submission the sender must be the
// authenticated account's address.
func (s *session) Mail(from string, opts *smtp.MailOptions) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.env.open {
		return s.refuse(s.log, "sender refused", errNestedMail, "from", from)
	}
	if s.srv.cfg.Mode == ModeSubmission {
		if err := s.checkSender(from); err != nil {
			return s.refuse(s.log, "sender refused", err, "from", from)
		}
	}
	s.env = envelope{open: true, from: from}
	if opts != nil {
		s.env.sizeHint = opts.Size
	}
	s.conn.busy.Store(true)
	return nil
}

// Rcpt adds a recipient: a local one on both ports, a remote one only on
// submission.
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.mu.Lock()
	n := len(s.env.rcpts)
	s.mu.Unlock()
	if n >= s.srv.cfg.MaxRecipients {
		return s.refuse(s.log, "recipient refused", errTooManyRecipients, "rcpt", to)
	}
	addr, err := s.srv.router.Accept(s.ctx, to)
	remote := s.srv.cfg.Mode == ModeSubmission && errors.Is(err, routing.ErrNotLocal)
	if err != nil && !remote {
		return s.refuse(s.log, "recipient refused", err, "rcpt", to)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if remote {
		addr := remoteAddress(to)
		s.env.rcpts = append(s.env.rcpts, addr)
		s.env.remote = append(s.env.remote, addr)
		return nil
	}
	s.env.rcpts = append(s.env.rcpts, addr)
	s.env.local = append(s.env.local, addr)
	return nil
}

// remoteAddress returns addr with its domain lower-cased; the local part
// keeps its case, which only the remote host may interpret (RFC 5321 §2.4).
func remoteAddress(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	return addr[:at] + strings.ToLower(addr[at:])
}

// Data reads the message, adds our header fields and stores it with one
// Store.Deliver call; it answers 250 only once Deliver has returned.
func (s *session) Data(r io.Reader) error {
	s.mu.Lock()
	env, account := s.env, s.account
	s.mu.Unlock()
	id := newMessageID()
	log := s.log.With("msg_id", id)
	if len(env.local)+len(env.remote) == 0 {
		return s.refuse(log, "message refused", errNoRecipients)
	}
	when := s.srv.now()
	t := trace{
		helo: s.helo, remote: s.conn.remote, tls: s.tls, authenticated: account != nil,
		by: s.srv.cfg.Hostname, id: id, when: when,
	}
	if len(env.rcpts) == 1 {
		t.rcpt = env.rcpts[0]
	}
	hdr := received(t)
	raw, err := s.readMessage(r, hdr, env.sizeHint)
	if err == nil && s.conn.eof.Load() {
		// go-smtp v0.25.1 copies a BDAT chunk with io.Copy from an
		// io.LimitReader, which takes a client that closes the
		// connection mid-chunk for the end of the chunk: the message
		// would be stored truncated. A complete chunk is read without
		// meeting the end of the stream, so the flag tells them apart.
		err = errTruncated
	}
	if err != nil {
		return s.refuse(log, "message refused", err, "from", env.from)
	}
	in := storage.Incoming{Raw: raw, InternalDate: when}
	var verdict mailauth.Verdict
	junk := false
	switch {
	case s.srv.cfg.Mode == ModeSubmission:
		if in.Raw, err = s.prepareSubmission(raw, id, when, env.from, *account); err != nil {
			return s.refuse(log, "message refused", err, "from", env.from)
		}
	case s.srv.checker != nil:
		if verdict, junk, err = s.verifySender(log, &in, len(hdr), env.from); err != nil {
			return s.refuse(log, "message refused", err, "from", env.from)
		}
	}
	d, err := s.route(&in, env, verdict.VerifiedDomain, junk, when)
	var answered *storage.Client
	if err == nil {
		answered, err = s.answeredClient(env, account, when)
	}
	if err == nil {
		err = s.track(&in, env, account, d, answered)
	}
	if err != nil {
		return s.refuse(log, "message refused", err, "from", env.from)
	}
	archive(&in, env, d, answered, s.srv.cfg.Mode == ModeSubmission)
	if len(env.remote) > 0 {
		in.Outbound = &storage.Outbound{From: env.from, To: env.remote}
	}
	rc, err := s.srv.store.Deliver(s.ctx, in)
	if err != nil {
		return s.refuse(log, "message refused", err, "from", env.from)
	}
	s.srv.obs.Accepted()
	if (rc.QueueID != 0 || rc.AckQueued) && s.srv.queued != nil {
		s.srv.queued()
	}
	log.Info("message accepted", "helo", s.helo, "tls", s.tls != nil, "dmarc", verdict.DMARC.Result, "from", env.from, "rcpts", len(env.rcpts),
		"remote_rcpts", len(env.remote), "size", len(raw), "blob", rc.Blob.String(), "queue_id", rc.QueueID, "ack_queued", rc.AckQueued)
	return accepted(id)
}

// readMessage returns hdr followed by the message content read from r,
// with line endings normalised. The content may not exceed MaxMessageBytes
// once normalised; each read must make progress within DataTimeout.
func (s *session) readMessage(r io.Reader, hdr string, sizeHint int64) ([]byte, error) {
	limit := s.srv.cfg.MaxMessageBytes
	var buf bytes.Buffer
	// The client's SIZE is a hint, not a promise: do not let a claim of
	// 25 MiB reserve 25 MiB before a byte has arrived.
	buf.Grow(len(hdr) + int(min(max(sizeHint, minPrealloc), maxPrealloc, limit)))
	buf.WriteString(hdr)
	w := newCRLFWriter(&limitWriter{buf: &buf, max: int64(len(hdr)) + limit})
	dr := &deadlineReader{r: r, conn: s.conn, timeout: s.srv.cfg.DataTimeout}
	_, err := io.Copy(w, dr)
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		// go-smtp reads and discards the rest of the data after we
		// return; give it a fresh deadline.
		dr.extend()
		return nil, err
	}
	return buf.Bytes(), nil
}

// Bounds of the buffer allocated for a message before it arrives.
const (
	minPrealloc = 64 << 10
	maxPrealloc = 1 << 20
)

// deadlineReader extends the connection's read deadline before each read
// of message content, and marks read errors with errDataAborted. For BDAT
// it runs on go-smtp's Data goroutine while go-smtp reads the chunks, so
// the wait for the next BDAT command may end up bounded by DataTimeout
// rather than CommandTimeout; both are minutes.
type deadlineReader struct {
	r       io.Reader
	conn    net.Conn
	timeout time.Duration
}

// Read reads from the data reader. io.EOF is returned unwrapped.
func (d *deadlineReader) Read(p []byte) (int, error) {
	d.extend()
	n, err := d.r.Read(p)
	if err != nil && err != io.EOF {
		err = fmt.Errorf("%w: %w", errDataAborted, err)
	}
	return n, err
}

func (d *deadlineReader) extend() {
	// A failure means the connection is closed; the read will say so.
	_ = d.conn.SetReadDeadline(time.Now().Add(d.timeout))
}

// Reset ends the transaction (RSET, end of DATA, new EHLO).
func (s *session) Reset() {
	s.mu.Lock()
	s.env = envelope{}
	s.mu.Unlock()
	s.conn.busy.Store(false)
}

// Logout ends the session; go-smtp calls it when the connection closes
// and at STARTTLS. It may run while a BDAT Data still runs.
func (s *session) Logout() error {
	s.cancel()
	s.conn.busy.Store(false)
	s.log.Debug("session ended")
	return nil
}

// reply logs err, with event and attrs, and returns the reply for it, or
// nil for nil. An error without a fixed reply is logged as an error and
// gets the generic 451 that quotes our connection ID.
func (s *session) reply(log *slog.Logger, event string, err error, attrs ...any) error {
	if err == nil {
		return nil // never a typed nil *smtp.SMTPError in an error
	}
	r := smtpError(withRef(err, s.conn.id))
	attrs = append(attrs, "reply", r.Code, "err", err)
	if isGenericFailure(r) {
		log.Error(event, attrs...)
	} else {
		log.Info(event, attrs...)
	}
	return r
}

// refuse is reply for a refused MAIL, RCPT or DATA, which it also counts
// by its reason.
func (s *session) refuse(log *slog.Logger, event string, err error, attrs ...any) error {
	r := s.reply(log, event, err, attrs...)
	if r != nil {
		s.srv.obs.Rejected(rejectReason(r))
	}
	return r
}

// sign adds our DKIM signatures to a submitted message: every message we
// send carries them, local copies included, so what a recipient reads is
// what the archive holds.
func (s *session) sign(raw []byte, from string) ([]byte, error) {
	if s.srv.signer == nil {
		return raw, nil
	}
	signed, _, err := s.srv.signer.Sign(raw, from)
	if err != nil {
		return nil, err
	}
	return signed, nil
}
