package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestLoadOrCreateReusesCertificate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	first, err := LoadOrCreate(dir, "localhost", now)
	if err != nil {
		t.Fatal(err)
	}
	second, err := LoadOrCreate(dir, "localhost", now.Add(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if string(first.Certificate[0]) != string(second.Certificate[0]) {
		t.Fatal("certificate was regenerated instead of reused")
	}
	info, err := os.Stat(filepath.Join(dir, SelfSignedKey))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Fatalf("key mode = %v, want 0600", info.Mode().Perm())
	}
	leaf, err := x509.ParseCertificate(first.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := leaf.VerifyHostname("127.0.0.1"); err != nil {
		t.Fatalf("localhost certificate does not cover 127.0.0.1: %v", err)
	}
}

func TestLoadOrCreateReplacesForOtherHost(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	now := time.Now()
	if _, err := LoadOrCreate(dir, "localhost", now); err != nil {
		t.Fatal(err)
	}
	cert, err := LoadOrCreate(dir, "mail.example.org", now)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := leaf.VerifyHostname("mail.example.org"); err != nil {
		t.Fatal(err)
	}
}

func TestConfigRefusesOldTLS(t *testing.T) {
	t.Parallel()
	if got := Config(tls.Certificate{}, tls.VersionTLS10).MinVersion; got != tls.VersionTLS12 {
		t.Fatalf("MinVersion = %x, want TLS 1.2", got)
	}
}
