package autoconfig_test

import (
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"

	"mailnet/server/autoconfig"
)

// The document as Thunderbird reads it, declared apart from the package's
// own types so that a wrong tag there shows here.
type clientConfig struct {
	XMLName  xml.Name `xml:"clientConfig"`
	Version  string   `xml:"version,attr"`
	Provider struct {
		ID          string   `xml:"id,attr"`
		Domains     []string `xml:"domain"`
		DisplayName string   `xml:"displayName"`
		ShortName   string   `xml:"displayShortName"`
		Incoming    []server `xml:"incomingServer"`
		Outgoing    []server `xml:"outgoingServer"`
	} `xml:"emailProvider"`
}

type server struct {
	Type           string `xml:"type,attr"`
	Hostname       string `xml:"hostname"`
	Port           int    `xml:"port"`
	SocketType     string `xml:"socketType"`
	Authentication string `xml:"authentication"`
	Username       string `xml:"username"`
}

var production = autoconfig.Config{
	Domains:  []string{"pole-emploi.test", "agence.test"},
	Host:     "mail.pole-emploi.test",
	IMAPPort: 143, IMAPSPort: 993, SubmissionPort: 587, SubmissionsPort: 465,
}

// get requests target with the given Host from h.
func get(h http.Handler, method, host, target string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(method, target, nil)
	req.Host = host
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestAutoconfigDocument(t *testing.T) {
	t.Parallel()
	h := autoconfig.New(production)
	tests := []struct {
		name, host, target, domain string
	}{
		{"autoconfig host with address", "autoconfig.agence.test", "/mail/config-v1.1.xml?emailaddress=marie%40agence.test", "agence.test"},
		{"well-known with address", "agence.test", "/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=Marie@AGENCE.test", "agence.test"},
		{"autoconfig host alone, with port", "AutoConfig.Pole-Emploi.test:443", "/mail/config-v1.1.xml", "pole-emploi.test"},
		{"domain host alone", "pole-emploi.test.", "/.well-known/autoconfig/mail/config-v1.1.xml", "pole-emploi.test"},
		{"address wins over host", "autoconfig.agence.test", "/mail/config-v1.1.xml?emailaddress=paul@pole-emploi.test", "pole-emploi.test"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := get(h, http.MethodGet, tc.host, tc.target)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d: %s", rec.Code, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/xml") {
				t.Errorf("Content-Type %q", ct)
			}
			if !strings.HasPrefix(rec.Body.String(), `<?xml version="1.0" encoding="UTF-8"?>`) {
				t.Errorf("no XML declaration: %.60q", rec.Body.String())
			}
			var doc clientConfig
			if err := xml.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
				t.Fatal(err)
			}
			p := doc.Provider
			if doc.Version != "1.1" || p.ID != tc.domain || p.DisplayName != tc.domain || p.ShortName != strings.Split(tc.domain, ".")[0] {
				t.Errorf("version %q, provider id %q, names %q %q; want 1.1 and %s", doc.Version, p.ID, p.DisplayName, p.ShortName, tc.domain)
			}
			if !slices.Equal(p.Domains, production.Domains) {
				t.Errorf("domains %q, want %q", p.Domains, production.Domains)
			}
			wantIn := []server{
				{"imap", "mail.pole-emploi.test", 993, "SSL", "password-cleartext", "%EMAILADDRESS%"},
				{"imap", "mail.pole-emploi.test", 143, "STARTTLS", "password-cleartext", "%EMAILADDRESS%"},
			}
			wantOut := []server{
				{"smtp", "mail.pole-emploi.test", 465, "SSL", "password-cleartext", "%EMAILADDRESS%"},
				{"smtp", "mail.pole-emploi.test", 587, "STARTTLS", "password-cleartext", "%EMAILADDRESS%"},
			}
			if !slices.Equal(p.Incoming, wantIn) {
				t.Errorf("incoming %+v\nwant %+v", p.Incoming, wantIn)
			}
			if !slices.Equal(p.Outgoing, wantOut) {
				t.Errorf("outgoing %+v\nwant %+v", p.Outgoing, wantOut)
			}
		})
	}
}

// TestAutoconfigLeavesOutDisabledServices: a port of 0 is not announced.
func TestAutoconfigLeavesOutDisabledServices(t *testing.T) {
	t.Parallel()
	cfg := production
	cfg.IMAPPort, cfg.SubmissionPort = 0, 0
	rec := get(autoconfig.New(cfg), http.MethodGet, "autoconfig.agence.test", "/mail/config-v1.1.xml")
	var doc clientConfig
	if err := xml.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	in, out := doc.Provider.Incoming, doc.Provider.Outgoing
	if len(in) != 1 || in[0].Port != 993 || len(out) != 1 || out[0].Port != 465 {
		t.Fatalf("incoming %+v, outgoing %+v; want 993 and 465 only", in, out)
	}
}

func TestAutoconfigRefusals(t *testing.T) {
	t.Parallel()
	h := autoconfig.New(production)
	tests := []struct {
		name, method, host, target string
		code                       int
	}{
		{"unknown domain by address", http.MethodGet, "autoconfig.agence.test", "/mail/config-v1.1.xml?emailaddress=jean@example.org", http.StatusNotFound},
		{"unknown domain by host", http.MethodGet, "autoconfig.example.org", "/mail/config-v1.1.xml", http.StatusNotFound},
		{"subdomain of ours", http.MethodGet, "x.agence.test", "/mail/config-v1.1.xml", http.StatusNotFound},
		{"address without domain", http.MethodGet, "autoconfig.agence.test", "/mail/config-v1.1.xml?emailaddress=marie", http.StatusBadRequest},
		{"empty address", http.MethodGet, "autoconfig.agence.test", "/mail/config-v1.1.xml?emailaddress=", http.StatusBadRequest},
		{"POST", http.MethodPost, "autoconfig.agence.test", "/mail/config-v1.1.xml", http.StatusMethodNotAllowed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := get(h, tc.method, tc.host, tc.target)
			if rec.Code != tc.code {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.code, rec.Body)
			}
			if strings.Contains(rec.Body.String(), "mail.pole-emploi.test") {
				t.Fatalf("refusal reveals the server: %s", rec.Body)
			}
		})
	}
}

func TestAutoconfigHead(t *testing.T) {
	t.Parallel()
	h := autoconfig.New(production)
	full := get(h, http.MethodGet, "autoconfig.agence.test", "/mail/config-v1.1.xml")
	head := get(h, http.MethodHead, "autoconfig.agence.test", "/mail/config-v1.1.xml")
	if head.Code != http.StatusOK || head.Body.Len() != 0 || head.Header().Get("Content-Length") != full.Header().Get("Content-Length") {
		t.Fatalf("HEAD: %d, body %d bytes, length %q (GET: %q)", head.Code, head.Body.Len(), head.Header().Get("Content-Length"), full.Header().Get("Content-Length"))
	}
	if got := full.Header().Get("Content-Length"); got == "" || got != strconv.Itoa(full.Body.Len()) {
		t.Fatalf("GET Content-Length %q for %d bytes", got, full.Body.Len())
	}
}
