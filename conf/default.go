package conf

import (
	_ "embed" // for defaultTOML
	"net/netip"
	"time"
)

// defaultTOML is the commented default configuration. A test checks that it
// decodes to exactly Default() and sets every option.
//
//go:embed default.toml
var defaultTOML string

// Default returns a new Config holding the default of every option: a
// development instance listening on 127.0.0.1 only, with a self-signed
// certificate. It is the one place defaults are defined; [Parse] decodes a
// file over it. The caller owns the result.
func Default() *Config {
	return &Config{
		Hostname: "localhost",
		Domains:  []string{"mailnet.test"},
		DataDir:  "./mailnet-data",
		Listen: Listen{
			SMTP:        loopback(2525),
			Submission:  loopback(2587),
			Submissions: loopback(2465),
			IMAP:        loopback(1143),
			IMAPS:       loopback(1993),
			HTTP:        loopback(8080),
		},
		TLS: TLS{MinVersion: "1.2"},
		Limits: Limits{
			MessageSize:             25 * MiB,
			Recipients:              100,
			SMTPCommandTimeout:      Duration{5 * time.Minute},
			SMTPDataTimeout:         Duration{10 * time.Minute},
			IMAPIdleTimeout:         Duration{30 * time.Minute},
			LoginFailuresPerAccount: 5,
			LoginFailuresPerIP:      20,
			LoginWindow:             Duration{15 * time.Minute},
			MaxConnectionsPerIP:     50,
		},
		DNS: DNS{
			Servers: []string{},
			Timeout: Duration{5 * time.Second},
		},
		Log: Log{Level: "info"},
		Queue: Queue{
			Retry:       []Duration{{time.Minute}, {5 * time.Minute}, {30 * time.Minute}, {2 * time.Hour}, {4 * time.Hour}},
			MaxAge:      Duration{120 * time.Hour},
			Concurrency: 4,
		},
		Inbound: Inbound{DMARCReject: "reject"},
		Sharing: Sharing{Scope: "team"},
		SLA: SLA{
			TimeZone:       "Europe/Paris",
			Hours:          72,
			Rule:           "business_days",
			OfficeStart:    ClockTime{9 * time.Hour},
			OfficeEnd:      ClockTime{17 * time.Hour},
			Weekdays:       []Weekday{{time.Monday}, {time.Tuesday}, {time.Wednesday}, {time.Thursday}, {time.Friday}},
			FrenchHolidays: true,
			ExtraClosed:    []Date{},
			NoticeBefore:   Duration{24 * time.Hour},
			NextContact:    ClockTime{10 * time.Hour},
			Acknowledge:    true,
		},
		Web: Web{SessionLifetime: Duration{8 * time.Hour}, LowVolumePercent: 50,
			MetricsFrom: []Prefix{{netip.MustParsePrefix("127.0.0.0/8")}, {netip.MustParsePrefix("::1/128")}}},
	}
}

// DefaultTOML returns a complete configuration file, with a comment on every
// option, that [Parse] decodes to exactly [Default]. It is what
// `mailnet config default` prints. The caller owns the returned slice.
func DefaultTOML() []byte {
	return []byte(defaultTOML)
}

// loopback returns 127.0.0.1:port.
func loopback(port uint16) Addr {
	return Addr{netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), port)}
}
