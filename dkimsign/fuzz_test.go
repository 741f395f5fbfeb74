package dkimsign

import (
	"bytes"
	"errors"
	"testing"
)

// FuzzSign checks, for any input, that Sign does not panic, that it fails
// only with ErrMalformed, that an unsigned message is returned unchanged,
// and that a signed one is the input with signatures before it that
// go-msgauth verifies against the published records. The keys are Ed25519
// only, for speed: header and body handling do not depend on the
// algorithm.
func FuzzSign(f *testing.F) {
	for _, raw := range []string{
		testMessage,
		"From: a@example.org\r\n\r\n",
		"From: a@agence.example.fr, b@agence.example.fr\r\nTo: x\r\n\r\nbody",
		"From: =?utf-8?q?=C3=A9?= <a@agence.example.fr>\r\nFrom: b@mailnet.test\r\n\r\n \t \r\n\r\n",
		"DKIM-Signature: v=1; a=rsa-sha256; d=x; s=y; h=from; bh=; b=\r\nFrom: a@mailnet.test\r\n\r\nx",
		"Subject: x\nFrom:a@mailnet.test\n \n\nbody\r\nline  \t\r\n\r\n",
		"From : a@agence.example.fr\r\nno colon\r\n\r\n",
		"\r\nbody only\r\n",
		" continuation\r\n\r\n",
		"From: a@mailnet.test\r\r\n\r\n\r",
	} {
		f.Add([]byte(raw))
	}
	data := f.TempDir()
	keys := []Key{
		generate(f, data, testDomain, "mn1", Ed25519),
		generate(f, data, testDomain, "mn2", Ed25519),
		generate(f, data, "agence.example.fr", "mn1", Ed25519),
	}
	s := load(f, data)
	r := publish(f, keys...)
	f.Fuzz(func(t *testing.T, raw []byte) {
		in := bytes.Clone(raw)
		signed, ok, err := s.Sign(raw, "bounce@mailnet.test")
		if !bytes.Equal(raw, in) {
			t.Fatal("Sign modified its input")
		}
		switch {
		case err != nil:
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Sign(%q): %v", raw, err)
			}
			return
		case !ok:
			t.Fatalf("Sign(%q) did not sign, with a key for the envelope domain", raw)
		case !bytes.HasSuffix(signed, raw):
			t.Fatalf("Sign(%q) changed the message", raw)
		}
		// One signature per key of the signing domain.
		n := bytes.Count(signed[:len(signed)-len(raw)], []byte("\r\nDKIM-Signature:")) + 1
		vs := verify(t, r, signed)
		if n != 1 && n != 2 || len(vs) < n {
			t.Fatalf("Sign(%q): %d signatures, %d verifications", raw, n, len(vs))
		}
		for _, v := range vs[:n] {
			if v.Err != nil {
				t.Fatalf("Sign(%q) by %s does not verify: %v\n%s", raw, v.Domain, v.Err, signed)
			}
		}
	})
}
