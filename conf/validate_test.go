package conf

import (
	"net/netip"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	t.Parallel()
	addr := func(s string) Addr { return Addr{netip.MustParseAddrPort(s)} }
	tests := []struct {
		name   string
		modify func(c *Config)
		keys   []string // keys of the expected problems, sorted; nil: valid
	}{
		{"defaults", func(*Config) {}, nil},
		{"hostname empty", func(c *Config) { c.Hostname = "" }, []string{"hostname"}},
		{"hostname with space", func(c *Config) { c.Hostname = "mx example.org" }, []string{"hostname"}},
		{"hostname IP address", func(c *Config) { c.Hostname = "192.0.2.1" }, []string{"hostname"}},
		{"hostname trailing dot", func(c *Config) { c.Hostname = "mx.example.org." }, []string{"hostname"}},
		{"hostname hyphen label", func(c *Config) { c.Hostname = "-mx.example.org" }, []string{"hostname"}},
		{"hostname long label", func(c *Config) { c.Hostname = strings.Repeat("a", 64) + ".test" }, []string{"hostname"}},
		{"hostname too long", func(c *Config) { c.Hostname = strings.Repeat("a.", 127) + "ab" }, []string{"hostname"}},
		{"hostname digits first", func(c *Config) { c.Hostname = "1mx.example.org" }, nil},
		{"hostname A-label", func(c *Config) { c.Hostname = "xn--bcher-kva.example" }, nil},
		{"hostname unicode", func(c *Config) { c.Hostname = "bücher.example" }, []string{"hostname"}},
		{"no domains", func(c *Config) { c.Domains = nil }, []string{"domains"}},
		{"bad domain", func(c *Config) { c.Domains = []string{"example.org", "exa_mple.org"} }, []string{"domains"}},
		{"duplicate domain", func(c *Config) { c.Domains = []string{"example.org", "EXAMPLE.org"} }, []string{"domains"}},
		{"data dir empty", func(c *Config) { c.DataDir = "" }, []string{"data_dir"}},
		{"duplicate listener", func(c *Config) { c.Listen.IMAPS = c.Listen.IMAP }, []string{"listen.imaps"}},
		{"wildcard overlaps listener", func(c *Config) {
			c.Listen.HTTP = addr("0.0.0.0:2525")
			c.TLS.CertFile, c.TLS.KeyFile = "cert.pem", "key.pem"
		}, []string{"listen.http"}},
		{"plain HTTP on loopback", func(c *Config) { c.Listen.HTTP = addr("[::1]:8080") }, nil},
		{"plain HTTP beyond loopback", func(c *Config) { c.Listen.HTTP = addr("192.0.2.1:8080") }, []string{"listen.http"}},
		{"HTTPS beyond loopback", func(c *Config) {
			c.Listen.HTTP = addr("0.0.0.0:443")
			c.TLS.CertFile, c.TLS.KeyFile = "cert.pem", "key.pem"
		}, nil},
		{"session lifetime", func(c *Config) { c.Web.SessionLifetime = Duration{30 * time.Second} }, []string{"web.session_lifetime"}},
		{"session lifetime too long", func(c *Config) { c.Web.SessionLifetime = Duration{25 * time.Hour} }, []string{"web.session_lifetime"}},
		{"low volume percent", func(c *Config) { c.Web.LowVolumePercent = 0 }, []string{"web.low_volume_percent"}},
		{"IPv6 wildcard overlaps IPv4", func(c *Config) { c.Listen.SMTP = addr("[::]:1143") }, []string{"listen.imap"}},
		{"same port other IP", func(c *Config) { c.Listen.HTTP = addr("127.0.0.2:2525") }, nil},
		{"port 0 twice", func(c *Config) { c.Listen.SMTP, c.Listen.IMAP = addr("127.0.0.1:0"), addr("127.0.0.1:0") }, nil},
		{"disabled listeners", func(c *Config) { c.Listen = Listen{} }, nil},
		{"TLS cert without key", func(c *Config) { c.TLS.CertFile = "cert.pem" }, []string{"tls.key_file"}},
		{"TLS key without cert", func(c *Config) { c.TLS.KeyFile = "key.pem" }, []string{"tls.cert_file"}},
		{"TLS cert and key", func(c *Config) { c.TLS.CertFile, c.TLS.KeyFile = "cert.pem", "key.pem" }, nil},
		{"TLS 1.3", func(c *Config) { c.TLS.MinVersion = "1.3" }, nil},
		{"TLS 1.1", func(c *Config) { c.TLS.MinVersion = "1.1" }, []string{"tls.min_version"}},
		{"message size too small", func(c *Config) { c.Limits.MessageSize = 1023 }, []string{"limits.message_size"}},
		{"message size smallest", func(c *Config) { c.Limits.MessageSize = KiB }, nil},
		{"message size largest", func(c *Config) { c.Limits.MessageSize = GiB }, nil},
		{"message size too large", func(c *Config) { c.Limits.MessageSize = GiB + 1 }, []string{"limits.message_size"}},
		{"recipients 0", func(c *Config) { c.Limits.Recipients = 0 }, []string{"limits.recipients"}},
		{"recipients huge", func(c *Config) { c.Limits.Recipients = 1e6 }, []string{"limits.recipients"}},
		{"zero timeouts", func(c *Config) {
			c.Limits.SMTPCommandTimeout = Duration{}
			c.Limits.SMTPDataTimeout = Duration{-time.Second}
			c.Limits.IMAPIdleTimeout = Duration{}
			c.Limits.LoginWindow = Duration{}
			c.DNS.Timeout = Duration{}
		}, []string{"dns.timeout", "limits.imap_idle_timeout", "limits.login_window", "limits.smtp_command_timeout", "limits.smtp_data_timeout"}},
		{"short timeouts", func(c *Config) { c.Limits.SMTPCommandTimeout = Duration{time.Millisecond} }, nil},
		{"timeout too long", func(c *Config) { c.Limits.IMAPIdleTimeout = Duration{25 * time.Hour} }, []string{"limits.imap_idle_timeout"}},
		{"zero login limits", func(c *Config) {
			c.Limits.LoginFailuresPerAccount = 0
			c.Limits.LoginFailuresPerIP = -1
			c.Limits.MaxConnectionsPerIP = 0
		}, []string{"limits.login_failures_per_account", "limits.login_failures_per_ip", "limits.max_connections_per_ip"}},
		{"log level", func(c *Config) { c.Log.Level = "verbose" }, []string{"log.level"}},
		{"DNS servers", func(c *Config) { c.DNS.Servers = []string{"192.0.2.53", "[::1]:5353", "::1", "fe80::1%eth0"} }, nil},
		{"bad DNS servers", func(c *Config) { c.DNS.Servers = []string{"dns.example", "192.0.2.53:0", "1.1.1.1:53:53"} }, []string{"dns.servers", "dns.servers", "dns.servers"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := Default()
			tc.modify(c)
			err := c.Validate()
			if got := errorKeys(err); !slices.Equal(got, tc.keys) {
				t.Errorf("Validate() problems at %q, want %q:\n%v", got, tc.keys, err)
			}
		})
	}
}

// TestValidateNamesRealKeys checks that every key Validate names exists, so
// that the hand-written key names in validate.go cannot drift from the TOML
// tags.
func TestValidateNamesRealKeys(t *testing.T) {
	t.Parallel()
	c := &Config{ // everything wrong at once
		Listen: Listen{SMTP: loopback(25), Submission: loopback(25), Submissions: loopback(25), IMAP: loopback(25), IMAPS: loopback(25), HTTP: loopback(25)},
		TLS:    TLS{CertFile: "x"},
		DNS:    DNS{Servers: []string{"x"}},
	}
	known := knownKeys(reflect.TypeFor[Config]())
	keys := errorKeys(c.Validate())
	for _, k := range keys {
		if !known[k] {
			t.Errorf("Validate names %q, which is not a configuration key", k)
		}
	}
	if len(keys) < 20 {
		t.Errorf("Validate found %d problems, expected one per key at least:\n%q", len(keys), keys)
	}
}

func TestValidateQueueAndInbound(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Queue.Retry = nil
	c.Queue.MaxAge = Duration{}
	c.Queue.Concurrency = 0
	c.Inbound.DMARCReject = "drop"
	keys := errorKeys(c.Validate())
	for _, want := range []string{"queue.retry", "queue.max_age", "queue.concurrency", "inbound.dmarc_reject"} {
		if !slices.Contains(keys, want) {
			t.Errorf("no problem reported for %s (got %v)", want, keys)
		}
	}
	cfg, err := Parse([]byte("[queue]\nretry = [\"30s\", \"10m\"]\n[inbound]\ndmarc_reject = \"quarantine\"\n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Queue.Retry) != 2 || cfg.Queue.Retry[1].Duration != 10*time.Minute || cfg.Inbound.DMARCReject != "quarantine" {
		t.Fatalf("parsed %+v %+v", cfg.Queue, cfg.Inbound)
	}
}

func TestValidateSharingScope(t *testing.T) {
	t.Parallel()
	c := Default()
	c.Sharing.Scope = "region"
	if keys := errorKeys(c.Validate()); !slices.Contains(keys, "sharing.scope") {
		t.Fatalf("no problem reported for sharing.scope (got %v)", keys)
	}
	cfg, err := Parse([]byte("[sharing]\nscope = \"agency\"\n"))
	if err != nil || cfg.Sharing.Scope != "agency" {
		t.Fatalf("parsed %+v, %v", cfg.Sharing, err)
	}
}
