package server

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"log/slog"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"
	"github.com/foxcpp/go-mockdns"

	"mailnet/auth"
	"mailnet/conf"
	"mailnet/internal/testutil"
	"mailnet/storage"
)

// TestMetricsHandlerCountsSessions runs MX and IMAP sessions against the
// whole server and checks what its metrics handler reports.
func TestMetricsHandlerCountsSessions(t *testing.T) {
	t.Parallel()
	dns, err := mockdns.NewServerWithLogger(map[string]mockdns.Zone{}, log.New(io.Discard, "", 0), true)
	if err != nil {
		t.Fatal(err)
	}
	defer dns.Close()
	cfg := conf.Default()
	cfg.DataDir = t.TempDir()
	any := conf.Addr{AddrPort: netip.MustParseAddrPort("127.0.0.1:0")}
	cfg.Listen = conf.Listen{SMTP: any, IMAPS: any}
	cfg.DNS.Servers = []string{dns.LocalAddr().String()}
	db, err := storage.Open(filepath.Join(cfg.DataDir, "mailnet.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const marie, password = "marie@mailnet.test", "correct horse battery staple"
	hash, err := auth.HashPasswordParams(password, auth.Params{Memory: 8, Time: 1, Threads: 1, SaltLen: 8, KeyLen: 16})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateAccount(context.Background(), storage.Account{Address: marie, Role: storage.RoleCounsellor, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}
	srv, err := New(cfg, db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Error(err)
		}
	}()

	c, err := smtp.Dial(srv.Addr("smtp").String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	msg := "From: jean@example.org\r\nTo: " + marie + "\r\nSubject: hi\r\nMessage-ID: <1@example.org>\r\n\r\nHello.\r\n"
	if err := c.Hello("client.example.org"); err != nil {
		t.Fatal(err)
	}
	if err := c.Mail("jean@example.org", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt("nobody@mailnet.test", nil); err == nil {
		t.Fatal("unknown recipient accepted")
	}
	if err := c.SendMail("jean@example.org", []string{marie}, strings.NewReader(msg)); err == nil {
		t.Fatal("nested MAIL accepted")
	}
	if err := c.Reset(); err != nil {
		t.Fatal(err)
	}
	if err := c.SendMail("jean@example.org", []string{marie}, strings.NewReader(msg)); err != nil {
		t.Fatal(err)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}

	for _, pw := range []string{"wrong", password} {
		ic, err := imapclient.DialTLS(srv.Addr("imaps").String(), &imapclient.Options{TLSConfig: &tls.Config{InsecureSkipVerify: true}})
		if err != nil {
			t.Fatal(err)
		}
		if err := ic.Login(marie, pw).Wait(); (err == nil) != (pw == password) {
			t.Fatalf("login with %q: %v", pw, err)
		}
		if err := ic.Logout().Wait(); err != nil {
			t.Fatal(err)
		}
		ic.Close()
	}

	var s testutil.Samples
	deadline := time.Now().Add(10 * time.Second)
	for {
		s = testutil.Scrape(t, srv.MetricsHandler())
		if s.Value("mailnet_connections_open") == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	want := []struct {
		name   string
		labels []string
		value  float64
	}{
		{"mailnet_connections_open", nil, 0},
		{"mailnet_connections_total", []string{"proto", "smtp-mx"}, 1},
		{"mailnet_connections_total", []string{"proto", "imap"}, 2},
		{"mailnet_messages_accepted_total", []string{"proto", "smtp-mx"}, 1},
		{"mailnet_messages_rejected_total", []string{"proto", "smtp-mx", "reason", "unknown_user"}, 1},
		{"mailnet_messages_rejected_total", []string{"proto", "smtp-mx", "reason", "protocol"}, 1},
		{"mailnet_logins_total", []string{"proto", "imap", "result", "ok"}, 1},
		{"mailnet_logins_total", []string{"proto", "imap", "result", "failed"}, 1},
		{"mailnet_sla_conversations", nil, 0},
		{"mailnet_queue_messages", nil, 0},
	}
	for _, w := range want {
		if got := s.Value(w.name, w.labels...); got != w.value {
			t.Errorf("%s%v = %v, want %v", w.name, w.labels, got, w.value)
		}
	}
	for _, name := range []string{"mailnet_sla_conversations", "mailnet_queue_messages", "mailnet_storage_file_bytes", "mailnet_storage_commit_duration_seconds_count"} {
		if !s.Has(name) {
			t.Errorf("%s not served", name)
		}
	}
	if s.Value("mailnet_storage_commit_duration_seconds_count") == 0 {
		t.Error("no commit observed, though a message was stored")
	}
}
