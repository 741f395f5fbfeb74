package web

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"time"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var assets embed.FS

// pageNames are the pages, each templates/<name>.html over
// templates/layout.html.
var pageNames = []string{"login", "dashboard", "conversation", "error"}

// funcs returns the templates' helper functions; dates show in loc.
func funcs(loc *time.Location) template.FuncMap {
	return template.FuncMap{
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(loc).Format("2006-01-02 15:04")
		},
		"hours": func(h float64) string { return fmt.Sprintf("%.1f h", h) },
	}
}

// parsePages parses every page with the layout; dates show in loc.
func parsePages(loc *time.Location) (map[string]*template.Template, error) {
	pages := map[string]*template.Template{}
	funcs := funcs(loc)
	for _, name := range pageNames {
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("web templates: %w", err)
		}
		pages[name] = t
	}
	return pages, nil
}

// layoutData is what every page gets: the viewer (nil on the login and
// error pages before login) and the page's own data.
type layoutData struct {
	Title  string
	Viewer *viewerData
	Page   any
}

// viewerData is the viewer as the layout shows it.
type viewerData struct {
	Address string
	Name    string
	Role    string
	CSRF    string
	Manager bool
}

func (v *viewer) data() *viewerData {
	if v == nil {
		return nil
	}
	return &viewerData{Address: v.Address, Name: v.Name, Role: string(v.Role), CSRF: v.sess.csrf, Manager: v.isManager()}
}

// render executes a page into a buffer first, so that a template error
// becomes a clean 500 rather than half a page.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page string, v *viewer, data any) {
	var buf bytes.Buffer
	titles := map[string]string{"login": "Log in", "dashboard": "Dashboard", "conversation": "Conversation", "error": "Error"}
	err := s.pages[page].Execute(&buf, layoutData{Title: titles[page], Viewer: v.data(), Page: data})
	if err != nil {
		s.log.Error("web render", "page", page, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	if _, err := w.Write(buf.Bytes()); err != nil {
		s.log.Debug("web write", "path", r.URL.Path, "err", err)
	}
}

// errorPage shows msg with status.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, "error", nil, struct {
		Status int
		Text   string
	}{status, msg})
}

// serverError logs err and shows a generic 500 page.
func (s *Server) serverError(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("web request failed", "path", r.URL.Path, "err", err)
	s.errorPage(w, r, http.StatusInternalServerError, "Something went wrong on the server; it has been logged.")
}

// writeJSON writes v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v) // the client went away: nothing to do
}

// writeJSONError writes {"error": msg} with status.
func writeJSONError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
