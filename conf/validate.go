package conf

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Validate checks c and returns every problem at once, joined with
// [errors.Join], each a [*KeyError] naming the TOML key, e.g.
// "limits.recipients: must be ≥ 1, not 0". It returns nil if c is usable.
// It does not modify c and does no I/O: it does not check that files exist.
func (c *Config) Validate() error {
	var errs []error // nil entries are fine: errors.Join drops them
	if err := checkDNSName(c.Hostname); err != nil {
		errs = append(errs, keyErr("hostname", "%q: %w", c.Hostname, err))
	}
	errs = append(errs, validateDomains(c.Domains)...)
	if c.DataDir == "" {
		errs = append(errs, keyErr("data_dir", "must not be empty"))
	}
	errs = append(errs, validateListen(c.Listen)...)
	errs = append(errs, validateTLS(c.TLS)...)
	errs = append(errs, validateLimits(c.Limits)...)
	errs = append(errs, validateDNS(c.DNS)...)
	errs = append(errs, validateQueue(c.Queue)...)
	errs = append(errs, validateSLA(c.SLA)...)
	errs = append(errs, validatePublic(c.Public)...)
	errs = append(errs, validateWeb(c)...)
	switch c.Inbound.DMARCReject {
	case "reject", "quarantine", "tag":
	default:
		errs = append(errs, keyErr("inbound.dmarc_reject", "unknown action %q: want reject, quarantine or tag", c.Inbound.DMARCReject))
	}
	switch c.Sharing.Scope {
	case "team", "agency", "all":
	default:
		errs = append(errs, keyErr("sharing.scope", "unknown scope %q: want team, agency or all", c.Sharing.Scope))
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, keyErr("log.level", "unknown level %q: want debug, info, warn or error", c.Log.Level))
	}
	return errors.Join(errs...)
}

// validateDomains checks that there is at least one domain, each a valid
// DNS name, with no duplicates.
func validateDomains(domains []string) []error {
	if len(domains) == 0 {
		return []error{keyErr("domains", "at least one domain is required")}
	}
	var errs []error
	seen := make(map[string]bool, len(domains))
	for _, d := range domains {
		if err := checkDNSName(d); err != nil {
			errs = append(errs, keyErr("domains", "%q: %w", d, err))
			continue
		}
		if seen[strings.ToLower(d)] {
			errs = append(errs, keyErr("domains", "%q is listed twice", d))
		}
		seen[strings.ToLower(d)] = true
	}
	return errs
}

// validateListen checks that no two listeners would bind the same address.
func validateListen(l Listen) []error {
	listeners := []struct {
		key  string
		addr Addr
	}{
		{"listen.smtp", l.SMTP},
		{"listen.submission", l.Submission},
		{"listen.submissions", l.Submissions},
		{"listen.imap", l.IMAP},
		{"listen.imaps", l.IMAPS},
		{"listen.http", l.HTTP},
	}
	var errs []error
	for i, a := range listeners {
		for _, b := range listeners[:i] {
			if conflicts(a.addr, b.addr) {
				errs = append(errs, keyErr(a.key, "%s: same address as %s (%s)", a.addr, b.key, b.addr))
				break
			}
		}
	}
	return errs
}

// conflicts reports whether listening on both a and b would fail: same port
// (other than 0, which picks a free one) and the same IP, or either being the
// unspecified address ("0.0.0.0", "::"), which covers every IP of the host,
// of both families for "::" since Go listens dual-stack.
func conflicts(a, b Addr) bool {
	if !a.IsSet() || !b.IsSet() || a.Port() == 0 || a.Port() != b.Port() {
		return false
	}
	ia, ib := a.Addr().Unmap(), b.Addr().Unmap()
	return ia == ib || ia.IsUnspecified() || ib.IsUnspecified()
}

// validateTLS checks that the certificate and key come together and that
// the version is known.
func validateTLS(t TLS) []error {
	var errs []error
	if t.CertFile != "" && t.KeyFile == "" {
		errs = append(errs, keyErr("tls.key_file", "required when tls.cert_file is set"))
	}
	if t.KeyFile != "" && t.CertFile == "" {
		errs = append(errs, keyErr("tls.cert_file", "required when tls.key_file is set"))
	}
	if t.MinVersion != "1.2" && t.MinVersion != "1.3" {
		errs = append(errs, keyErr("tls.min_version", "unknown version %q: want \"1.2\" or \"1.3\"", t.MinVersion))
	}
	return errs
}

// validateLimits checks that each limit is positive and not absurdly large.
// The result has a nil entry for each limit that is fine.
func validateLimits(l Limits) []error {
	itoa := strconv.Itoa
	return []error{
		checkRange("limits.message_size", l.MessageSize, KiB, GiB, Size.String),
		checkRange("limits.recipients", l.Recipients, 1, 100_000, itoa),
		checkDuration("limits.smtp_command_timeout", l.SMTPCommandTimeout, time.Hour),
		checkDuration("limits.smtp_data_timeout", l.SMTPDataTimeout, time.Hour),
		checkDuration("limits.imap_idle_timeout", l.IMAPIdleTimeout, 24*time.Hour),
		checkRange("limits.login_failures_per_account", l.LoginFailuresPerAccount, 1, 1000, itoa),
		checkRange("limits.login_failures_per_ip", l.LoginFailuresPerIP, 1, 100_000, itoa),
		checkDuration("limits.login_window", l.LoginWindow, 24*time.Hour),
		checkRange("limits.max_connections_per_ip", l.MaxConnectionsPerIP, 1, 100_000, itoa),
	}
}

// validateDNS checks the resolver addresses and the query timeout. The
// result may hold nil entries.
func validateDNS(d DNS) []error {
	var errs []error
	for _, s := range d.Servers {
		if _, err := parseDNSServer(s); err != nil {
			errs = append(errs, keyErr("dns.servers", "%w", err))
		}
	}
	return append(errs, checkDuration("dns.timeout", d.Timeout, time.Minute))
}

// validateQueue checks the retry schedule, the expiry and the concurrency.
func validateQueue(q Queue) []error {
	var errs []error
	if len(q.Retry) == 0 {
		errs = append(errs, keyErr("queue.retry", "must list at least one interval"))
	}
	for _, d := range q.Retry {
		errs = append(errs, checkDuration("queue.retry", d, 24*time.Hour))
	}
	return append(errs,
		checkDuration("queue.max_age", q.MaxAge, 30*24*time.Hour),
		checkRange("queue.concurrency", q.Concurrency, 1, 256, strconv.Itoa))
}

// validateSLA checks the business calendar: the zone loads, the rule is
// known, the office hours and weekdays make sense. The result may hold nil
// entries. Dates are checked when decoded.
func validateSLA(s SLA) []error {
	var errs []error
	if _, err := time.LoadLocation(s.TimeZone); err != nil || s.TimeZone == "" {
		errs = append(errs, keyErr("sla.time_zone", "unknown time zone %q: want an IANA name such as Europe/Paris", s.TimeZone))
	}
	errs = append(errs, checkRange("sla.hours", s.Hours, 1, 1000, strconv.Itoa))
	if s.Rule != "business_days" && s.Rule != "office_hours" {
		errs = append(errs, keyErr("sla.rule", "unknown rule %q: want business_days or office_hours", s.Rule))
	}
	if s.NextContact.Duration <= 0 || s.NextContact.Duration >= 24*time.Hour {
		errs = append(errs, keyErr("sla.next_contact", "must be a time of day after 00:00, not %s", s.NextContact))
	}
	if s.OfficeStart.Duration >= s.OfficeEnd.Duration {
		errs = append(errs, keyErr("sla.office_end", "%s is not after sla.office_start %s", s.OfficeEnd, s.OfficeStart))
	}
	if len(s.Weekdays) == 0 {
		errs = append(errs, keyErr("sla.weekdays", "must list at least one day"))
	}
	return append(errs, checkDuration("sla.notice_before", s.NoticeBefore, 1000*time.Hour))
}

// validateWeb checks the dashboard settings, and that the dashboard's
// logins never cross a network in clear: plain HTTP (no tls.cert_file)
// only on a loopback address. The result may hold nil entries.
func validateWeb(c *Config) []error {
	errs := []error{
		checkDuration("web.session_lifetime", c.Web.SessionLifetime, 24*time.Hour),
		checkRange("web.low_volume_percent", c.Web.LowVolumePercent, 1, 100, strconv.Itoa),
	}
	if c.Web.SessionLifetime.Duration > 0 && c.Web.SessionLifetime.Duration < time.Minute {
		errs = append(errs, keyErr("web.session_lifetime", "must be ≥ 1m, not %s", c.Web.SessionLifetime))
	}
	if h := c.Listen.HTTP; h.IsSet() && c.TLS.CertFile == "" && !h.Addr().Unmap().IsLoopback() {
		errs = append(errs, keyErr("listen.http", "%s is not a loopback address: plain HTTP would send passwords in clear; set tls.cert_file to serve HTTPS", h))
	}
	return errs
}

// checkRange returns a KeyError for key unless lo ≤ v ≤ hi; format shows
// values in the message.
func checkRange[T ~int | ~int64](key string, v, lo, hi T, format func(T) string) error {
	switch {
	case v < lo:
		return keyErr(key, "must be ≥ %s, not %s", format(lo), format(v))
	case v > hi:
		return keyErr(key, "must be ≤ %s, not %s", format(hi), format(v))
	}
	return nil
}

// checkDuration returns a KeyError for key unless 0 < d ≤ hi. There is no
// lower bound beyond that, so tests may use short timeouts.
func checkDuration(key string, d Duration, hi time.Duration) error {
	format := func(d time.Duration) string { return Duration{d}.String() }
	if d.Duration <= 0 {
		return keyErr(key, "must be > 0, not %s", d)
	}
	return checkRange(key, d.Duration, 1, hi, format)
}

// parseDNSServer parses "IP:port" or a bare IP, to which it adds port 53.
func parseDNSServer(s string) (netip.AddrPort, error) {
	ap, err := netip.ParseAddrPort(s)
	if err != nil {
		a, aerr := netip.ParseAddr(s)
		if aerr != nil {
			return netip.AddrPort{}, fmt.Errorf("invalid server %q: want IP or IP:port such as 192.0.2.53, ::1 or 127.0.0.1:5353", s)
		}
		ap = netip.AddrPortFrom(a, 53)
	}
	if ap.Port() == 0 {
		return netip.AddrPort{}, fmt.Errorf("invalid server %q: port 0", s)
	}
	return ap, nil
}

// checkDNSName checks that name is a host or domain name in the preferred
// syntax of RFC 1035 §2.3.1 as relaxed by RFC 1123 §2.1 (labels may start
// with a digit): dot-separated labels of 1–63 letters, digits and hyphens,
// not starting or ending with a hyphen, 253 bytes at most, with no trailing
// dot. Internationalized names must be given as A-labels ("xn--…"). The last
// label may not be all digits (RFC 3696 §2), which rules out IP addresses.
func checkDNSName(name string) error {
	switch {
	case name == "":
		return errors.New("empty name")
	case len(name) > 253:
		return errors.New("longer than 253 bytes")
	case strings.HasSuffix(name, "."):
		return errors.New("must not end with a dot")
	}
	labels := strings.Split(name, ".")
	for _, label := range labels {
		if err := checkLabel(label); err != nil {
			return err
		}
	}
	if strings.Trim(labels[len(labels)-1], "0123456789") == "" {
		return errors.New("top-level label is all digits (an IP address is not a host name)")
	}
	return nil
}

// checkLabel checks one label of a DNS name; see checkDNSName.
func checkLabel(label string) error {
	switch {
	case label == "":
		return errors.New("empty label")
	case len(label) > 63:
		return fmt.Errorf("label %q longer than 63 bytes", label)
	case label[0] == '-' || label[len(label)-1] == '-':
		return fmt.Errorf("label %q starts or ends with a hyphen", label)
	}
	for _, r := range label {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return fmt.Errorf("label %q has %q: only letters, digits and hyphens are allowed (use xn-- A-labels for other scripts)", label, r)
		}
	}
	return nil
}
