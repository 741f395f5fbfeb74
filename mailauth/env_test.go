package mailauth

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/foxcpp/go-mockdns"
)

const testID = "mailnet.test"

// testClock is the checker's clock in tests.
func testClock() time.Time {
	return time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC)
}

// zones is a go-mockdns zone set built record by record.
type zones map[string]mockdns.Zone

func fqdn(name string) string {
	return strings.ToLower(strings.TrimSuffix(name, ".")) + "."
}

// txt adds TXT records to name and returns z.
func (z zones) txt(name string, recs ...string) zones {
	zone := z[fqdn(name)]
	zone.TXT = append(zone.TXT, recs...)
	z[fqdn(name)] = zone
	return z
}

// fail makes every lookup of name return err and returns z.
func (z zones) fail(name string, err error) zones {
	zone := z[fqdn(name)]
	zone.Err = err
	z[fqdn(name)] = zone
	return z
}

// clone returns a copy of z that can be changed without changing z.
func (z zones) clone() zones {
	c := make(zones, len(z))
	for k, v := range z {
		c[k] = v
	}
	return c
}

// servfail is the error a resolver gives for SERVFAIL or a timeout.
func servfail(name string) error {
	return &net.DNSError{Err: "server misbehaving", Name: name, IsTemporary: true}
}

func newTestChecker(z zones) *Checker {
	return New(&mockdns.Resolver{Zones: z}, Options{
		AuthServID: testID,
		Now:        testClock,
		Timeout:    5 * time.Second,
	})
}

// testKey is a DKIM key of a signing domain, published at
// <selector>._domainkey.<domain>.
type testKey struct {
	domain, selector string
	signer           crypto.Signer
}

func newEd25519Key(t testing.TB, domain, selector string) testKey {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatalf("generate ed25519 key: %v", err)
	}
	return testKey{domain: domain, selector: selector, signer: priv}
}

func newRSAKey(t testing.TB, domain, selector string) testKey {
	t.Helper()
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatalf("generate RSA key: %v", err)
	}
	return testKey{domain: domain, selector: selector, signer: priv}
}

// recordName is where k's public key is published.
func (k testKey) recordName() string {
	return k.selector + "._domainkey." + k.domain
}

// record is k's DKIM key record (RFC 6376 §3.6.1).
func (k testKey) record(t testing.TB) string {
	t.Helper()
	switch pub := k.signer.Public().(type) {
	case ed25519.PublicKey:
		return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatalf("marshal RSA key: %v", err)
		}
		return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
	default:
		t.Fatalf("unknown key type %T", pub)
		return ""
	}
}

// publish adds k's record to z and returns z.
func (k testKey) publish(t testing.TB, z zones) zones {
	t.Helper()
	return z.txt(k.recordName(), k.record(t))
}

// signWith returns raw with one DKIM-Signature per key prepended, the
// first key's signature on top (relaxed/relaxed, as dkimsign does).
func signWith(t testing.TB, raw string, keys ...testKey) string {
	t.Helper()
	for i := len(keys) - 1; i >= 0; i-- {
		raw = signOpts(t, raw, &dkim.SignOptions{
			Domain:                 keys[i].domain,
			Selector:               keys[i].selector,
			Signer:                 keys[i].signer,
			HeaderCanonicalization: dkim.CanonicalizationRelaxed,
			BodyCanonicalization:   dkim.CanonicalizationRelaxed,
			HeaderKeys:             []string{"From", "To", "Subject", "Date", "Message-ID"},
		})
	}
	return raw
}

func signOpts(t testing.TB, raw string, opts *dkim.SignOptions) string {
	t.Helper()
	var out bytes.Buffer
	if err := dkim.Sign(&out, strings.NewReader(raw), opts); err != nil {
		t.Fatalf("dkim.Sign: %v", err)
	}
	return out.String()
}

// message returns a CRLF message whose From field holds from.
func message(from string) string {
	return "From: " + from + "\r\n" +
		"To: counsellor@mailnet.test\r\n" +
		"Subject: Rendez-vous\r\n" +
		"Date: Mon, 02 Mar 2026 10:00:00 +0100\r\n" +
		"Message-ID: <1@example.org>\r\n" +
		"\r\n" +
		"Bonjour,\r\n" +
		"je confirme le rendez-vous.\r\n"
}

func addr(s string) netip.Addr {
	return netip.MustParseAddr(s)
}

// contextWithCancel returns a child of the test's context and its cancel
// function, called at the end of the test in any case.
func contextWithCancel(t testing.TB) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	return ctx, cancel
}
