package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/websocket"
)

// browser is a headless Chromium driven over the DevTools protocol (CDP):
// one page, commands sent one at a time.
type browser struct {
	t    *testing.T
	ws   *websocket.Conn
	next int
}

// devToolsLine is what Chromium prints on standard error once its DevTools
// endpoint listens.
var devToolsLine = regexp.MustCompile(`DevTools listening on (ws://127\.0\.0\.1:(\d+)/\S+)`)

// startChromium runs `chromium --headless --no-sandbox` with a DevTools
// port of its choosing and a fresh profile, and connects to its first
// page. The browser is killed when the test ends.
func startChromium(t *testing.T, ctx context.Context) *browser {
	t.Helper()
	bin := requireTool(t, "chromium", "chromium")
	// The profile is removed here, not by t.TempDir: Chromium's helper
	// processes may still be writing to it for a moment after the browser
	// is killed, which would fail TempDir's cleanup.
	profile, err := os.MkdirTemp("", "mailnet-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-first-run", "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
		"--remote-allow-origins=*", "--user-data-dir="+profile, "--window-size=1280,1600", "about:blank")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // one group: the browser and its helpers
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() {
		if err := syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL); err != nil {
			t.Logf("kill chromium: %v", err)
		}
		_ = cmd.Wait() // killed: its status says so
		for range 50 {
			if os.RemoveAll(profile) == nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
		t.Logf("chromium profile %s left behind", profile)
	})
	port := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		found := false
		for sc.Scan() {
			if m := devToolsLine.FindStringSubmatch(sc.Text()); m != nil && !found {
				found = true
				port <- m[2]
			}
		}
		close(port)
	}()
	var p string
	select {
	case p = <-port:
	case <-ctx.Done():
	}
	if p == "" {
		t.Fatal("chromium printed no DevTools address")
	}
	wsURL := pageTarget(t, ctx, p)
	ws, err := websocket.Dial(wsURL, "", "http://127.0.0.1/")
	if err != nil {
		t.Fatalf("connect to chromium's page %s: %v", wsURL, err)
	}
	t.Cleanup(func() { ws.Close() })
	b := &browser{t: t, ws: ws}
	if deadline, ok := ctx.Deadline(); ok {
		if err := ws.SetDeadline(deadline); err != nil {
			t.Fatal(err)
		}
	}
	return b
}

// pageTarget returns the DevTools WebSocket URL of the browser's page.
func pageTarget(t *testing.T, ctx context.Context, port string) string {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://127.0.0.1:"+port+"/json/list", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("chromium targets: %v", err)
	}
	defer resp.Body.Close()
	var targets []struct {
		Type string `json:"type"`
		URL  string `json:"webSocketDebuggerUrl"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&targets); err != nil {
		t.Fatalf("chromium targets: %v", err)
	}
	for _, tg := range targets {
		if tg.Type == "page" && tg.URL != "" {
			return tg.URL
		}
	}
	t.Fatalf("chromium has no page target: %+v", targets)
	return ""
}

// call sends one CDP command and returns its result, skipping the events
// that arrive meanwhile.
func (b *browser) call(method string, params any) json.RawMessage {
	b.t.Helper()
	res, err := b.try(method, params)
	if err != nil {
		b.t.Fatal(err)
	}
	return res
}

// try is call returning the command's error: a page that is navigating
// may refuse an evaluation ("execution context was destroyed").
func (b *browser) try(method string, params any) (json.RawMessage, error) {
	b.next++
	id := b.next
	if err := websocket.JSON.Send(b.ws, map[string]any{"id": id, "method": method, "params": params}); err != nil {
		return nil, fmt.Errorf("CDP %s: %w", method, err)
	}
	for {
		var msg struct {
			ID     int             `json:"id"`
			Result json.RawMessage `json:"result"`
			Error  *struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		if err := websocket.JSON.Receive(b.ws, &msg); err != nil {
			return nil, fmt.Errorf("CDP %s: %w", method, err)
		}
		if msg.ID != id {
			continue
		}
		if msg.Error != nil {
			return nil, fmt.Errorf("CDP %s: %s", method, msg.Error.Message)
		}
		return msg.Result, nil
	}
}

// eval evaluates a JavaScript expression in the page (DevTools evaluation
// is not subject to the page's Content-Security-Policy) and returns its
// value decoded into out.
func (b *browser) eval(expr string, out any) {
	b.t.Helper()
	if err := b.tryEval(expr, out); err != nil {
		b.t.Fatal(err)
	}
}

// tryEval is eval returning its error.
func (b *browser) tryEval(expr string, out any) error {
	res, err := b.try("Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true})
	if err != nil {
		return err
	}
	var v struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		Exception *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(res, &v); err != nil {
		return err
	}
	if v.Exception != nil {
		return fmt.Errorf("evaluate %s: %s", expr, v.Exception.Text)
	}
	if err := json.Unmarshal(v.Result.Value, out); err != nil {
		return fmt.Errorf("evaluate %s: %w (%s)", expr, err, v.Result.Value)
	}
	return nil
}

// waitFor polls until the page at path has finished loading, or ctx ends.
func (b *browser) waitFor(ctx context.Context, path string) {
	b.t.Helper()
	for {
		var state string
		err := b.tryEval(`location.pathname + " " + document.readyState`, &state)
		if err == nil && state == path+" complete" {
			return
		}
		select {
		case <-ctx.Done():
			b.t.Fatalf("page %s not loaded: last state %q, %v", path, state, err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// navigate opens url and waits until path has loaded.
func (b *browser) navigate(ctx context.Context, url, path string) {
	b.t.Helper()
	b.call("Page.navigate", map[string]any{"url": url})
	b.waitFor(ctx, path)
}

// screenshot saves a PNG of the page to file.
func (b *browser) screenshot(file string) []byte {
	b.t.Helper()
	var shot struct {
		Data []byte `json:"data"` // base64 in JSON
	}
	if err := json.Unmarshal(b.call("Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true}), &shot); err != nil {
		b.t.Fatal(err)
	}
	if err := os.WriteFile(file, shot.Data, 0o600); err != nil {
		b.t.Fatal(err)
	}
	return shot.Data
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}
