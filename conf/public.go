package conf

// Public is how mail clients reach this server, when that differs from
// the listening addresses: behind a NAT or a container's port mapping, a
// listener bound to 127.0.0.1:1993 may be published as port 993. It is
// what the automatic set-up of mail clients announces (Thunderbird
// autoconfig). See [Config.Published] for the values in effect.
type Public struct {
	// Host is the host name clients connect to for IMAP and submission;
	// it must be in the TLS certificate. Lower-cased by Parse. Default ""
	// (Hostname).
	Host string `toml:"host"`
	// IMAPPort is the port of IMAP with STARTTLS as clients see it.
	// Default 0 (the port of listen.imap).
	IMAPPort int `toml:"imap_port"`
	// IMAPSPort is the port of IMAP over implicit TLS. Default 0 (the
	// port of listen.imaps).
	IMAPSPort int `toml:"imaps_port"`
	// SubmissionPort is the port of submission with STARTTLS. Default 0
	// (the port of listen.submission).
	SubmissionPort int `toml:"submission_port"`
	// SubmissionsPort is the port of submission over implicit TLS.
	// Default 0 (the port of listen.submissions).
	SubmissionsPort int `toml:"submissions_port"`
}

// Published returns the [Public] settings in effect: Host is Hostname
// when unset, and each port is the configured one, else the port of its
// listener. The port of a disabled listener is 0 whatever is configured:
// a service that does not run is not announced.
func (c *Config) Published() Public {
	p := c.Public
	if p.Host == "" {
		p.Host = c.Hostname
	}
	p.IMAPPort = publishedPort(p.IMAPPort, c.Listen.IMAP)
	p.IMAPSPort = publishedPort(p.IMAPSPort, c.Listen.IMAPS)
	p.SubmissionPort = publishedPort(p.SubmissionPort, c.Listen.Submission)
	p.SubmissionsPort = publishedPort(p.SubmissionsPort, c.Listen.Submissions)
	return p
}

// publishedPort returns port, or the port of l when port is 0, or 0 when
// l is disabled.
func publishedPort(port int, l Addr) int {
	switch {
	case !l.IsSet():
		return 0
	case port != 0:
		return port
	}
	return int(l.Port())
}

// validatePublic checks the host name and the port numbers. The result
// may hold nil entries.
func validatePublic(p Public) []error {
	var errs []error
	if p.Host != "" {
		if err := checkDNSName(p.Host); err != nil {
			errs = append(errs, keyErr("public.host", "%q: %w", p.Host, err))
		}
	}
	ports := []struct {
		key  string
		port int
	}{
		{"public.imap_port", p.IMAPPort},
		{"public.imaps_port", p.IMAPSPort},
		{"public.submission_port", p.SubmissionPort},
		{"public.submissions_port", p.SubmissionsPort},
	}
	for _, x := range ports {
		if x.port < 0 || x.port > 65535 {
			errs = append(errs, keyErr(x.key, "must be from 0 to 65535, not %d", x.port))
		}
	}
	return errs
}
