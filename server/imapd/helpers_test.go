package imapd

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"

	"mailnet/auth"
	"mailnet/internal/netlimit"
	"mailnet/server/tlsconf"
	"mailnet/storage"
)

// testPassword is every test account's password.
const testPassword = "correct horse battery staple"

// cheap argon2 parameters keep logins fast in tests.
var cheap = auth.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// testEnv is a running IMAP server on 127.0.0.1 with a real store.
type testEnv struct {
	db        *storage.DB
	plainAddr string // STARTTLS
	tlsAddr   string // implicit TLS
	clientTLS *tls.Config
	account   storage.Account
}

func newTestIMAP(t *testing.T) *testEnv {
	t.Helper()
	env, stop := startIMAP(t, filepath.Join(t.TempDir(), "mailnet.db"))
	t.Cleanup(stop)
	return env
}

// newTestIMAPWith starts a server whose store setup runs before it, so
// that setup can return configuration (an answers account's ID).
func newTestIMAPWith(t *testing.T, setup func(db *storage.DB) Config) *testEnv {
	t.Helper()
	env, stop := startIMAPWith(t, filepath.Join(t.TempDir(), "mailnet.db"), setup)
	t.Cleanup(stop)
	return env
}

// newBenchIMAP starts a server that lives until the process ends, for
// fixtures shared between benchmarks.
func newBenchIMAP(tb testing.TB, path string) *testEnv {
	env, _ := startIMAP(tb, path)
	return env
}

// startIMAP runs a server with a store at path and one account; stop shuts
// it down and closes the store.
func startIMAP(tb testing.TB, path string) (env *testEnv, stop func()) {
	return startIMAPWith(tb, path, nil)
}

func startIMAPWith(tb testing.TB, path string, setup func(db *storage.DB) Config) (env *testEnv, stop func()) {
	return startIMAPLimited(tb, path, setup, netlimit.New(1000))
}

// startIMAPLimited is startIMAPWith with the given per-network limiter.
func startIMAPLimited(tb testing.TB, path string, setup func(db *storage.DB) Config, limit *netlimit.Limiter) (env *testEnv, stop func()) {
	tb.Helper()
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	cfg := Config{ShareScope: auth.ScopeTeam}
	if setup != nil {
		cfg = setup(db)
	}
	certPEM, keyPEM, err := tlsconf.SelfSigned("localhost", time.Now())
	if err != nil {
		tb.Fatal(err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		tb.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	authn := auth.New(db, auth.Options{Params: cheap, Limits: auth.Limits{FailuresPerAccount: 3, FailuresPerIP: 50, Window: time.Minute}})
	cfg.TLS, cfg.MaxMessageBytes, cfg.IdleTimeout = tlsconf.Config(cert, tls.VersionTLS12), 1<<20, time.Minute
	srv := New(cfg, Deps{Store: db, Auth: authn, Limiter: limit})
	plain, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{}, 2)
	go func() { srv.Serve(plain); done <- struct{}{} }()
	go func() { srv.ServeTLS(tl); done <- struct{}{} }()
	stop = func() {
		srv.Close()
		<-done
		<-done
		if err := db.Close(); err != nil {
			tb.Error(err)
		}
	}
	env = &testEnv{db: db, plainAddr: plain.Addr().String(), tlsAddr: tl.Addr().String(),
		clientTLS: &tls.Config{RootCAs: pool, ServerName: "localhost"}}
	env.account = env.addAccount(tb, "marie.dupont@mailnet.test")
	return env, stop
}

func (e *testEnv) addAccount(t testing.TB, addr string) storage.Account {
	t.Helper()
	hash, err := auth.HashPasswordParams(testPassword, cheap)
	if err != nil {
		t.Fatal(err)
	}
	a, err := e.db.CreateAccount(context.Background(), storage.Account{Address: addr, Role: storage.RoleCounsellor, PasswordHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// dial connects with STARTTLS, not yet logged in.
func (e *testEnv) dial(t *testing.T, opts *imapclient.Options) *imapclient.Client {
	t.Helper()
	if opts == nil {
		opts = &imapclient.Options{}
	}
	opts.TLSConfig = e.clientTLS
	c, err := imapclient.DialStartTLS(e.plainAddr, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// login returns a logged-in STARTTLS client.
func (e *testEnv) login(t *testing.T, opts *imapclient.Options) *imapclient.Client {
	t.Helper()
	c := e.dial(t, opts)
	if err := c.Login(e.account.Address, testPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

// deliver puts a message into the account's mailbox as SMTP would.
func (e *testEnv) deliver(t *testing.T, mailbox string, raw string) storage.Placed {
	t.Helper()
	rc, err := e.db.Deliver(context.Background(), storage.Incoming{Raw: []byte(raw), Deliveries: []storage.Delivery{{Account: e.account.ID, Mailbox: mailbox}}})
	if err != nil {
		t.Fatal(err)
	}
	return rc.Placed[0]
}

func mail(subject, body string) string {
	return fmt.Sprintf("From: Jean Martin <jean.martin@example.org>\r\nTo: Marie Dupont <marie.dupont@mailnet.test>\r\nSubject: %s\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\nMessage-ID: <%s@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", subject, subject, body)
}

var storageWantRaw = storage.Want{Raw: true}

func mustBox(t *testing.T, e *testEnv, name string) storage.Mailbox {
	t.Helper()
	m, err := e.db.Mailbox(context.Background(), e.account.ID, name)
	if err != nil {
		t.Fatal(err)
	}
	return m
}
