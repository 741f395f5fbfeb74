package auth

import (
	"encoding/base64"
	"errors"
	"io"
	"log"
	"net"
	"net/netip"
	"net/textproto"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"mailnet/storage"
)

// These tests run the SASL servers inside a real go-smtp server, to check
// how go-smtp feeds them (initial response, base64, empty challenges) and
// that go-sasl's clients can talk to them.

// smtpTestSession is a go-smtp session that authenticates through an
// Authenticator and accepts no mail.
type smtpTestSession struct {
	a      *Authenticator
	remote netip.Addr
	t      *testing.T
	logins *loginLog
}

var _ smtp.AuthSession = (*smtpTestSession)(nil)

func (s *smtpTestSession) AuthMechanisms() []string { return s.a.Mechanisms() }

func (s *smtpTestSession) Auth(mech string) (sasl.Server, error) {
	return s.a.SASL(s.t.Context(), mech, s.remote, s.logins.add)
}

func (s *smtpTestSession) Mail(string, *smtp.MailOptions) error { return smtp.ErrAuthRequired }
func (s *smtpTestSession) Rcpt(string, *smtp.RcptOptions) error { return smtp.ErrAuthRequired }
func (s *smtpTestSession) Data(io.Reader) error                 { return smtp.ErrAuthRequired }
func (s *smtpTestSession) Reset()                               {}
func (s *smtpTestSession) Logout() error                        { return nil }

// loginLog records the accounts that logged in.
type loginLog struct {
	mu       sync.Mutex
	accounts []string
}

func (l *loginLog) add(a storage.Account) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.accounts = append(l.accounts, a.Address)
}

func (l *loginLog) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.accounts...)
}

// newTestSMTP starts a go-smtp server on 127.0.0.1:0 whose AUTH uses ta,
// stopped when the test ends, and returns its address and login log.
func newTestSMTP(t *testing.T, ta testAuth) (string, *loginLog) {
	t.Helper()
	logins := &loginLog{}
	be := smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		ap, err := netip.ParseAddrPort(c.Conn().RemoteAddr().String())
		if err != nil {
			return nil, err
		}
		return &smtpTestSession{a: ta.Authenticator, remote: ap.Addr(), t: t, logins: logins}, nil
	})
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	srv.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close server: %v", err)
		}
		wg.Wait()
	})
	return l.Addr().String(), logins
}

// newTestSMTPClient dials addr with go-smtp's client, closed when the test
// ends.
func newTestSMTPClient(t *testing.T, addr string) *smtp.Client {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := c.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
			t.Errorf("close client: %v", err)
		}
	})
	return c
}

func TestSMTPAuthClients(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		client sasl.Client
		ok     bool
	}{
		{"plain", sasl.NewPlainClient("", marie, mariePassword), true},
		{"plain authzid", sasl.NewPlainClient(marie, marie, mariePassword), true},
		{"plain other authzid", sasl.NewPlainClient("paul@example.org", marie, mariePassword), false},
		{"plain wrong password", sasl.NewPlainClient("", marie, wrong), false},
		{"login", sasl.NewLoginClient(marie, mariePassword), true},
		{"login wrong password", sasl.NewLoginClient(marie, wrong), false},
		{"login unknown user", sasl.NewLoginClient(nobody, mariePassword), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr, logins := newTestSMTP(t, newTestAuth(t, Limits{}))
			c := newTestSMTPClient(t, addr)
			err := c.Auth(tc.client)
			if tc.ok != (err == nil) {
				t.Fatalf("Auth = %v, want success %v", err, tc.ok)
			}
			want := 0
			if tc.ok {
				want = 1
			}
			if got := logins.list(); len(got) != want {
				t.Errorf("logins %q, want %d", got, want)
			}
		})
	}
}

// TestSMTPAuthRaw drives AUTH by hand, for the exchanges go-smtp's client
// does not make: LOGIN and PLAIN without initial response, and
// cancellation.
func TestSMTPAuthRaw(t *testing.T) {
	t.Parallel()
	b64 := base64.StdEncoding.EncodeToString
	type line struct {
		send string
		code int    // expected reply code
		text string // expected reply text, if not ""
	}
	tests := []struct {
		name  string
		lines []line
		login bool
	}{
		{"login without initial response", []line{
			{"AUTH LOGIN", 334, b64([]byte("Username:"))},
			{b64([]byte(marie)), 334, b64([]byte("Password:"))},
			{b64([]byte(mariePassword)), 235, ""},
		}, true},
		{"login initial response", []line{
			{"AUTH LOGIN " + b64([]byte(marie)), 334, b64([]byte("Password:"))},
			{b64([]byte(mariePassword)), 235, ""},
		}, true},
		{"login cancelled", []line{
			{"AUTH LOGIN", 334, b64([]byte("Username:"))},
			{"*", 501, ""},
		}, false},
		{"login bad base64", []line{
			{"AUTH LOGIN", 334, b64([]byte("Username:"))},
			{"not base64!", 454, ""},
		}, false},
		{"plain without initial response", []line{
			{"AUTH PLAIN", 334, ""},
			{b64([]byte("\x00" + marie + "\x00" + mariePassword)), 235, ""},
		}, true},
		{"plain empty initial response", []line{
			{"AUTH PLAIN =", 454, ""},
		}, false},
		{"unsupported mechanism", []line{
			{"AUTH CRAM-MD5", 454, ""},
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			addr, logins := newTestSMTP(t, newTestAuth(t, Limits{}))
			conn, err := textproto.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				if err := conn.Close(); err != nil {
					t.Errorf("close: %v", err)
				}
			})
			expect := func(code int, text string) {
				t.Helper()
				got, msg, err := conn.ReadResponse(code)
				if err != nil || (text != "" && msg != text) {
					t.Fatalf("reply %d %q, %v; want %d %q", got, msg, err, code, text)
				}
			}
			expect(220, "")
			if err := conn.PrintfLine("EHLO client.example"); err != nil {
				t.Fatal(err)
			}
			expect(250, "")
			for _, l := range tc.lines {
				if err := conn.PrintfLine("%s", l.send); err != nil {
					t.Fatal(err)
				}
				expect(l.code, l.text)
			}
			if got := logins.list(); (len(got) == 1) != tc.login {
				t.Errorf("logins %q, want login %v", got, tc.login)
			}
		})
	}
}
