package resolver

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/netip"
	"slices"
	"testing"
	"time"

	"blitiri.com.ar/go/spf"
	"github.com/foxcpp/go-mockdns"
)

// The resolvers mailnet uses, and the interface blitiri spf asks for.
var (
	_ Resolver        = (*net.Resolver)(nil)
	_ Resolver        = (*mockdns.Resolver)(nil)
	_ spf.DNSResolver = Resolver(nil)
)

// newTestServer starts a go-mockdns server on 127.0.0.1 serving zones and
// returns its address. The server is closed when the test ends.
func newTestServer(t *testing.T, zones map[string]mockdns.Zone) netip.AddrPort {
	t.Helper()
	srv, err := mockdns.NewServerWithLogger(zones, log.New(io.Discard, "", 0), false)
	if err != nil {
		t.Fatalf("start mock DNS server: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close mock DNS server: %v", err)
		}
	})
	return netip.MustParseAddrPort(srv.LocalAddr().String())
}

// newBlackHole returns the address of a UDP socket on 127.0.0.1 that never
// answers, so queries sent to it time out.
func newBlackHole(t *testing.T) netip.AddrPort {
	t.Helper()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() {
		if err := pc.Close(); err != nil {
			t.Errorf("close black hole: %v", err)
		}
	})
	return netip.MustParseAddrPort(pc.LocalAddr().String())
}

var testZones = map[string]mockdns.Zone{
	"example.org.": {
		A:    []string{"192.0.2.10"},
		AAAA: []string{"2001:db8::10"},
		MX: []net.MX{
			{Host: "mx2.example.org.", Pref: 20},
			{Host: "mx1.example.org.", Pref: 10},
		},
		TXT: []string{"v=spf1 ip4:192.0.2.0/24 -all"},
	},
	"10.2.0.192.in-addr.arpa.": {PTR: []string{"mx1.example.org."}},
	"broken.example.org.":      {Err: errors.New("zone broken")},
}

func TestNewLooksUpConfiguredServer(t *testing.T) {
	t.Parallel()
	addr := newTestServer(t, testZones)
	r := New(Options{Servers: []netip.AddrPort{addr}, Timeout: 2 * time.Second})
	ctx := t.Context()

	t.Run("MX", func(t *testing.T) {
		t.Parallel()
		mxs, err := r.LookupMX(ctx, "example.org")
		if err != nil {
			t.Fatalf("LookupMX: %v", err)
		}
		var got []string
		for _, mx := range mxs {
			got = append(got, mx.Host)
		}
		if want := []string{"mx1.example.org.", "mx2.example.org."}; !slices.Equal(got, want) {
			t.Errorf("LookupMX = %v, want %v (by preference)", got, want)
		}
	})
	t.Run("TXT", func(t *testing.T) {
		t.Parallel()
		txt, err := r.LookupTXT(ctx, "example.org")
		if err != nil {
			t.Fatalf("LookupTXT: %v", err)
		}
		if want := []string{"v=spf1 ip4:192.0.2.0/24 -all"}; !slices.Equal(txt, want) {
			t.Errorf("LookupTXT = %q, want %q", txt, want)
		}
	})
	t.Run("A and AAAA", func(t *testing.T) {
		t.Parallel()
		ips, err := r.LookupIPAddr(ctx, "example.org")
		if err != nil {
			t.Fatalf("LookupIPAddr: %v", err)
		}
		var got []string
		for _, ip := range ips {
			got = append(got, ip.IP.String())
		}
		slices.Sort(got)
		if want := []string{"192.0.2.10", "2001:db8::10"}; !slices.Equal(got, want) {
			t.Errorf("LookupIPAddr = %v, want %v", got, want)
		}
	})
	t.Run("PTR", func(t *testing.T) {
		t.Parallel()
		names, err := r.LookupAddr(ctx, "192.0.2.10")
		if err != nil {
			t.Fatalf("LookupAddr: %v", err)
		}
		if want := []string{"mx1.example.org."}; !slices.Equal(names, want) {
			t.Errorf("LookupAddr = %v, want %v", names, want)
		}
	})
	t.Run("IP literal", func(t *testing.T) {
		t.Parallel()
		ips, err := r.LookupIPAddr(ctx, "192.0.2.99")
		if err != nil || len(ips) != 1 || ips[0].IP.String() != "192.0.2.99" {
			t.Errorf("LookupIPAddr(literal) = %v, %v", ips, err)
		}
	})
	t.Run("NXDOMAIN is not found", func(t *testing.T) {
		t.Parallel()
		_, err := r.LookupTXT(ctx, "nowhere.example.org")
		if !IsNotFound(err) || IsTemporary(err) {
			t.Errorf("LookupTXT(nowhere) err = %v: IsNotFound %v, IsTemporary %v; want true, false", err, IsNotFound(err), IsTemporary(err))
		}
		if _, ok := err.(*net.DNSError); !ok {
			t.Errorf("err is %T, want *net.DNSError unwrapped (spf and dkim use type assertions)", err)
		}
	})
	t.Run("SERVFAIL is temporary", func(t *testing.T) {
		t.Parallel()
		_, err := r.LookupTXT(ctx, "broken.example.org")
		if !IsTemporary(err) || IsNotFound(err) {
			t.Errorf("LookupTXT(broken) err = %v: IsTemporary %v, IsNotFound %v; want true, false", err, IsTemporary(err), IsNotFound(err))
		}
		if de, ok := err.(*net.DNSError); !ok || !de.Temporary() {
			t.Errorf("err = %#v, want a *net.DNSError whose Temporary() is true", err)
		}
	})
}

func TestNewUnreachableServerIsTemporary(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	r := New(Options{Servers: []netip.AddrPort{newBlackHole(t)}, Timeout: timeout})
	start := time.Now()
	_, err := r.LookupMX(t.Context(), "example.org")
	elapsed := time.Since(start)
	if !IsTemporary(err) {
		t.Fatalf("LookupMX from a silent server: err = %v, want temporary", err)
	}
	if IsNotFound(err) {
		t.Errorf("err = %v also says not found", err)
	}
	if elapsed > timeout+time.Second {
		t.Errorf("LookupMX took %v, want about %v", elapsed, timeout)
	}
}

func TestNewFailsOverToNextServer(t *testing.T) {
	t.Parallel()
	good := newTestServer(t, testZones)
	r := New(Options{Servers: []netip.AddrPort{newBlackHole(t), good}, Timeout: 300 * time.Millisecond})
	txt, err := r.LookupTXT(t.Context(), "example.org")
	if err != nil || len(txt) != 1 {
		t.Fatalf("LookupTXT = %q, %v; want the second server's answer", txt, err)
	}
}

func TestNewNotFoundDoesNotFailOver(t *testing.T) {
	t.Parallel()
	first := newTestServer(t, map[string]mockdns.Zone{})
	second := newTestServer(t, testZones)
	r := New(Options{Servers: []netip.AddrPort{first, second}, Timeout: time.Second})
	_, err := r.LookupTXT(t.Context(), "example.org")
	if !IsNotFound(err) {
		t.Fatalf("LookupTXT err = %v, want the first server's NXDOMAIN", err)
	}
}

func TestNewHonoursCallerContext(t *testing.T) {
	t.Parallel()
	r := New(Options{Servers: []netip.AddrPort{newBlackHole(t), newBlackHole(t)}, Timeout: 10 * time.Second})
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := r.LookupTXT(ctx, "example.org")
	if !IsTemporary(err) {
		t.Fatalf("err = %v, want temporary", err)
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("LookupTXT took %v after the context ended at 200ms", elapsed)
	}
}

func TestAbsolute(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"example.org", "example.org."},
		{"example.org.", "example.org."},
		{"", ""},
		{"192.0.2.1", "192.0.2.1"},
		{"2001:db8::1", "2001:db8::1"},
		{"_dmarc.example.org", "_dmarc.example.org."},
	}
	for _, tc := range tests {
		if got := absolute(tc.in); got != tc.want {
			t.Errorf("absolute(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
