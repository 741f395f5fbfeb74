package imapd

import (
	"bufio"
	"crypto/tls"
	"net"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailnet/internal/netlimit"
)

// TestConnectionsPerNetwork: with a limit of 3 shared with other
// listeners (one slot already taken, as by an SMTP session), two IMAP
// connections are admitted; a third gets BYE on the plain port and is
// closed on the TLS port; closing one frees its slot.
func TestConnectionsPerNetwork(t *testing.T) {
	t.Parallel()
	limit := netlimit.New(3)
	local := netip.MustParseAddr("127.0.0.1")
	if !limit.Acquire(local) { // another protocol's connection
		t.Fatal("first slot refused")
	}
	env, stop := startIMAPLimited(t, filepath.Join(t.TempDir(), "mailnet.db"), nil, limit)
	t.Cleanup(stop)
	greeting := func(c net.Conn) (string, error) {
		c.SetDeadline(time.Now().Add(10 * time.Second))
		return bufio.NewReader(c).ReadString('\n')
	}
	var open []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", env.plainAddr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if l, err := greeting(c); err != nil || !strings.HasPrefix(l, "* OK") {
			t.Fatalf("admitted connection greeted %q, %v", l, err)
		}
		open = append(open, c)
	}
	c, err := net.Dial("tcp", env.plainAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if l, _ := greeting(c); l != byeTooMany {
		t.Fatalf("connection over the limit greeted %q, want BYE", l)
	}
	tc, err := tls.Dial("tcp", env.tlsAddr, env.clientTLS)
	if err == nil {
		tc.SetDeadline(time.Now().Add(10 * time.Second))
		_, err = bufio.NewReader(tc).ReadString('\n')
		tc.Close()
	}
	if err == nil {
		t.Fatal("TLS connection over the limit was served")
	}
	open[0].Close()
	deadline := time.Now().Add(10 * time.Second)
	for limit.Open(local) != 2 {
		if time.Now().After(deadline) {
			t.Fatalf("slot not released: %d open", limit.Open(local))
		}
		time.Sleep(10 * time.Millisecond)
	}
	c2, err := net.Dial("tcp", env.plainAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if l, err := greeting(c2); err != nil || !strings.HasPrefix(l, "* OK") {
		t.Fatalf("after a close, greeted %q, %v", l, err)
	}
}
