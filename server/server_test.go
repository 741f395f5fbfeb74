package server

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailnet/conf"
	"mailnet/server/control"
	"mailnet/server/tlsconf"
	"mailnet/storage"
)

// TestStartServesEveryListenerAndShutsDown starts the whole server on
// ephemeral ports and checks each listener greets, the control socket
// answers, and Shutdown stops everything.
func TestStartServesEveryListenerAndShutsDown(t *testing.T) {
	t.Parallel()
	cfg := conf.Default()
	cfg.DataDir = t.TempDir()
	any := conf.Addr{AddrPort: netip.MustParseAddrPort("127.0.0.1:0")}
	cfg.Listen = conf.Listen{SMTP: any, Submission: any, Submissions: any, IMAP: any, IMAPS: any, HTTP: any}
	db, err := storage.Open(filepath.Join(cfg.DataDir, "mailnet.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv, err := New(cfg, db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	loginURL := "http://" + srv.Addr("http").String() + "/login"
	if resp, err := http.Get(loginURL); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %v %v", loginURL, resp, err)
	} else {
		resp.Body.Close()
	}
	greetings := map[string]string{"smtp": "220 ", "submission": "220 ", "imap": "* OK"}
	for name, want := range greetings {
		addr := srv.Addr(name)
		if addr == nil {
			t.Fatalf("%s: no address", name)
		}
		c, err := net.DialTimeout("tcp", addr.String(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		line, err := bufio.NewReader(c).ReadString('\n')
		c.Close()
		if err != nil || !strings.HasPrefix(line, want) {
			t.Fatalf("%s greeting = %q, %v", name, line, err)
		}
	}
	for _, name := range []string{"submissions", "imaps"} {
		if srv.Addr(name) == nil {
			t.Fatalf("%s not listening", name)
		}
	}
	client, err := control.Dial(control.SocketPath(cfg.DataDir))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.Users(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := net.DialTimeout("tcp", srv.Addr("smtp").String(), time.Second); err == nil {
		t.Fatal("SMTP still accepting after Shutdown")
	}
	if _, err := control.Dial(control.SocketPath(cfg.DataDir)); err == nil {
		t.Fatal("control socket still answering after Shutdown")
	}
	if _, err := http.Get(loginURL); err == nil {
		t.Fatal("web still answering after Shutdown")
	}
}

// TestWebServesHTTPSWithMailCertificate: with a configured certificate the
// dashboard speaks HTTPS with it, and its session cookie is Secure.
func TestWebServesHTTPSWithMailCertificate(t *testing.T) {
	t.Parallel()
	cfg := conf.Default()
	cfg.DataDir = t.TempDir()
	certPEM, keyPEM, err := tlsconf.SelfSigned("localhost", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cfg.TLS.CertFile, cfg.TLS.KeyFile = filepath.Join(cfg.DataDir, "cert.pem"), filepath.Join(cfg.DataDir, "key.pem")
	if err := errors.Join(os.WriteFile(cfg.TLS.CertFile, certPEM, 0o600), os.WriteFile(cfg.TLS.KeyFile, keyPEM, 0o600)); err != nil {
		t.Fatal(err)
	}
	cfg.Listen = conf.Listen{HTTP: conf.Addr{AddrPort: netip.MustParseAddrPort("127.0.0.1:0")}}
	db, err := storage.Open(filepath.Join(cfg.DataDir, "mailnet.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv, err := New(cfg, db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "localhost"}}}
	resp, err := client.Get("https://" + srv.Addr("http").String() + "/login")
	if err != nil {
		t.Fatalf("HTTPS GET /login: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.TLS == nil {
		t.Fatalf("HTTPS GET /login: %s, TLS %v", resp.Status, resp.TLS != nil)
	}
	for _, c := range resp.Cookies() {
		if !c.Secure || !c.HttpOnly {
			t.Errorf("cookie %s over HTTPS: Secure %v, HttpOnly %v", c.Name, c.Secure, c.HttpOnly)
		}
	}
	// A plain request to the TLS port gets net/http's 400, never a page.
	if plain, err := http.Get("http://" + srv.Addr("http").String() + "/login"); err == nil {
		plain.Body.Close()
		if plain.StatusCode == http.StatusOK {
			t.Fatal("plain HTTP served by the HTTPS listener")
		}
	}
}

// TestNewRefusesBrokenTemplate: a template of sla.templates_dir that does
// not parse stops the server at start, and the error names the file.
func TestNewRefusesBrokenTemplate(t *testing.T) {
	t.Parallel()
	cfg := conf.Default()
	cfg.DataDir = t.TempDir()
	cfg.SLA.TemplatesDir = t.TempDir()
	bad := filepath.Join(cfg.SLA.TemplatesDir, "alert.txt")
	if err := os.WriteFile(bad, []byte("Subject: x\n\n{{.Client"), 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(filepath.Join(cfg.DataDir, "mailnet.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := New(cfg, db, slog.New(slog.DiscardHandler)); err == nil || !strings.Contains(err.Error(), bad) {
		t.Fatalf("New: %v, want an error naming %s", err, bad)
	}
}
