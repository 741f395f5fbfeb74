package dkimsign

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

// signBoth returns a signer with an Ed25519 and an RSA key for testDomain,
// and a resolver publishing both.
func signBoth(t *testing.T) (*Signer, []Key) {
	t.Helper()
	data := t.TempDir()
	keys := []Key{
		generate(t, data, testDomain, "mn1-ed25519", Ed25519),
		generate(t, data, testDomain, "mn1-rsa", RSA),
	}
	return load(t, data), keys
}

func TestSignVerifiesWithBothKeys(t *testing.T) {
	t.Parallel()
	s, keys := signBoth(t)
	raw := []byte(testMessage)
	signed, ok, err := s.Sign(raw, "marie.dupont@mailnet.test")
	if err != nil || !ok {
		t.Fatalf("Sign: ok %v, %v", ok, err)
	}
	if !bytes.HasSuffix(signed, raw) || string(raw) != testMessage {
		t.Fatal("the message is not the suffix of the signed message, or was modified")
	}
	if !bytes.HasPrefix(signed, []byte("DKIM-Signature:")) || !bytes.Contains(signed, []byte("a=ed25519-sha256")) || !bytes.Contains(signed, []byte("a=rsa-sha256")) {
		t.Fatalf("signatures:\n%s", signed[:len(signed)-len(raw)])
	}
	if i, j := bytes.Index(signed, []byte("a=ed25519-sha256")), bytes.Index(signed, []byte("a=rsa-sha256")); i > j {
		t.Error("the RSA signature comes first")
	}
	vs := verify(t, publish(t, keys...), signed)
	if len(vs) != 2 {
		t.Fatalf("%d signatures, want 2", len(vs))
	}
	wantH := []string{"From", "From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"}
	for _, v := range vs {
		if v.Err != nil || v.Domain != testDomain {
			t.Errorf("signature by %s: %v", v.Domain, v.Err)
		}
		if !slices.Equal(v.HeaderKeys, wantH) {
			t.Errorf("h=%v, want %v", v.HeaderKeys, wantH)
		}
	}
	if !bytes.Contains(signed, []byte("c=relaxed/relaxed")) || bytes.Contains(signed, []byte(" x=")) || bytes.Contains(signed, []byte(" l=")) {
		t.Errorf("signature tags:\n%s", signed[:len(signed)-len(raw)])
	}
}

// TestSignDetectsTampering checks that changes after signing break both
// signatures, and that unsigned fields may still be added.
func TestSignDetectsTampering(t *testing.T) {
	t.Parallel()
	s, keys := signBoth(t)
	r := publish(t, keys...)
	signed, _, err := s.Sign([]byte(testMessage), "")
	if err != nil {
		t.Fatal(err)
	}
	sig, msg, _ := strings.Cut(string(signed), "From: ")
	msg = "From: " + msg
	tests := []struct {
		name   string
		edit   func(string) string
		verify bool
	}{
		{"unchanged", func(m string) string { return m }, true},
		{"received field added", func(m string) string { return "Received: from x by y; Mon, 6 Jul 2026 10:00:01 +0200\r\n" + m }, true},
		{"whitespace refolded", func(m string) string { return strings.Replace(m, "Subject: Votre", "Subject:\r\n\tVotre ", 1) }, true},
		{"body changed", func(m string) string { return strings.Replace(m, "confirmé", "annulé", 1) }, false},
		{"body appended", func(m string) string { return m + "P.S.\r\n" }, false},
		{"subject changed", func(m string) string { return strings.Replace(m, "rendez-vous\r\n", "rendez-vous annulé\r\n", 1) }, false},
		{"from added on top", func(m string) string { return "From: boss@mailnet.test\r\n" + m }, false},
		{"from added below", func(m string) string { return strings.Replace(m, "X-Mailer", "From: boss@mailnet.test\r\nX-Mailer", 1) }, false},
		{"from replaced", func(m string) string { return strings.Replace(m, "marie.dupont@", "boss@", 1) }, false},
		{"cc added", func(m string) string { return strings.Replace(m, "X-Mailer", "Cc: x@example.org\r\nX-Mailer", 1) }, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			vs := verify(t, r, []byte(sig+tc.edit(msg)))
			for _, v := range vs {
				if (v.Err == nil) != tc.verify {
					t.Errorf("verification: %v, want pass %v", v.Err, tc.verify)
				}
			}
		})
	}
}

func TestSignChoosesDomain(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	keys := []Key{
		generate(t, data, testDomain, "mn1", Ed25519),
		generate(t, data, "agence.example.fr", "mn1", Ed25519),
	}
	s := load(t, data)
	r := publish(t, keys...)
	if got := s.Domains(); !slices.Equal(got, []string{"agence.example.fr", testDomain}) {
		t.Fatalf("Domains() = %v", got)
	}
	tests := []struct {
		name, from, envelope string
		want                 string // signing domain, "" for unsigned
	}{
		{"from domain", "From: <a@agence.example.fr>", "bounce@mailnet.test", "agence.example.fr"},
		{"from domain in upper case", "From: A <a@AGENCE.Example.FR>", "", "agence.example.fr"},
		{"folded from with encoded name", "From: =?x-unknown?q?Ren=E9?=\r\n <a@agence.example.fr>", "", "agence.example.fr"},
		{"from without key", "From: a@example.org", "b@MAILNET.test", testDomain},
		{"two from addresses", "From: a@agence.example.fr, b@agence.example.fr", "b@mailnet.test", testDomain},
		{"two from fields", "From: a@agence.example.fr\r\nFrom: b@agence.example.fr", "b@mailnet.test", testDomain},
		{"from group", "From: team:;", "<b@mailnet.test>", testDomain},
		{"no from", "", "b@mailnet.test", testDomain},
		{"unparsable from", "From: a@", "b@mailnet.test", testDomain},
		{"no key", "From: a@example.org", "b@example.org", ""},
		{"null sender", "From: a@example.org", "", ""},
		{"subdomain", "From: a@sub.mailnet.test", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			raw := []byte("Subject: x\r\n" + tc.from + "\r\n\r\nbody\r\n")
			if tc.from == "" {
				raw = []byte("Subject: x\r\n\r\nbody\r\n")
			}
			signed, ok, err := s.Sign(raw, tc.envelope)
			if err != nil {
				t.Fatal(err)
			}
			if tc.want == "" {
				if ok || !bytes.Equal(signed, raw) {
					t.Fatalf("signed without a key: ok %v\n%s", ok, signed)
				}
				return
			}
			vs := verify(t, r, signed)
			if !ok || len(vs) != 1 || vs[0].Err != nil || vs[0].Domain != tc.want {
				t.Fatalf("ok %v, verifications %+v, want one by %s", ok, vs, tc.want)
			}
		})
	}
}

func TestSignWithoutKeys(t *testing.T) {
	t.Parallel()
	raw := []byte(testMessage)
	for _, s := range []*Signer{nil, load(t, t.TempDir())} {
		signed, ok, err := s.Sign(raw, "marie.dupont@mailnet.test")
		if err != nil || ok || !bytes.Equal(signed, raw) {
			t.Fatalf("Sign without keys: ok %v, %v", ok, err)
		}
		if len(s.Domains()) != 0 || len(s.Keys()) != 0 {
			t.Fatal("keys from nothing")
		}
	}
}

func TestSignRejectsMalformed(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	generate(t, data, testDomain, "mn1", Ed25519)
	s := load(t, data)
	tests := []struct {
		name string
		raw  string
		ok   bool
	}{
		{"continuation first", " Subject: x\r\n\r\nbody\r\n", false},
		{"tab first", "\tx\r\nSubject: x\r\n\r\nbody\r\n", false},
		{"no empty line", "Subject: x\r\nTo: b@example.org\r\n", false},
		{"no line end", "Subject: x", false},
		{"empty", "", false},
		{"no header", "\r\nbody\r\n", true},
		{"empty body", "From: a@mailnet.test\r\n\r\n", true},
		{"bare LF", "From: a@mailnet.test\nSubject: x\n\nbody\n", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, ok, err := s.Sign([]byte(tc.raw), "a@mailnet.test")
			if ok != tc.ok || (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrMalformed)) {
				t.Fatalf("Sign(%q): ok %v, %v", tc.raw, ok, err)
			}
			// Without a key, there is nothing to refuse.
			signed, ok, err := s.Sign([]byte(tc.raw), "a@example.org")
			if !tc.ok && (ok || err != nil || string(signed) != tc.raw) {
				t.Fatalf("Sign(%q) for a domain without key: ok %v, %v", tc.raw, ok, err)
			}
		})
	}
}
