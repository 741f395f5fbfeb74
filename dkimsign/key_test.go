package dkimsign

import (
	"crypto/ed25519"
	"crypto/rsa"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestGenerateWritesPrivateFiles(t *testing.T) {
	t.Parallel()
	data := filepath.Join(t.TempDir(), "data")
	keys := []Key{
		generate(t, data, "Agence.Example.FR.", "MN1-ed25519", Ed25519),
		generate(t, data, "agence.example.fr", "mn1-rsa", RSA),
	}
	for _, k := range keys {
		if k.Domain != "agence.example.fr" {
			t.Errorf("domain %q, want it lower-cased without the final dot", k.Domain)
		}
		fi, err := os.Stat(k.Path(data))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s: mode %v, want 0600", k.Path(data), fi.Mode().Perm())
		}
	}
	if _, ok := keys[0].Signer.(ed25519.PrivateKey); !ok || keys[0].Selector != "mn1-ed25519" {
		t.Errorf("ed25519 key: %T, selector %q", keys[0].Signer, keys[0].Selector)
	}
	if k, ok := keys[1].Signer.(*rsa.PrivateKey); !ok || k.N.BitLen() != 2048 {
		t.Errorf("rsa key: %T, want 2048 bits", keys[1].Signer)
	}
	for _, dir := range []string{data, filepath.Join(data, "dkim"), filepath.Join(data, "dkim", "agence.example.fr")} {
		fi, err := os.Stat(dir)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o700 {
			t.Errorf("%s: mode %v, want 0700", dir, fi.Mode().Perm())
		}
	}

	loaded := load(t, data).Keys()
	if len(loaded) != 2 {
		t.Fatalf("loaded %d keys, want 2", len(loaded))
	}
	for i, k := range loaded {
		want := keys[i]
		if k.Domain != want.Domain || k.Selector != want.Selector || k.Algorithm != want.Algorithm {
			t.Errorf("loaded key %d: %s %s %s, want %s %s %s", i, k.Domain, k.Selector, k.Algorithm, want.Domain, want.Selector, want.Algorithm)
		}
		_, got := DNSRecord(k)
		if _, v := DNSRecord(want); got != v {
			t.Errorf("loaded key %s has another public key", k.Selector)
		}
	}
}

func TestGenerateRefusesExistingSelector(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	k := generate(t, data, testDomain, "mn1", Ed25519)
	before, err := os.ReadFile(k.Path(data))
	if err != nil {
		t.Fatal(err)
	}
	for _, algo := range []Algorithm{Ed25519, RSA} {
		if _, err := Generate(data, testDomain, "mn1", algo); !errors.Is(err, ErrKeyExists) {
			t.Errorf("second %s key with selector mn1: %v, want ErrKeyExists", algo, err)
		}
	}
	after, err := os.ReadFile(k.Path(data))
	if err != nil || string(after) != string(before) {
		t.Fatalf("existing key changed (%v)", err)
	}
	if _, err := os.Stat(Key{Domain: testDomain, Selector: "mn1", Algorithm: RSA}.Path(data)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("rsa file with the same selector: %v", err)
	}
	generate(t, data, testDomain, "mn2", Ed25519)
}

func TestGenerateValidatesNames(t *testing.T) {
	t.Parallel()
	long := "a123456789b123456789c123456789d123456789e123456789f123456789g12"
	tests := []struct {
		name, domain, selector string
		algo                   Algorithm
		want                   error
	}{
		{"dotted selector", "example.org", "2026.jul", Ed25519, nil},
		{"63-byte label", "example.org", long, Ed25519, nil},
		{"single label", "localhost", "mn1", Ed25519, ErrInvalidDomain},
		{"empty domain", "", "mn1", Ed25519, ErrInvalidDomain},
		{"space", "ex ample.org", "mn1", Ed25519, ErrInvalidDomain},
		{"leading hyphen", "-x.example.org", "mn1", Ed25519, ErrInvalidDomain},
		{"empty label", "a..example.org", "mn1", Ed25519, ErrInvalidDomain},
		{"ipv4", "192.0.2.1", "mn1", Ed25519, ErrInvalidDomain},
		{"u-label", "agence.pôle.fr", "mn1", Ed25519, ErrInvalidDomain},
		{"path", "../example.org", "mn1", Ed25519, ErrInvalidDomain},
		{"empty selector", "example.org", "", Ed25519, ErrInvalidSelector},
		{"underscore", "example.org", "mn_1", Ed25519, ErrInvalidSelector},
		{"slash", "example.org", "a/b", Ed25519, ErrInvalidSelector},
		{"trailing hyphen", "example.org", "mn1-", Ed25519, ErrInvalidSelector},
		{"64-byte label", "example.org", long + "x", Ed25519, ErrInvalidSelector},
		{"name over 253", "example.org", long + "." + long + "." + long + "." + long[:50], Ed25519, ErrInvalidSelector},
		{"dsa", "example.org", "mn1", "dsa", ErrUnknownAlgorithm},
		{"upper-case algorithm", "example.org", "mn1", "RSA", ErrUnknownAlgorithm},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Generate(t.TempDir(), tc.domain, tc.selector, tc.algo)
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
				t.Fatalf("Generate(%q, %q, %q) = %v, want %v", tc.domain, tc.selector, tc.algo, err, tc.want)
			}
		})
	}
}
