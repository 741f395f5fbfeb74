package autoconfig

import (
	"encoding/xml"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// Config is what the Handler announces.
type Config struct {
	// Domains are the mail domains served; a request for any other gets
	// 404.
	Domains []string
	// Host is the host name clients connect to.
	Host string
	// Ports as clients see them; 0 leaves the service out.
	IMAPPort, IMAPSPort, SubmissionPort, SubmissionsPort int
}

// Handler serves the clientConfig document for the domain of a request.
// It answers at whatever path it is mounted. It is safe for concurrent
// use.
type Handler struct {
	cfg Config
}

var _ http.Handler = (*Handler)(nil)

// New returns a Handler announcing cfg. The caller must not modify
// cfg.Domains afterwards.
func New(cfg Config) *Handler {
	return &Handler{cfg: cfg}
}

// Values of the document's fields (Thunderbird's autoconfig format).
const (
	socketSSL      = "SSL"
	socketSTARTTLS = "STARTTLS"
	authCleartext  = "password-cleartext" // inside TLS only: every server we announce has it
	userAddress    = "%EMAILADDRESS%"
)

// ServeHTTP answers GET and HEAD with the document for the requested
// domain: 200 with XML, 400 for an emailaddress without a domain, 404 for
// a domain that is not ours, 405 for other methods.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	domain, ok := requestDomain(r)
	if !ok {
		http.Error(w, "bad email address", http.StatusBadRequest)
		return
	}
	domain, ok = h.local(domain)
	if !ok {
		http.NotFound(w, r)
		return
	}
	body, err := xml.MarshalIndent(h.document(domain), "", "  ")
	if err != nil { // cannot happen with these types; answer plainly if it does
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Length", strconv.Itoa(len(xml.Header)+len(body)+1))
	if r.Method == http.MethodHead {
		return
	}
	// A write error means the client left; there is nobody to tell.
	_, _ = w.Write(append(append([]byte(xml.Header), body...), '\n'))
}

// requestDomain returns the domain the request is about: that of the
// emailaddress parameter if present (false if it has none), else the
// Host without port and without a leading "autoconfig.".
func requestDomain(r *http.Request) (string, bool) {
	if q := r.URL.Query(); q.Has("emailaddress") {
		addr := q.Get("emailaddress")
		at := strings.LastIndexByte(addr, '@')
		if at <= 0 || at == len(addr)-1 {
			return "", false
		}
		return addr[at+1:], true
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	return strings.TrimPrefix(host, "autoconfig."), true
}

// local returns our spelling of domain if it is one of ours.
func (h *Handler) local(domain string) (string, bool) {
	domain = strings.TrimSuffix(domain, ".")
	for _, d := range h.cfg.Domains {
		if strings.EqualFold(d, domain) {
			return d, true
		}
	}
	return "", false
}

// document builds the answer for one of our domains.
func (h *Handler) document(domain string) clientConfig {
	p := provider{ID: domain, Domains: h.cfg.Domains, DisplayName: domain, ShortName: strings.SplitN(domain, ".", 2)[0]}
	add := func(list *[]server, typ string, port int, socket string) {
		if port != 0 {
			*list = append(*list, server{Type: typ, Hostname: h.cfg.Host, Port: port, SocketType: socket,
				Authentication: authCleartext, Username: userAddress})
		}
	}
	add(&p.Incoming, "imap", h.cfg.IMAPSPort, socketSSL)
	add(&p.Incoming, "imap", h.cfg.IMAPPort, socketSTARTTLS)
	add(&p.Outgoing, "smtp", h.cfg.SubmissionsPort, socketSSL)
	add(&p.Outgoing, "smtp", h.cfg.SubmissionPort, socketSTARTTLS)
	return clientConfig{Version: "1.1", Provider: p}
}
