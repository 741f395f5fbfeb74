package server

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"mailnet/conf"
	"mailnet/storage"
)

// TestAutoconfigHandlerAnnouncesPublicPorts: the server's autoconfig
// handler announces the [public] host and ports, else the listeners'.
func TestAutoconfigHandlerAnnouncesPublicPorts(t *testing.T) {
	t.Parallel()
	cfg := conf.Default()
	cfg.DataDir = t.TempDir()
	cfg.Public = conf.Public{Host: "mail.mailnet.test", IMAPSPort: 993, SubmissionsPort: 465}
	cfg.Listen.IMAP = conf.Addr{}
	db, err := storage.Open(filepath.Join(cfg.DataDir, "mailnet.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	srv, err := New(cfg, db, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodGet, "/mail/config-v1.1.xml?emailaddress=marie@mailnet.test", nil)
	rec := httptest.NewRecorder()
	srv.AutoconfigHandler().ServeHTTP(rec, req)
	body := rec.Body.String()
	for _, want := range []string{"<hostname>mail.mailnet.test</hostname>", "<port>993</port>", "<port>465</port>", "<port>2587</port>"} {
		if !strings.Contains(body, want) {
			t.Errorf("no %s in\n%s", want, body)
		}
	}
	if strings.Contains(body, "<port>1143</port>") {
		t.Errorf("disabled IMAP listener announced:\n%s", body)
	}
	req = httptest.NewRequest(http.MethodGet, "/mail/config-v1.1.xml?emailaddress=jean@example.org", nil)
	rec = httptest.NewRecorder()
	srv.AutoconfigHandler().ServeHTTP(rec, req)
	if rec.Code != http.StatusNotFound {
		t.Errorf("foreign domain: %d, want 404", rec.Code)
	}
}
