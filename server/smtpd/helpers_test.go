package smtpd

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/textproto"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"mailnet/auth"
	"mailnet/routing"
	"mailnet/server/tlsconf"
	"mailnet/storage"

	"mailnet/internal/testutil"
)

// Test accounts, all in testDomain, all with testPassword.
const (
	testDomain   = "mailnet.test"
	testPassword = "correct horse battery staple"
	marie        = "marie@mailnet.test"
	paul         = "paul@mailnet.test"
	lea          = "lea@mailnet.test"
	testHostname = "localhost" // the test certificate's name
)

// cheapParams keep password hashing fast in tests.
var cheapParams = auth.Params{Memory: 8, Time: 1, Threads: 1, SaltLen: 8, KeyLen: 16}

// testOptions select what startServer builds. Zero fields take Config's
// defaults.
type testOptions struct {
	mode        Mode
	tls         bool // configure TLS (always on for submission)
	implicitTLS bool
	cfg         Config // limits and timeouts; Mode, Hostname and TLS are set from the fields above
	limits      auth.Limits
	now         func() time.Time
	signer      Signer
	queued      func()
	checker     Checker
	calendar    Calendar
	observer    Observer
}

// testServer is a running Server with its store and a client TLS config
// that trusts its certificate.
type testServer struct {
	addr      string
	srv       *Server
	db        *storage.DB
	clientTLS *tls.Config
	accounts  map[string]storage.Account
	logs      *testutil.LogBuffer
}

// startServer starts a Server on 127.0.0.1:0 over a new store holding
// marie, paul and lea, stopped and closed when the test ends.
func startServer(t testing.TB, o testOptions) *testServer {
	t.Helper()
	db, err := storage.Open(filepath.Join(t.TempDir(), "mail.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	})
	ts := &testServer{db: db, accounts: make(map[string]storage.Account), logs: &testutil.LogBuffer{}}
	hash, err := auth.HashPasswordParams(testPassword, cheapParams)
	if err != nil {
		t.Fatal(err)
	}
	for _, addr := range []string{marie, paul, lea} {
		a, err := db.CreateAccount(context.Background(), storage.Account{Address: addr, Role: storage.RoleCounsellor, PasswordHash: hash})
		if err != nil {
			t.Fatal(err)
		}
		ts.accounts[addr] = a
	}
	cfg := o.cfg
	cfg.Mode, cfg.Hostname, cfg.ImplicitTLS = o.mode, testHostname, o.implicitTLS
	if o.tls || o.implicitTLS || o.mode == ModeSubmission {
		cfg.TLS, ts.clientTLS = testTLS(t)
	}
	log := slog.New(slog.NewTextHandler(ts.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	deps := Deps{
		Store:    db,
		Router:   routing.New(db, []string{testDomain}),
		Auth:     auth.New(db, auth.Options{Params: cheapParams, Limits: o.limits, Logger: log}),
		Logger:   log,
		Now:      o.now,
		Signer:   o.signer,
		Queued:   o.queued,
		Checker:  o.checker,
		Calendar: o.calendar,
		Observer: o.observer,
	}
	ts.srv = New(cfg, deps)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.addr = l.Addr().String()
	served := make(chan error, 1)
	go func() { served <- ts.srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		// A test may have shut the server down already.
		if err := ts.srv.Shutdown(ctx); err != nil && !errors.Is(err, smtp.ErrServerClosed) {
			t.Errorf("Shutdown: %v", err)
		}
		if err := <-served; !errors.Is(err, smtp.ErrServerClosed) {
			t.Errorf("Serve returned %v, want smtp.ErrServerClosed", err)
		}
	})
	return ts
}

// newTestMX starts a plain MX server and returns its address and store.
func newTestMX(t testing.TB) (string, *storage.DB) {
	t.Helper()
	ts := startServer(t, testOptions{mode: ModeMX})
	return ts.addr, ts.db
}

// testTLS returns a server TLS config with a new self-signed certificate
// for localhost, and a client config that trusts it.
func testTLS(t testing.TB) (server, client *tls.Config) {
	t.Helper()
	certPEM, keyPEM, err := tlsconf.SelfSigned(testHostname, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(certPEM) {
		t.Fatal("test certificate not added to pool")
	}
	return tlsconf.Config(cert, tls.VersionTLS12), &tls.Config{RootCAs: pool, ServerName: testHostname}
}

// dialGreeted connects a go-smtp client to addr and says EHLO.
func dialGreeted(t testing.TB, addr string) *smtp.Client {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Hello("client.example.org"); err != nil {
		t.Fatal(err)
	}
	return c
}

// dialTLS connects to ts with STARTTLS (or implicit TLS) and says EHLO.
func (ts *testServer) dialTLS(t testing.TB, implicit bool) *smtp.Client {
	t.Helper()
	var c *smtp.Client
	var err error
	if implicit {
		c, err = smtp.DialTLS(ts.addr, ts.clientTLS)
	} else {
		c, err = smtp.DialStartTLS(ts.addr, ts.clientTLS)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Hello("client.example.org"); err != nil {
		t.Fatal(err)
	}
	return c
}

// dialAuthenticated connects to a submission server with STARTTLS and logs
// in as user with AUTH PLAIN.
func (ts *testServer) dialAuthenticated(t testing.TB, user string) *smtp.Client {
	t.Helper()
	c := ts.dialTLS(t, false)
	if err := c.Auth(sasl.NewPlainClient("", user, testPassword)); err != nil {
		t.Fatalf("AUTH as %s: %v", user, err)
	}
	return c
}

// send runs one transaction on c and returns the final reply's text
// without its enhanced code, or the first error.
func send(c *smtp.Client, from string, to []string, msg string) (string, error) {
	if err := c.Mail(from, nil); err != nil {
		return "", err
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt, nil); err != nil {
			return "", err
		}
	}
	w, err := c.Data()
	if err != nil {
		return "", err
	}
	if _, err := io.WriteString(w, msg); err != nil {
		return "", err
	}
	resp, err := w.CloseWithResponse()
	if err != nil {
		return "", err
	}
	return strings.TrimPrefix(resp.StatusText, "2.0.0 "), nil
}

// wantReply fails unless err is an SMTP reply with the given code and
// enhanced code.
func wantReply(t testing.TB, err error, code int, enhanced smtp.EnhancedCode) *smtp.SMTPError {
	t.Helper()
	var se *smtp.SMTPError
	if !errors.As(err, &se) {
		t.Fatalf("got %v, want SMTP reply %d %v", err, code, enhanced)
	}
	if se.Code != code || se.EnhancedCode != enhanced {
		t.Fatalf("got reply %d %v %q, want %d %v", se.Code, se.EnhancedCode, se.Message, code, enhanced)
	}
	return se
}

// inbox returns the messages, with their raw content, in the INBOX of
// the account with address addr.
func (ts *testServer) inbox(t testing.TB, addr string) []storage.Message {
	t.Helper()
	return mailboxMessages(t, ts.db, ts.accounts[addr].ID)
}

func mailboxMessages(t testing.TB, db *storage.DB, account uint64) []storage.Message {
	t.Helper()
	return folderMessages(t, db, account, "INBOX")
}

// folderMessages returns the messages of one of an account's mailboxes.
func folderMessages(t testing.TB, db *storage.DB, account uint64, mailbox string) []storage.Message {
	t.Helper()
	ctx := context.Background()
	mb, err := db.Mailbox(ctx, account, mailbox)
	if err != nil {
		t.Fatal(err)
	}
	uids, err := db.UIDs(ctx, mb.ID)
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := db.Messages(ctx, mb.ID, uids, storage.Want{Raw: true})
	if err != nil {
		t.Fatal(err)
	}
	return msgs
}

// queue returns the outbound queue.
func (ts *testServer) queue(t testing.TB) []storage.QueueEntry {
	t.Helper()
	q, err := ts.db.Queue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// waitNoConnections waits until the server has no open connection, so
// that whatever a closed client left behind has been processed.
func (ts *testServer) waitNoConnections(t testing.TB) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for ts.srv.conns.open() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d connections still open", ts.srv.conns.open())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// rawClient speaks SMTP as text, for input no well-behaved client sends.
type rawClient struct {
	t    testing.TB
	conn net.Conn
	text *textproto.Reader
}

// dialRaw connects to addr and reads the greeting.
func dialRaw(t testing.TB, addr string) *rawClient {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	c := &rawClient{t: t, conn: conn}
	c.text = textproto.NewReader(bufio.NewReader(conn))
	if code, msg := c.reply(); code != 220 {
		t.Fatalf("greeting: %d %s", code, msg)
	}
	return c
}

// startTLS upgrades c after a STARTTLS that got 220.
func (c *rawClient) startTLS(cfg *tls.Config) {
	c.t.Helper()
	tc := tls.Client(c.conn, cfg)
	if err := tc.Handshake(); err != nil {
		c.t.Fatal(err)
	}
	c.conn = tc
	c.text = textproto.NewReader(bufio.NewReader(tc))
}

// write sends s as it is.
func (c *rawClient) write(s string) {
	c.t.Helper()
	if err := c.conn.SetWriteDeadline(time.Now().Add(5 * time.Second)); err != nil {
		c.t.Fatal(err)
	}
	if _, err := io.WriteString(c.conn, s); err != nil {
		c.t.Fatal(err)
	}
}

// reply reads one reply, possibly multi-line.
func (c *rawClient) reply() (int, string) {
	c.t.Helper()
	if err := c.conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		c.t.Fatal(err)
	}
	code, msg, err := c.text.ReadResponse(0)
	if err != nil {
		c.t.Fatalf("read reply: %v", err)
	}
	return code, msg
}

// cmd sends line with CRLF and returns the reply.
func (c *rawClient) cmd(line string) (int, string) {
	c.t.Helper()
	c.write(line + "\r\n")
	return c.reply()
}

// expect sends line and fails unless the reply starts with want (a code,
// or a code and an enhanced code such as "550 5.1.1").
func (c *rawClient) expect(line, want string) string {
	c.t.Helper()
	code, msg := c.cmd(line)
	if got := strings.TrimSpace(strconv.Itoa(code) + " " + msg); !strings.HasPrefix(got, want) {
		c.t.Fatalf("%q: got %q, want %q", line, got, want)
	}
	return msg
}

// expectReply reads a reply and fails unless it starts with want.
func (c *rawClient) expectReply(want string) string {
	c.t.Helper()
	code, msg := c.reply()
	if got := strconv.Itoa(code) + " " + msg; !strings.HasPrefix(got, want) {
		c.t.Fatalf("got %q, want %q", got, want)
	}
	return msg
}

// envelope sends EHLO, MAIL and RCPT for each of to, expecting success.
func (c *rawClient) envelope(from string, to ...string) {
	c.t.Helper()
	c.expect("EHLO client.example.org", "250")
	c.expect("MAIL FROM:<"+from+">", "250")
	for _, rcpt := range to {
		c.expect("RCPT TO:<"+rcpt+">", "250")
	}
}

// bareLineEnding reports whether b holds a CR or LF outside a CRLF pair.
func bareLineEnding(b []byte) bool {
	for i, c := range b {
		switch {
		case c == '\r' && (i+1 == len(b) || b[i+1] != '\n'):
			return true
		case c == '\n' && (i == 0 || b[i-1] != '\r'):
			return true
		}
	}
	return false
}

// testMessage is a small well-formed message.
// submissionMessage is testMessage as marie writes it.
var submissionMessage = strings.Replace(testMessage, "sender@example.org", marie, 1)

const testMessage = "From: sender@example.org\r\n" +
	"To: marie@mailnet.test\r\n" +
	"Subject: test\r\n" +
	"Date: Sat, 28 Nov 2026 10:00:00 +0100\r\n" +
	"Message-ID: <test@example.org>\r\n" +
	"\r\n" +
	"Hello.\r\n"
