package dkimsign

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestLoadMissingDirectoryHasNoKeys(t *testing.T) {
	t.Parallel()
	s := load(t, filepath.Join(t.TempDir(), "absent"))
	if len(s.Domains()) != 0 || len(s.Keys()) != 0 {
		t.Fatalf("keys from nothing: %v", s.Keys())
	}
}

func TestLoadSkipsDotEntries(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	k := generate(t, data, testDomain, "mn1", Ed25519)
	writeFile(t, filepath.Join(data, "dkim", ".git", "config"), "x")
	writeFile(t, filepath.Join(data, "dkim", testDomain, ".mn1.ed25519.pem.swp"), "x")
	writeFile(t, filepath.Join(data, "dkim", testDomain, "..data", "x"), "x")
	keys := load(t, data).Keys()
	if len(keys) != 1 || keys[0].Selector != k.Selector {
		t.Fatalf("keys: %v", keys)
	}
}

// TestLoadNamesBadFiles puts one bad entry next to a good key and checks
// that Load fails with an *fs.PathError naming that entry.
func TestLoadNamesBadFiles(t *testing.T) {
	t.Parallel()
	_, edPriv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(edPriv)
	if err != nil {
		t.Fatal(err)
	}
	edPEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	tests := []struct {
		name    string
		file    string // relative to DATA/dkim
		content string
	}{
		{"not PEM", testDomain + "/mn2.ed25519.pem", "not a key\n"},
		{"PKCS #1 block", testDomain + "/mn2.ed25519.pem", string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: der}))},
		{"corrupt DER", testDomain + "/mn2.ed25519.pem", string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der[:20]}))},
		{"two blocks", testDomain + "/mn2.ed25519.pem", edPEM + edPEM},
		{"algorithm mismatch", testDomain + "/mn2.rsa.pem", edPEM},
		{"unknown algorithm", testDomain + "/mn2.dsa.pem", edPEM},
		{"no algorithm", testDomain + "/mn2.pem", edPEM},
		{"not .pem", testDomain + "/mn2.ed25519.key", edPEM},
		{"upper-case selector", testDomain + "/MN2.ed25519.pem", edPEM},
		{"same selector", testDomain + "/mn1.rsa.pem", edPEM},
		{"key outside a domain", "mn2.ed25519.pem", edPEM},
		{"upper-case domain", "Mailnet.Test/mn2.ed25519.pem", edPEM},
		{"single-label domain", "localhost/mn2.ed25519.pem", edPEM},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data := t.TempDir()
			generate(t, data, testDomain, "mn1", Ed25519)
			path := filepath.Join(data, "dkim", filepath.FromSlash(tc.file))
			writeFile(t, path, tc.content)
			if dir := filepath.Dir(path); filepath.Base(dir) != testDomain && dir != filepath.Join(data, "dkim") {
				path = dir // a bad domain directory is named, not its files
			}
			_, err := Load(data)
			var pe *fs.PathError
			if !errors.As(err, &pe) || pe.Path != path {
				t.Fatalf("Load = %v, want an *fs.PathError for %s", err, path)
			}
		})
	}
}

func TestLoadReportsEveryBadFile(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	bad := []string{
		filepath.Join(data, "dkim", "a.example", "mn1.rsa.pem"),
		filepath.Join(data, "dkim", "b.example", "mn1.ed25519.pem"),
	}
	for _, p := range bad {
		writeFile(t, p, "garbage")
	}
	_, err := Load(data)
	var named []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		var pe *fs.PathError
		if errors.As(e, &pe) {
			named = append(named, pe.Path)
		}
	}
	if !slices.Equal(named, bad) {
		t.Fatalf("Load named %v, want %v (%v)", named, bad, err)
	}
}

func writeFile(t testing.TB, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}
