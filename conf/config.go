package conf

import (
	"crypto/tls"
	"log/slog"
	"net/netip"
	"strings"
	"time"
)

// Config is the whole mailnet configuration: one TOML file, decoded over
// [Default] by [Parse] or [Load]. A Config returned by them has passed
// [Config.Validate]; one built in code should be validated before use.
// Nothing in this package modifies a Config after returning it, so it may
// be shared read-only between goroutines.
type Config struct {
	// Hostname is this server's host name, used in the SMTP greeting, EHLO
	// and Received header fields. Lower-cased by Parse. Default "localhost".
	Hostname string `toml:"hostname"`
	// Domains are the mail domains this server is the final destination
	// for. The first is the primary domain. Lower-cased by Parse. Default
	// ["mailnet.test"].
	Domains []string `toml:"domains"`
	// DataDir is the directory for the database and generated files, such
	// as the self-signed certificate. Default "./mailnet-data".
	DataDir string `toml:"data_dir"`
	// Listen holds the listening addresses.
	Listen Listen `toml:"listen"`
	// TLS holds the certificate and protocol settings.
	TLS TLS `toml:"tls"`
	// Limits holds sizes, timeouts and abuse limits.
	Limits Limits `toml:"limits"`
	// DNS holds the resolver settings.
	DNS DNS `toml:"dns"`
	// Log holds the logging settings.
	Log Log `toml:"log"`
	// Queue is outbound delivery: retries and expiry.
	Queue Queue `toml:"queue"`
	// Inbound is what is done with mail that fails sender checks.
	Inbound Inbound `toml:"inbound"`
	// Sharing is who reads whose mail, read-only, over IMAP.
	Sharing Sharing `toml:"sharing"`
	// SLA is the business calendar of the answer commitment.
	SLA SLA `toml:"sla"`
	// Archive is the retention of the immutable archive.
	Archive Archive `toml:"archive"`
	// Public is how mail clients reach this server, for their automatic
	// set-up.
	Public Public `toml:"public"`
	// Web is the managers' dashboard served on Listen.HTTP.
	Web Web `toml:"web"`
}

// Listen holds the listening addresses. An unset [Addr] (the empty string in
// TOML) disables that listener.
type Listen struct {
	// SMTP receives mail from other servers (MX, port 25 in production).
	// Default 127.0.0.1:2525.
	SMTP Addr `toml:"smtp"`
	// Submission takes mail from users after STARTTLS (RFC 6409, port 587
	// in production). Default 127.0.0.1:2587.
	Submission Addr `toml:"submission"`
	// Submissions takes mail from users over implicit TLS (RFC 8314 §3.3,
	// port 465 in production). Default 127.0.0.1:2465.
	Submissions Addr `toml:"submissions"`
	// IMAP serves mailboxes after STARTTLS (port 143 in production).
	// Default 127.0.0.1:1143.
	IMAP Addr `toml:"imap"`
	// IMAPS serves mailboxes over implicit TLS (RFC 8314, port 993 in
	// production). Default 127.0.0.1:1993.
	IMAPS Addr `toml:"imaps"`
	// HTTP serves the web interface (the managers' dashboard): HTTPS with
	// the mail certificate when TLS.CertFile is set, plain HTTP otherwise,
	// which Validate allows on loopback addresses only. Default
	// 127.0.0.1:8080.
	HTTP Addr `toml:"http"`
}

// TLS holds the certificate and protocol settings.
type TLS struct {
	// CertFile is the path of the PEM certificate chain. CertFile and KeyFile
	// are set together or not at all; when both are empty the server makes a
	// self-signed certificate for Hostname in DataDir on first start.
	// Default "".
	CertFile string `toml:"cert_file"`
	// KeyFile is the path of the PEM private key of CertFile. Default "".
	KeyFile string `toml:"key_file"`
	// MinVersion is the lowest TLS version accepted: "1.2" or "1.3".
	// Default "1.2". See [TLS.MinTLSVersion].
	MinVersion string `toml:"min_version"`
}

// MinTLSVersion returns MinVersion as a crypto/tls constant, ready for
// [tls.Config.MinVersion]: tls.VersionTLS13 for "1.3" and tls.VersionTLS12
// otherwise (Validate rejects any other value).
func (t TLS) MinTLSVersion() uint16 {
	if t.MinVersion == "1.3" {
		return tls.VersionTLS13
	}
	return tls.VersionTLS12
}

// Limits holds sizes, timeouts and abuse limits.
type Limits struct {
	// MessageSize is the largest message accepted, in bytes, announced with
	// the SMTP SIZE extension (RFC 1870). Between 1KiB and 1GiB. Default
	// 25MiB.
	MessageSize Size `toml:"message_size"`
	// Recipients is the most RCPT commands accepted in one SMTP transaction.
	// RFC 5321 §4.5.3.1.8 asks that at least 100 be accepted. Default 100.
	Recipients int `toml:"recipients"`
	// SMTPCommandTimeout is how long the server waits for each SMTP command
	// line. RFC 5321 §4.5.3.2.7 asks for at least 5 minutes. Default 5m.
	SMTPCommandTimeout Duration `toml:"smtp_command_timeout"`
	// SMTPDataTimeout is how long the server waits for each read of the
	// message text after DATA. It is longer than SMTPCommandTimeout because
	// a client may take time to produce a large message. Default 10m.
	SMTPDataTimeout Duration `toml:"smtp_data_timeout"`
	// IMAPIdleTimeout is how long an IMAP connection may stay silent,
	// including in IDLE, before it is closed. RFC 9051 §5.4 asks for at
	// least 30 minutes. Default 30m.
	IMAPIdleTimeout Duration `toml:"imap_idle_timeout"`
	// LoginFailuresPerAccount is how many failed logins one account may
	// have within LoginWindow before further attempts are refused. Default 5.
	LoginFailuresPerAccount int `toml:"login_failures_per_account"`
	// LoginFailuresPerIP is how many failed logins one IP address may have
	// within LoginWindow before further attempts are refused. Default 20.
	LoginFailuresPerIP int `toml:"login_failures_per_ip"`
	// LoginWindow is the sliding window over which failed logins are
	// counted. Default 15m.
	LoginWindow Duration `toml:"login_window"`
	// MaxConnectionsPerIP is the most simultaneous connections from one IP
	// address, all protocols together. Default 50.
	MaxConnectionsPerIP int `toml:"max_connections_per_ip"`
}

// DNS holds the resolver settings.
type DNS struct {
	// Servers are the resolvers to query, each "IP:port" or a bare IP (port
	// 53). Empty means the system resolver (/etc/resolv.conf). Default [].
	// See [DNS.ServerAddrs].
	Servers []string `toml:"servers"`
	// Timeout bounds each DNS query. Default 5s.
	Timeout Duration `toml:"timeout"`
}

// ServerAddrs returns Servers parsed, with port 53 where none was given, or
// nil for the system resolver. Entries that do not parse are left out;
// Validate rejects them.
func (d DNS) ServerAddrs() []netip.AddrPort {
	var addrs []netip.AddrPort
	for _, s := range d.Servers {
		if ap, err := parseDNSServer(s); err == nil {
			addrs = append(addrs, ap)
		}
	}
	return addrs
}

// Log holds the logging settings.
type Log struct {
	// Level is the least severe level logged: "debug", "info", "warn" or
	// "error". Default "info". See [Log.SlogLevel].
	Level string `toml:"level"`
}

// SlogLevel returns Level as a [slog.Level]; an unknown level (which
// Validate rejects) gives [slog.LevelInfo].
func (l Log) SlogLevel() slog.Level {
	switch l.Level {
	case "debug":
		return slog.LevelDebug
	case "warn":
		return slog.LevelWarn
	case "error":
		return slog.LevelError
	}
	return slog.LevelInfo
}

// IsLocalDomain reports whether domain is one of c.Domains, ignoring case
// and a trailing dot.
func (c *Config) IsLocalDomain(domain string) bool {
	domain = strings.TrimSuffix(domain, ".")
	for _, d := range c.Domains {
		if strings.EqualFold(d, domain) {
			return true
		}
	}
	return false
}

// PrimaryDomain returns the first of c.Domains, or "" if there is none
// (which Validate rejects).
func (c *Config) PrimaryDomain() string {
	if len(c.Domains) == 0 {
		return ""
	}
	return c.Domains[0]
}

// Queue configures outbound delivery to other mail servers.
type Queue struct {
	// Retry is the wait after each failed attempt, in order; the last one
	// repeats. Default ["1m", "5m", "30m", "2h", "4h"].
	Retry []Duration `toml:"retry"`
	// MaxAge is how long delivery is retried before the message is
	// returned to its sender with a delivery status notification.
	// Default "120h" (5 days, RFC 5321 §4.5.4.1 suggests 4–5 days).
	MaxAge Duration `toml:"max_age"`
	// Concurrency is how many messages are delivered at once. Default 4.
	Concurrency int `toml:"concurrency"`
}

// Inbound configures the handling of incoming mail on the MX listener.
type Inbound struct {
	// DMARCReject is what happens to a message that fails DMARC when its
	// domain publishes p=reject: "reject" (550 5.7.1, never stored),
	// "quarantine" (stored in the recipient's Junk folder) or "tag" (only
	// recorded in Authentication-Results). Default "reject".
	DMARCReject string `toml:"dmarc_reject"`
}

// Sharing configures the read-only views of colleagues' mail and of
// clients' cases.
type Sharing struct {
	// Scope is how far a counsellor reads: "team" (their team), "agency"
	// (every team of their agency) or "all". Managers and admins read
	// everything. Default "team".
	Scope string `toml:"scope"`
}

// SLA configures the business calendar of the commitment to answer each
// client message within a number of business hours. See package
// mailnet/routing/sla for the rules and worked examples.
type SLA struct {
	// TimeZone is the IANA time zone of business days and deadlines.
	// Default "Europe/Paris".
	TimeZone string `toml:"time_zone"`
	// Hours is the commitment, in counted hours, from 1 to 1000.
	// Default 72.
	Hours int `toml:"hours"`
	// Rule is how hours are counted: "business_days" (every hour of a
	// business day) or "office_hours" (only from OfficeStart to
	// OfficeEnd). Default "business_days".
	Rule string `toml:"rule"`
	// OfficeStart is when counted time starts on a business day under the
	// "office_hours" rule. Default "09:00".
	OfficeStart ClockTime `toml:"office_start"`
	// OfficeEnd is when counted time ends, after OfficeStart. Default
	// "17:00".
	OfficeEnd ClockTime `toml:"office_end"`
	// Weekdays are the business days of the week, at least one.
	// Default ["mon", "tue", "wed", "thu", "fri"].
	Weekdays []Weekday `toml:"weekdays"`
	// FrenchHolidays closes the French public holidays. Default true.
	FrenchHolidays bool `toml:"french_holidays"`
	// WhitMondayOpen counts Whit Monday (Lundi de Pentecôte, "journée de
	// solidarité") as a business day although it is a public holiday.
	// Default false.
	WhitMondayOpen bool `toml:"whit_monday_open"`
	// ExtraClosed are further closed days. Default [].
	ExtraClosed []Date `toml:"extra_closed"`
	// NoticeBefore is how much counted time before the deadline the client
	// is told that the answer is delayed. Default "24h" (one business day
	// under "business_days").
	NoticeBefore Duration `toml:"notice_before"`
	// NextContact is the time of day of the new contact offered in the
	// notice, on the business day after the deadline. Default "10:00".
	NextContact ClockTime `toml:"next_contact"`
	// Acknowledge sends a client's message an acknowledgement of receipt
	// from the personal counsellor's address, with the case reference and
	// the due date: at most one per conversation per day, never to
	// automatic mail (RFC 3834). Default true.
	Acknowledge bool `toml:"acknowledge"`
	// TemplatesDir, when not "", is a directory whose ack.txt, notice.txt
	// and alert.txt replace the French default texts of the
	// acknowledgement, the client notice and the manager alert. A file
	// starts with a "Subject: " line, then a blank line, then the body;
	// both are Go text/template (see package mailnet/routing/sla/texts).
	// Default "".
	TemplatesDir string `toml:"templates_dir"`
}

// Archive configures the immutable archive (see docs/archive.md).
type Archive struct {
	// Retention is how long each category of archived mail is kept before
	// `mailnet archive purge` removes its content (leaving a tombstone).
	Retention Retention `toml:"retention"`
}

// Retention holds one retention period per category of archived mail,
// named after the archive's directions. Each defaults to "forever".
type Retention struct {
	// In is mail received from outside. Default "forever".
	In Period `toml:"in"`
	// Out is mail submitted for remote recipients. Default "forever".
	Out Period `toml:"out"`
	// Internal is mail submitted for local recipients only. Default
	// "forever".
	Internal Period `toml:"internal"`
	// Notice is the notices before expiry and the manager alerts. Default
	// "forever".
	Notice Period `toml:"notice"`
	// Ack is the acknowledgements of receipt. Default "forever".
	Ack Period `toml:"ack"`
	// DSN is the delivery status notifications. Default "forever".
	DSN Period `toml:"dsn"`
}

// ByCategory returns the periods keyed by category name ("in", "out",
// "internal", "notice", "ack", "dsn"); a zero period means forever.
func (r Retention) ByCategory() map[string]time.Duration {
	return map[string]time.Duration{
		"in": r.In.Duration, "out": r.Out.Duration, "internal": r.Internal.Duration,
		"notice": r.Notice.Duration, "ack": r.Ack.Duration, "dsn": r.DSN.Duration,
	}
}

// Web configures the managers' dashboard.
type Web struct {
	// SessionLifetime is how long a login lasts: the session ends this
	// long after the login, used or not. From 1m to 24h. Default "8h".
	SessionLifetime Duration `toml:"session_lifetime"`
	// LowVolumePercent flags a counsellor who received less than this
	// percentage of the median of their team's counsellors over the
	// period shown, from 1 to 100. Default 50.
	LowVolumePercent int `toml:"low_volume_percent"`
	// MetricsFrom lists the networks allowed to read /metrics (Prometheus
	// scrapers); others get 403. Empty disables /metrics. Default
	// ["127.0.0.0/8", "::1/128"].
	MetricsFrom []Prefix `toml:"metrics_from"`
}
