package dkimsign

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/foxcpp/go-mockdns"
	"github.com/miekg/dns"
)

// testDomain is the domain the tests sign for.
const testDomain = "mailnet.test"

// testMessage is a submitted message from testDomain.
const testMessage = "From: Marie Dupont <marie.dupont@mailnet.test>\r\n" +
	"To: Jean Martin <jean.martin@example.org>\r\n" +
	"Subject: Votre rendez-vous\r\n" +
	"Date: Mon, 6 Jul 2026 10:00:00 +0200\r\n" +
	"Message-ID: <1@mailnet.test>\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"X-Mailer: test\r\n" +
	"\r\n" +
	"Bonjour,\r\n\r\nVotre rendez-vous est confirmé.\r\n"

// generate creates a key in dataDir or fails the test.
func generate(t testing.TB, dataDir, domain, selector string, algo Algorithm) Key {
	t.Helper()
	k, err := Generate(dataDir, domain, selector, algo)
	if err != nil {
		t.Fatalf("Generate(%s, %s, %s): %v", domain, selector, algo, err)
	}
	return k
}

// load loads the keys of dataDir or fails the test.
func load(t testing.TB, dataDir string) *Signer {
	t.Helper()
	s, err := Load(dataDir)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return s
}

// publish returns a resolver serving the records of keys. Each record goes
// through its zone-file form, parsed by miekg/dns, so that what the
// command prints for a zone file is what verifiers see.
func publish(t testing.TB, keys ...Key) *mockdns.Resolver {
	t.Helper()
	r := &mockdns.Resolver{Zones: make(map[string]mockdns.Zone)}
	for _, k := range keys {
		name, value := DNSRecord(k)
		txt := strings.Join(zoneTXTStrings(t, name+". 3600 IN TXT "+ZoneTXT(value)), "")
		if txt != value {
			t.Fatalf("zone form of %s reads back as %q, want %q", name, txt, value)
		}
		r.Zones[name+"."] = mockdns.Zone{TXT: []string{txt}}
	}
	return r
}

// verify returns go-msgauth's verifications of msg, looking keys up in r.
func verify(t testing.TB, r *mockdns.Resolver, msg []byte) []*dkim.Verification {
	t.Helper()
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(msg), &dkim.VerifyOptions{
		LookupTXT: func(name string) ([]string, error) {
			return r.LookupTXT(context.Background(), name)
		},
	})
	if err != nil {
		t.Fatalf("verify: %v", err)
	}
	return vs
}

// zoneTXTStrings parses a TXT record in zone-file syntax with miekg/dns and
// returns its character-strings as they go on the wire.
func zoneTXTStrings(t testing.TB, line string) []string {
	t.Helper()
	rr, err := dns.NewRR(line)
	if err != nil {
		t.Fatalf("miekg/dns rejects %s: %v", line, err)
	}
	buf := make([]byte, dns.Len(rr))
	end, err := dns.PackRR(rr, buf, 0, nil, false)
	if err != nil {
		t.Fatalf("pack %s: %v", line, err)
	}
	rdata := buf[end-int(rr.Header().Rdlength) : end]
	var strs []string
	for len(rdata) > 0 {
		n := int(rdata[0])
		strs = append(strs, string(rdata[1:1+n]))
		rdata = rdata[1+n:]
	}
	return strs
}
