package queue

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-message"
	"github.com/emersion/go-smtp"
	"github.com/foxcpp/go-mockdns"

	"mailnet/server/tlsconf"
	"mailnet/storage"

	"mailnet/internal/testutil"
)

const (
	testHostname = "out.mailnet.test" // our EHLO name
	sender       = "marie@mailnet.test"
	// waitLimit bounds every wait of a test for something that should
	// happen at once; it is never slept.
	waitLimit = 10 * time.Second
)

// testMessage is the body every test queues.
const testMessage = "From: Marie <marie@mailnet.test>\r\n" +
	"To: Jean <jean@example.org>\r\n" +
	"Subject: Votre rendez-vous\r\n" +
	"Date: Mon, 02 Mar 2026 10:00:00 +0100\r\n" +
	"Message-ID: <rdv-1@mailnet.test>\r\n" +
	"\r\n" +
	"Bonjour,\r\n.point en début de ligne\r\n"

// network maps the "ip:25" addresses the worker dials to fake MX servers
// on 127.0.0.1; unknown addresses refuse the connection.
type network struct {
	mu    sync.Mutex
	addrs map[string]string
	dials []string
}

func (n *network) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	n.mu.Lock()
	real, ok := n.addrs[addr]
	n.dials = append(n.dials, addr)
	n.mu.Unlock()
	if !ok {
		return nil, &net.OpError{Op: "dial", Net: network, Err: syscall.ECONNREFUSED}
	}
	var d net.Dialer
	return d.DialContext(ctx, network, real)
}

func (n *network) dialed() []string {
	n.mu.Lock()
	defer n.mu.Unlock()
	return append([]string(nil), n.dials...)
}

// testEnv is a store with the sender's account, a DNS zone set, a fake
// network and a clock, for one test.
type testEnv struct {
	t      testing.TB
	db     *storage.DB
	path   string
	clock  *testutil.Clock
	zones  map[string]mockdns.Zone
	net    *network
	roots  *x509.CertPool
	sender storage.Account
	logs   *testutil.LogBuffer
	// observer, if set, is given to the workers.
	observer Observer
}

func newEnv(t testing.TB) *testEnv {
	t.Helper()
	e := &testEnv{
		t:     t,
		path:  filepath.Join(t.TempDir(), "mailnet.db"),
		clock: testutil.NewClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)),
		zones: make(map[string]mockdns.Zone),
		net:   &network{addrs: make(map[string]string)},
		roots: x509.NewCertPool(),
		logs:  &testutil.LogBuffer{},
	}
	e.open()
	a, err := e.db.CreateAccount(context.Background(), storage.Account{Address: sender, Role: storage.RoleCounsellor, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	e.sender = a
	return e
}

// open opens the store at e.path, closed at the end of the test.
func (e *testEnv) open() {
	e.t.Helper()
	db, err := storage.Open(e.path, storage.Options{Now: e.clock.Now})
	if err != nil {
		e.t.Fatal(err)
	}
	e.db = db
	e.t.Cleanup(func() {
		if err := db.Close(); err != nil && !errors.Is(err, storage.ErrClosed) {
			e.t.Error(err)
		}
	})
}

// reopen closes the store and opens it again, as after a restart.
func (e *testEnv) reopen() {
	e.t.Helper()
	if err := e.db.Close(); err != nil {
		e.t.Fatal(err)
	}
	e.open()
}

// worker returns a Worker over e with cfg's fields, Hostname, Now and the
// TLS roots filled in.
func (e *testEnv) worker(cfg Config) *Worker {
	return e.workerWith(cfg, e.db)
}

func (e *testEnv) workerWith(cfg Config, store Store) *Worker {
	cfg.Hostname = testHostname
	cfg.Now = e.clock.Now
	cfg.TLSConfig = &tls.Config{RootCAs: e.roots}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = waitLimit
	}
	if cfg.CommandTimeout == 0 {
		cfg.CommandTimeout = waitLimit
	}
	return New(cfg, Deps{
		Store:    store,
		Resolver: &mockdns.Resolver{Zones: e.zones},
		Logger:   slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Dialer:   e.net.dial,
		Observer: e.observer,
	})
}

// zone sets the DNS records of name (no trailing dot needed).
func (e *testEnv) zone(name string, z mockdns.Zone) {
	e.zones[strings.TrimSuffix(name, ".")+"."] = z
}

// mx publishes domain's MX records, host names with their preferences.
func (e *testEnv) mx(domain string, mxs ...net.MX) {
	e.zone(domain, mockdns.Zone{MX: mxs})
}

// host publishes host's address ip and, if mx is not nil, sends
// connections to ip:25 to it.
func (e *testEnv) host(host, ip string, mx *fakeMX) {
	e.zone(host, mockdns.Zone{A: []string{ip}})
	if mx != nil {
		e.net.mu.Lock()
		e.net.addrs[net.JoinHostPort(ip, "25")] = mx.addr
		e.net.mu.Unlock()
	}
}

// enqueue queues testMessage from from to the recipients, as submission
// does.
func (e *testEnv) enqueue(from string, to ...string) uint64 {
	e.t.Helper()
	rc, err := e.db.Deliver(context.Background(), storage.Incoming{
		Raw:      []byte(testMessage),
		Outbound: &storage.Outbound{From: from, To: to},
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return rc.QueueID
}

// entry returns the queue entry id, or false if it is gone.
func (e *testEnv) entry(id uint64) (storage.QueueEntry, bool) {
	e.t.Helper()
	q, err := e.db.QueueEntry(context.Background(), id)
	if errors.Is(err, storage.ErrNotFound) {
		return q, false
	}
	if err != nil {
		e.t.Fatal(err)
	}
	return q, true
}

// mustEntry returns the queue entry id, failing if it is gone.
func (e *testEnv) mustEntry(id uint64) storage.QueueEntry {
	e.t.Helper()
	q, ok := e.entry(id)
	if !ok {
		e.t.Fatalf("queue entry %d is gone", id)
	}
	return q
}

// inbox returns the raw messages in the sender's INBOX.
func (e *testEnv) inbox() [][]byte {
	e.t.Helper()
	ctx := context.Background()
	m, err := e.db.Mailbox(ctx, e.sender.ID, "INBOX")
	if errors.Is(err, storage.ErrNotFound) {
		return nil
	}
	if err != nil {
		e.t.Fatal(err)
	}
	uids, err := e.db.UIDs(ctx, m.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	msgs, err := e.db.Messages(ctx, m.ID, uids, storage.Want{Raw: true})
	if err != nil {
		e.t.Fatal(err)
	}
	var out [][]byte
	for _, msg := range msgs {
		out = append(out, msg.Raw)
	}
	return out
}

// deliverNow runs one round for id and fails the test on error.
func deliverNow(t testing.TB, w *Worker, id uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := w.DeliverNow(ctx, id); err != nil {
		t.Fatalf("DeliverNow(%d): %v", id, err)
	}
}

// mxOptions select a fake MX's behaviour. Zero values accept everything
// in the clear.
type mxOptions struct {
	tls     *tls.Config // offer STARTTLS with it
	maxSize int64
	// ehlo, if set, is the reply to EHLO instead of 250.
	ehlo *smtp.SMTPError
	// rcpt, if set, answers each RCPT.
	rcpt func(to string) error
	// data, if set, answers the n-th (from 0) end of data.
	data func(n int) error
	// entered receives a value when a transaction reaches DATA; hold,
	// if set, must then be closed for it to go on.
	entered chan<- struct{}
	hold    <-chan struct{}
}

// received is a message as the fake MX got it.
type received struct {
	from string
	to   []string
	data []byte
	tls  bool
	helo string
}

// fakeMX is a remote MX: a go-smtp server on 127.0.0.1:0.
type fakeMX struct {
	addr string
	opts mxOptions

	mu          sync.Mutex
	msgs        []received
	dataCalls   int
	inflight    int
	maxInflight int
}

// startMX starts a fake MX named host, stopped at the end of the test.
func startMX(t testing.TB, host string, o mxOptions) *fakeMX {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	mx := &fakeMX{addr: l.Addr().String(), opts: o}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		if o.ehlo != nil {
			return nil, o.ehlo
		}
		return &fakeSession{mx: mx, conn: c}, nil
	}))
	srv.Domain = host
	srv.TLSConfig = o.tls
	srv.MaxMessageBytes = o.maxSize
	srv.ErrorLog = log.New(io.Discard, "", 0)
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
		if err := <-done; err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			t.Error(err)
		}
	})
	return mx
}

// messages returns what the fake MX accepted.
func (mx *fakeMX) messages() []received {
	mx.mu.Lock()
	defer mx.mu.Unlock()
	return append([]received(nil), mx.msgs...)
}

type fakeSession struct {
	mx     *fakeMX
	conn   *smtp.Conn
	from   string
	to     []string
	inMail bool
}

func (s *fakeSession) Mail(from string, _ *smtp.MailOptions) error {
	s.from, s.to, s.inMail = from, nil, true
	s.mx.mu.Lock()
	defer s.mx.mu.Unlock()
	s.mx.inflight++
	s.mx.maxInflight = max(s.mx.maxInflight, s.mx.inflight)
	return nil
}

func (s *fakeSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.mx.opts.rcpt != nil {
		if err := s.mx.opts.rcpt(to); err != nil {
			return err
		}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *fakeSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if s.mx.opts.entered != nil {
		s.mx.opts.entered <- struct{}{}
	}
	if s.mx.opts.hold != nil {
		<-s.mx.opts.hold
	}
	s.mx.mu.Lock()
	defer s.mx.mu.Unlock()
	n := s.mx.dataCalls
	s.mx.dataCalls++
	if s.mx.opts.data != nil {
		if err := s.mx.opts.data(n); err != nil {
			return err
		}
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.mx.msgs = append(s.mx.msgs, received{from: s.from, to: s.to, data: b, tls: isTLS, helo: s.conn.Hostname()})
	return nil
}

func (s *fakeSession) Reset() { s.end() }

func (s *fakeSession) Logout() error {
	s.end()
	return nil
}

func (s *fakeSession) end() {
	if !s.inMail {
		return
	}
	s.inMail = false
	s.mx.mu.Lock()
	defer s.mx.mu.Unlock()
	s.mx.inflight--
}

// certificate returns a server TLS config with a self-signed certificate
// for host, and the certificate's PEM.
func certificate(t testing.TB, host string) (*tls.Config, []byte) {
	t.Helper()
	certPEM, keyPEM, err := tlsconf.SelfSigned(host, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	return tlsconf.Config(cert, tls.VersionTLS12), certPEM
}

// dsnReport is a DSN taken apart with go-message.
type dsnReport struct {
	header     message.Header
	types      []string // content types of the parts
	text       string   // the human-readable part, decoded
	perMessage map[string]string
	rcpts      []map[string]string // one field map per recipient group
	headers    string              // the text/rfc822-headers part
}

// parseDSN parses raw as a multipart/report DSN, failing the test if its
// structure is wrong.
func parseDSN(t testing.TB, raw []byte) dsnReport {
	t.Helper()
	if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
		t.Errorf("DSN has bare LF line endings")
	}
	ent, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	r := dsnReport{header: ent.Header}
	mt, params, err := ent.Header.ContentType()
	if err != nil || mt != "multipart/report" || params["report-type"] != "delivery-status" {
		t.Fatalf("Content-Type = %q %v, %v", mt, params, err)
	}
	mr := ent.MultipartReader()
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		ct, _, err := p.Header.ContentType()
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(p.Body)
		if err != nil {
			t.Fatal(err)
		}
		r.types = append(r.types, ct)
		switch ct {
		case "text/plain":
			r.text = string(body)
		case "message/delivery-status":
			groups := parseGroups(t, body)
			if len(groups) == 0 {
				t.Fatal("empty delivery-status")
			}
			r.perMessage, r.rcpts = groups[0], groups[1:]
		case "text/rfc822-headers":
			r.headers = string(body)
		}
	}
	want := []string{"text/plain", "message/delivery-status", "text/rfc822-headers"}
	if strings.Join(r.types, " ") != strings.Join(want, " ") {
		t.Fatalf("parts = %v, want %v", r.types, want)
	}
	return r
}

// parseGroups splits a message/delivery-status body into field groups.
func parseGroups(t testing.TB, body []byte) []map[string]string {
	t.Helper()
	var groups []map[string]string
	var cur map[string]string
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			cur = nil
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			t.Fatalf("bad delivery-status line %q", line)
		}
		if cur == nil {
			cur = make(map[string]string)
			groups = append(groups, cur)
		}
		cur[strings.ToLower(name)] = strings.TrimSpace(value)
	}
	return groups
}

// mustOne returns the only element of s.
func mustOne[T any](t testing.TB, what string, s []T) T {
	t.Helper()
	if len(s) != 1 {
		t.Fatalf("%d %s, want 1: %v", len(s), what, s)
	}
	return s[0]
}

// errorf builds an SMTP reply for the fakes.
func reply(code int, enh smtp.EnhancedCode, format string, args ...any) *smtp.SMTPError {
	return &smtp.SMTPError{Code: code, EnhancedCode: enh, Message: fmt.Sprintf(format, args...)}
}

// spyStore wraps the store to watch the worker and to inject failures.
type spyStore struct {
	*storage.DB

	// failFinish is how many FinishQueue calls fail before the store
	// is reached, as if the process died just before.
	failFinish int
	// scans and finished, if set, receive on each Queue and each
	// successful FinishQueue call; make them big enough.
	scans    chan struct{}
	finished chan uint64

	mu    sync.Mutex
	saved []storage.QueueEntry // UpdateQueue results, in order
	reads map[uint64]int       // QueueEntry calls per entry
}

var _ Store = (*spyStore)(nil)

func newSpy(db *storage.DB) *spyStore {
	return &spyStore{DB: db, reads: make(map[uint64]int)}
}

func (s *spyStore) Queue(ctx context.Context) ([]storage.QueueEntry, error) {
	q, err := s.DB.Queue(ctx)
	if s.scans != nil {
		s.scans <- struct{}{}
	}
	return q, err
}

func (s *spyStore) QueueEntry(ctx context.Context, id uint64) (storage.QueueEntry, error) {
	s.mu.Lock()
	s.reads[id]++
	s.mu.Unlock()
	return s.DB.QueueEntry(ctx, id)
}

func (s *spyStore) UpdateQueue(ctx context.Context, id uint64, change func(*storage.QueueEntry) error) (storage.QueueEntry, error) {
	e, err := s.DB.UpdateQueue(ctx, id, change)
	if err == nil {
		s.mu.Lock()
		s.saved = append(s.saved, e)
		s.mu.Unlock()
	}
	return e, err
}

func (s *spyStore) FinishQueue(ctx context.Context, id uint64, notice *storage.Incoming) error {
	s.mu.Lock()
	fail := s.failFinish > 0
	if fail {
		s.failFinish--
	}
	s.mu.Unlock()
	if fail {
		return errors.New("injected crash before FinishQueue")
	}
	if err := s.DB.FinishQueue(ctx, id, notice); err != nil {
		return err
	}
	if s.finished != nil {
		s.finished <- id
	}
	return nil
}

// last returns the last saved state of entry id.
func (s *spyStore) last(t testing.TB, id uint64) storage.QueueEntry {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.saved) - 1; i >= 0; i-- {
		if s.saved[i].ID == id {
			return s.saved[i]
		}
	}
	t.Fatalf("queue entry %d never saved", id)
	return storage.QueueEntry{}
}

func (s *spyStore) readsOf(id uint64) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads[id]
}

// recv waits for a value on ch, failing the test after waitLimit.
func recv[T any](t testing.TB, what string, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(waitLimit):
		t.Fatalf("timed out waiting for %s", what)
		var zero T
		return zero
	}
}
