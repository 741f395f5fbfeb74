package mailauth

import (
	"context"
	"net/netip"
	"time"

	"mailnet/resolver"
)

// DefaultTimeout bounds the DNS work for one message when Options.Timeout
// is 0.
const DefaultTimeout = 20 * time.Second

// Input is one received message and its SMTP envelope.
type Input struct {
	// RemoteIP is the address of the SMTP client.
	RemoteIP netip.Addr
	// Helo is the EHLO/HELO argument as the client sent it.
	Helo string
	// MailFrom is the reverse-path address, without angle brackets; "" for
	// the null sender.
	MailFrom string
	// Raw is the full message as received, header and body, CRLF line
	// endings. Check does not modify it.
	Raw []byte
}

// Options configures a Checker.
type Options struct {
	// AuthServID is the authserv-id of our Authentication-Results fields
	// (RFC 8601 §2.5): our host name, e.g. "mx.example.net".
	AuthServID string
	// Now is the clock, used for DKIM signature expiry (x=). nil means
	// time.Now.
	Now func() time.Time
	// Timeout bounds all the DNS lookups for one message together. 0 means
	// DefaultTimeout.
	Timeout time.Duration
}

// Checker authenticates inbound messages: SPF, DKIM, DMARC. It is safe for
// concurrent use and holds no per-message state.
type Checker struct {
	dns        dnsAdapter
	authServID string
	now        func() time.Time
	timeout    time.Duration
}

// New returns a Checker that asks r for every DNS record.
func New(r resolver.Resolver, opts Options) *Checker {
	c := &Checker{
		dns:        dnsAdapter{r: r},
		authServID: opts.AuthServID,
		now:        opts.Now,
		timeout:    opts.Timeout,
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	return c
}

// Check authenticates in: SPF of the envelope sender, each DKIM signature
// (up to MaxSignatures), then DMARC for the From domain. It never fails:
// a DNS lookup that fails or runs past the Timeout (or ctx) gives a
// temperror result. Its work is bounded whatever in.Raw holds: the header
// section Check reads is capped (1 MiB), and so are signatures and DNS
// lookups (RFC 7208 §4.6.4).
func (c *Checker) Check(ctx context.Context, in Input) Verdict {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	h := readHeader(in.Raw)
	var v Verdict
	if !h.tooLarge {
		v.FromDomain = fromDomain(h.froms)
	}
	v.SPF = checkSPF(ctx, c.dns, in)
	v.DKIM = c.checkDKIM(ctx, in.Raw, h)
	v.DMARC = checkDMARC(ctx, c.dns, v)
	if h.tooLarge {
		v.DMARC.Note = "header section too large"
	}
	// A DMARC pass, or without a DMARC record an aligned pass (relaxed):
	// the From domain took responsibility for the message.
	if v.DMARC.Result == Pass || v.DMARC.Result == None && v.DMARC.Aligned {
		v.VerifiedDomain = v.FromDomain
	}
	return v
}
