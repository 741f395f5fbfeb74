package conf

import (
	"crypto/tls"
	"log/slog"
	"net/netip"
	"slices"
	"testing"
)

func TestIsLocalDomain(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Domains = []string{"example.org", "example.net"}
	tests := []struct {
		domain string
		want   bool
	}{
		{"example.org", true},
		{"EXAMPLE.Net", true},
		{"example.org.", true},
		{"mail.example.org", false},
		{"example.com", false},
		{"", false},
	}
	for _, tc := range tests {
		t.Run(tc.domain, func(t *testing.T) {
			t.Parallel()
			if got := c.IsLocalDomain(tc.domain); got != tc.want {
				t.Errorf("IsLocalDomain(%q) = %t, want %t", tc.domain, got, tc.want)
			}
		})
	}
}

func TestPrimaryDomain(t *testing.T) {
	t.Parallel()
	c := Default()
	if got := c.PrimaryDomain(); got != "mailnet.test" {
		t.Errorf("PrimaryDomain() = %q, want mailnet.test", got)
	}
	c.Domains = nil
	if got := c.PrimaryDomain(); got != "" {
		t.Errorf("PrimaryDomain() without domains = %q, want \"\"", got)
	}
}

func TestMinTLSVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want uint16
	}{
		{"1.2", tls.VersionTLS12},
		{"1.3", tls.VersionTLS13},
		{"", tls.VersionTLS12},
	}
	for _, tc := range tests {
		if got := (TLS{MinVersion: tc.in}).MinTLSVersion(); got != tc.want {
			t.Errorf("MinTLSVersion() for %q = %#x, want %#x", tc.in, got, tc.want)
		}
	}
}

func TestSlogLevel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want slog.Level
	}{
		{"debug", slog.LevelDebug},
		{"info", slog.LevelInfo},
		{"warn", slog.LevelWarn},
		{"error", slog.LevelError},
		{"bogus", slog.LevelInfo},
	}
	for _, tc := range tests {
		if got := (Log{Level: tc.in}).SlogLevel(); got != tc.want {
			t.Errorf("SlogLevel() for %q = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestServerAddrs(t *testing.T) {
	t.Parallel()
	d := DNS{Servers: []string{"192.0.2.53", "[2001:db8::1]:5353", "::1", "bad"}}
	want := []netip.AddrPort{
		netip.MustParseAddrPort("192.0.2.53:53"),
		netip.MustParseAddrPort("[2001:db8::1]:5353"),
		netip.MustParseAddrPort("[::1]:53"),
	}
	if got := d.ServerAddrs(); !slices.Equal(got, want) {
		t.Errorf("ServerAddrs() = %v, want %v", got, want)
	}
	if got := Default().DNS.ServerAddrs(); got != nil {
		t.Errorf("default ServerAddrs() = %v, want nil (system resolver)", got)
	}
}
