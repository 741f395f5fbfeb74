package mailauth

import (
	"io"
	"log"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/foxcpp/go-mockdns"

	"mailnet/resolver"
)

// newDNSServer serves z on 127.0.0.1 until the test ends and returns its
// address.
func newDNSServer(t *testing.T, z zones) netip.AddrPort {
	t.Helper()
	srv, err := mockdns.NewServerWithLogger(z, log.New(io.Discard, "", 0), false)
	if err != nil {
		t.Fatalf("start DNS server: %v", err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Errorf("close DNS server: %v", err)
		}
	})
	return netip.MustParseAddrPort(srv.LocalAddr().String())
}

// TestCheckThroughNetResolver runs Check on resolver.New against a DNS
// server, so that the errors are net's own (NXDOMAIN, SERVFAIL).
func TestCheckThroughNetResolver(t *testing.T) {
	t.Parallel()
	key := newEd25519Key(t, "example.org", "ed")
	lost := newEd25519Key(t, "example.org", "lost")
	z := key.publish(t, zones{}).
		txt("example.org", "v=spf1 ip4:192.0.2.0/24 -all").
		txt("_dmarc.example.org", "v=DMARC1; p=reject").
		txt("evil.example", "v=spf1 ip4:203.0.113.0/24 -all").
		fail("broken.example", servfail("broken.example"))
	r := resolver.New(resolver.Options{Servers: []netip.AddrPort{newDNSServer(t, z)}, Timeout: 2 * time.Second})
	c := New(r, Options{AuthServID: testID, Now: testClock})
	plain := message("alice@example.org")
	tests := []struct {
		name      string
		in        Input
		wantSPF   Result
		wantDKIM  []Result
		wantDMARC Result
		verified  string
	}{
		{"signed and aligned", Input{RemoteIP: addr("192.0.2.7"), Helo: "mx.example.org", MailFrom: "alice@example.org", Raw: []byte(signWith(t, plain, key))}, Pass, []Result{Pass}, Pass, "example.org"},
		{"forged", Input{RemoteIP: addr("203.0.113.5"), Helo: "evil.example", MailFrom: "x@evil.example", Raw: []byte(plain)}, Pass, nil, Fail, ""},
		{"key not published", Input{RemoteIP: addr("203.0.113.5"), Helo: "evil.example", MailFrom: "x@evil.example", Raw: []byte(signWith(t, plain, lost))}, Pass, []Result{PermError}, Fail, ""},
		{"no SPF domain", Input{RemoteIP: addr("192.0.2.7"), Helo: "mx.example.org", MailFrom: "x@nowhere.example", Raw: []byte(plain)}, None, nil, Fail, ""},
		{"SPF SERVFAIL", Input{RemoteIP: addr("192.0.2.7"), Helo: "mx.example.org", MailFrom: "x@broken.example", Raw: []byte(message("x@broken.example"))}, TempError, nil, None, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := c.Check(t.Context(), tc.in)
			if v.SPF.Result != tc.wantSPF || v.DMARC.Result != tc.wantDMARC || v.VerifiedDomain != tc.verified {
				t.Errorf("SPF %+v, DMARC %+v, VerifiedDomain %q; want %s, %s, %q", v.SPF, v.DMARC, v.VerifiedDomain, tc.wantSPF, tc.wantDMARC, tc.verified)
			}
			if len(v.DKIM) != len(tc.wantDKIM) {
				t.Fatalf("DKIM = %+v, want %v", v.DKIM, tc.wantDKIM)
			}
			for i, w := range tc.wantDKIM {
				if v.DKIM[i].Result != w {
					t.Errorf("DKIM[%d] = %+v, want %s", i, v.DKIM[i], w)
				}
			}
		})
	}
}

// TestCheckDNSDown checks that a silent DNS server gives temporary errors
// everywhere, within Options.Timeout, and verifies nothing.
func TestCheckDNSDown(t *testing.T) {
	t.Parallel()
	pc, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	t.Cleanup(func() {
		if err := pc.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	silent := netip.MustParseAddrPort(pc.LocalAddr().String())
	const timeout = 500 * time.Millisecond
	c := New(resolver.New(resolver.Options{Servers: []netip.AddrPort{silent}}), Options{AuthServID: testID, Timeout: timeout})
	key := newEd25519Key(t, "example.org", "ed")
	in := Input{RemoteIP: addr("192.0.2.7"), Helo: "mx.example.org", MailFrom: "alice@example.org", Raw: []byte(signWith(t, message("alice@example.org"), key))}

	start := time.Now()
	v := c.Check(t.Context(), in)
	if elapsed := time.Since(start); elapsed > timeout+time.Second {
		t.Errorf("Check took %v with Timeout %v", elapsed, timeout)
	}
	if v.SPF.Result != TempError || len(v.DKIM) != 1 || v.DKIM[0].Result != TempError || v.DMARC.Result != TempError {
		t.Errorf("SPF %+v, DKIM %+v, DMARC %+v; want temperror everywhere", v.SPF, v.DKIM, v.DMARC)
	}
	if v.VerifiedDomain != "" {
		t.Errorf("VerifiedDomain = %q with DNS down", v.VerifiedDomain)
	}
}

// TestCheckCanceledContext checks that an ended context gives temporary
// errors, not answers.
func TestCheckCanceledContext(t *testing.T) {
	t.Parallel()
	z := zones{}.txt("example.org", "v=spf1 +all")
	ctx, cancel := contextWithCancel(t)
	cancel()
	v := newTestChecker(z).Check(ctx, Input{RemoteIP: addr("192.0.2.7"), Helo: "mx.example.org", MailFrom: "alice@example.org", Raw: []byte(message("alice@example.org"))})
	if v.SPF.Result != TempError || v.DMARC.Result != TempError {
		t.Errorf("SPF %+v, DMARC %+v; want temperror", v.SPF, v.DMARC)
	}
}

func TestCheckGarbage(t *testing.T) {
	t.Parallel()
	c := newTestChecker(zones{}.txt("example.org", "v=spf1 -all"))
	tests := []struct {
		name string
		raw  string
	}{
		{"empty", ""},
		{"blank line only", "\r\n"},
		{"no colon", "garbage\r\n\r\n"},
		{"continuation first", " folded\r\nFrom: a@example.org\r\n\r\n"},
		{"NUL bytes", "From: a@example.org\x00\r\nDKIM-Signature: \x00\r\n\r\n\x00"},
		{"signature without tags", "DKIM-Signature:\r\nFrom: a@example.org\r\n\r\nx"},
		{"signature with huge tags", "DKIM-Signature: v=1; a=rsa-sha256; b=" + string(make([]byte, 100000)) + "\r\n\r\n"},
		{"invalid UTF-8", "From: \xff\xfe@\xff.example\r\n\r\n\xff"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := c.Check(t.Context(), Input{RemoteIP: addr("192.0.2.7"), Helo: "x", MailFrom: "a@example.org", Raw: []byte(tc.raw)})
			if v.VerifiedDomain != "" {
				t.Errorf("VerifiedDomain = %q for garbage", v.VerifiedDomain)
			}
			for _, d := range v.DKIM {
				if d.Result == Pass {
					t.Errorf("DKIM pass for garbage: %+v", d)
				}
			}
			parseHeader(t, c.Header(v))
		})
	}
}
