package server

import (
	"bufio"
	"context"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailnet/conf"
	"mailnet/server/control"
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
	cfg.Listen = conf.Listen{SMTP: any, Submission: any, Submissions: any, IMAP: any, IMAPS: any}
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
