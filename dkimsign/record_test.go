package dkimsign

import (
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"strings"
	"testing"
)

func TestDNSRecord(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	ed := generate(t, data, testDomain, "mn1-ed25519", Ed25519)
	rs := generate(t, data, testDomain, "mn1-rsa", RSA)

	name, value := DNSRecord(ed)
	p, ok := strings.CutPrefix(value, "v=DKIM1; k=ed25519; p=")
	if name != "mn1-ed25519._domainkey.mailnet.test" || !ok {
		t.Fatalf("ed25519 record: %s %q", name, value)
	}
	raw, err := base64.StdEncoding.DecodeString(p)
	if err != nil || !ed25519.PublicKey(raw).Equal(ed.Signer.Public()) {
		t.Fatalf("ed25519 p= is not the raw public key (%v)", err)
	}

	name, value = DNSRecord(rs)
	p, ok = strings.CutPrefix(value, "v=DKIM1; k=rsa; p=")
	if name != "mn1-rsa._domainkey.mailnet.test" || !ok {
		t.Fatalf("rsa record: %s %q", name, value)
	}
	der, err := base64.StdEncoding.DecodeString(p)
	if err != nil {
		t.Fatal(err)
	}
	pub, err := x509.ParsePKIXPublicKey(der)
	if err != nil || !pub.(*rsa.PublicKey).Equal(rs.Signer.Public()) {
		t.Fatalf("rsa p= is not the SubjectPublicKeyInfo (%v)", err)
	}
	if len(value) <= 255 {
		t.Fatalf("rsa record of %d bytes: the split below is not exercised", len(value))
	}
}

func TestZoneTXT(t *testing.T) {
	t.Parallel()
	a := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name, value, want string
	}{
		{"empty", "", `""`},
		{"short", "v=DKIM1; k=ed25519; p=AAAA", `"v=DKIM1; k=ed25519; p=AAAA"`},
		{"255 bytes", a(255), `"` + a(255) + `"`},
		{"256 bytes", a(256), `"` + a(255) + `" "a"`},
		{"510 bytes", a(510), `"` + a(255) + `" "` + a(255) + `"`},
		{"511 bytes", a(511), `"` + a(255) + `" "` + a(255) + `" "a"`},
		{"rsa-2048 record", "v=DKIM1; k=rsa; p=" + a(392), `"v=DKIM1; k=rsa; p=` + a(237) + `" "` + a(155) + `"`},
		{"escapes", "a\"b\\c\td\x7f", `"a\"b\\c\009d\127"`},
		{"split before escape", a(254) + `"x`, `"` + a(254) + `\"" "x"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := ZoneTXT(tc.value)
			if got != tc.want {
				t.Fatalf("ZoneTXT(%q)\n got %s\nwant %s", tc.value, got, tc.want)
			}
			strs := zoneTXTStrings(t, "x.example. 3600 IN TXT "+got)
			if strings.Join(strs, "") != tc.value {
				t.Errorf("reads back as %q", strings.Join(strs, ""))
			}
		})
	}
}
