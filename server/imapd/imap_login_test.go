package imapd

import (
	"bufio"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

func TestLoginDisabledBeforeTLS(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	c, err := imapclient.DialInsecure(env.plainAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	caps, err := c.Capability().Wait()
	if err != nil {
		t.Fatal(err)
	}
	if !caps.Has(imap.CapLoginDisabled) || !caps.Has(imap.CapStartTLS) {
		t.Fatalf("caps before TLS = %v, want LOGINDISABLED and STARTTLS", caps)
	}
	if err := c.Login(env.account.Address, testPassword).Wait(); err == nil {
		t.Fatal("LOGIN over plaintext succeeded")
	}
}

func TestLoginOverSTARTTLSAndTLS(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	c := env.login(t, nil)
	if caps := c.Caps(); !caps.Has(imap.CapIMAP4rev2) || !caps.Has(imap.CapMove) || !caps.Has(imap.CapUIDPlus) {
		t.Fatalf("caps after login = %v", caps)
	}
	tc, err := imapclient.DialTLS(env.tlsAddr, &imapclient.Options{TLSConfig: env.clientTLS})
	if err != nil {
		t.Fatal(err)
	}
	defer tc.Close()
	if err := tc.Login(strings.ToUpper(env.account.Address), testPassword).Wait(); err != nil {
		t.Fatalf("login over implicit TLS: %v", err)
	}
}

func TestWrongPasswordThenThrottled(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	c := env.dial(t, nil)
	for range 3 {
		err := c.Login(env.account.Address, "wrong password!").Wait()
		var ie *imap.Error
		if !asIMAPError(err, &ie) || ie.Code != imap.ResponseCodeAuthenticationFailed {
			t.Fatalf("wrong password: %v", err)
		}
	}
	err := c.Login(env.account.Address, testPassword).Wait()
	var ie *imap.Error
	if !asIMAPError(err, &ie) || ie.Code != imap.ResponseCodeUnavailable {
		t.Fatalf("right password while throttled: %v, want UNAVAILABLE", err)
	}
}

func asIMAPError(err error, target **imap.Error) bool {
	ie, ok := err.(*imap.Error)
	if ok {
		*target = ie
	}
	return ok
}

func TestAuthenticatePlain(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	c := env.dial(t, nil)
	if err := c.Authenticate(plainClient(env.account.Address, testPassword)); err != nil {
		t.Fatal(err)
	}
	if c.State() != imap.ConnStateAuthenticated {
		t.Fatalf("state = %v", c.State())
	}
}

// TestGarbageKeepsSessionAlive sends malformed and over-long commands over
// a raw connection: each gets BAD, and the session still works after.
func TestGarbageKeepsSessionAlive(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	conn, err := net.Dial("tcp", env.plainAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	if line, _ := r.ReadString('\n'); !strings.HasPrefix(line, "* OK") {
		t.Fatalf("greeting = %q", line)
	}
	// Before login go-imap closes on an unknown command (cross-protocol
	// defence), so the garbage is sent after STARTTLS-less LOGIN is
	// refused: known commands with bad syntax.
	for _, cmd := range []string{"a2 FETCH", "a3 SELECT", "a4 LOGIN {5}", "a5 CAPABILITY extra"} {
		if _, err := conn.Write([]byte(cmd + "\r\n")); err != nil {
			t.Fatal(err)
		}
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("%q: connection lost: %v", cmd, err)
		}
		if !strings.Contains(line, "BAD") && !strings.Contains(line, "NO") && !strings.HasPrefix(line, "+") {
			t.Fatalf("%q answered %q", cmd, line)
		}
		if strings.HasPrefix(line, "+") { // literal continuation: feed it and a CRLF
			conn.Write([]byte("xxxxx\r\n"))
			r.ReadString('\n')
		}
	}
	if _, err := conn.Write([]byte("z1 NOOP\r\n")); err != nil {
		t.Fatal(err)
	}
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("after garbage: %v", err)
		}
		if strings.HasPrefix(line, "z1 ") {
			if !strings.HasPrefix(line, "z1 OK") {
				t.Fatalf("NOOP after garbage: %q", line)
			}
			break
		}
	}
}
