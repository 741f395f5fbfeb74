package e2e

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/foxcpp/go-mockdns"
)

// Domain and host name of every test server.
const (
	testDomain   = "mailnet.test"
	testHostname = "localhost"
	// remoteDomain is a domain the test servers are not responsible for
	// (RFC 2606 reserves .example).
	remoteDomain = "remote.example"
)

// Time limits.
const (
	buildTimeout = 5 * time.Minute  // go build of the binary
	readyTimeout = 30 * time.Second // from exec to "mailnet started"
	stopTimeout  = 40 * time.Second // from SIGTERM to exit (the server drains SMTP for up to 30s)
	cliTimeout   = 30 * time.Second // one `mailnet user …` command
	testTimeout  = 3 * time.Minute  // one whole test
)

// protos are the listeners every test server opens, named as in its
// "listening" log lines.
var protos = []string{"smtp", "submission", "submissions", "imap", "imaps"}

// mailnetBin is the path of the binary built by TestMain. It is written
// once, before any test runs, and only read afterwards.
var mailnetBin string

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

// runTests builds the binary into a temporary directory, runs the tests
// and removes the directory; it is TestMain without the exit, so that the
// deferred removal runs.
func runTests(m *testing.M) int {
	flag.Parse()
	if testing.Short() {
		fmt.Println("e2e: skipped in -short mode")
		return 0
	}
	dir, err := os.MkdirTemp("", "mailnet-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)
	mailnetBin = filepath.Join(dir, "mailnet")
	if err := buildMailnet(mailnetBin); err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	return m.Run()
}

// buildMailnet builds cmd/mailnet to out, with the race detector when this
// test binary has it.
func buildMailnet(out string) error {
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	args := []string{"build", "-o", out}
	if raceEnabled() {
		args = append(args, "-race")
	}
	args = append(args, "mailnet/cmd/mailnet")
	cmd := exec.CommandContext(ctx, "go", args...)
	if output, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go %s: %w\n%s", strings.Join(args, " "), err, output)
	}
	return nil
}

// raceEnabled reports whether this test binary was built with -race.
func raceEnabled() bool {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range info.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// requireTool returns the path of an external client program. When it is
// missing the test is skipped, or fails if MAILNET_E2E=1 (CI).
func requireTool(t *testing.T, name, aptPackage string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		missingTool(t, name+" not found", aptPackage)
	}
	return path
}

// missingTool skips the test because of problem, or fails it if
// MAILNET_E2E=1 (CI), naming the Debian package that solves it.
func missingTool(t *testing.T, problem, aptPackage string) {
	t.Helper()
	if os.Getenv("MAILNET_E2E") == "1" {
		t.Fatalf("%s (MAILNET_E2E=1 makes this a failure): apt-get install -y %s", problem, aptPackage)
	}
	t.Skipf("%s; install it with `apt-get install -y %s`, and set MAILNET_E2E=1 to make a missing tool fail", problem, aptPackage)
}

// testContext returns a context that ends after d or when the test ends.
func testContext(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), d)
	t.Cleanup(cancel)
	return ctx
}

// server is a `mailnet serve` child process.
type server struct {
	dataDir  string
	confPath string
	addrs    map[string]string // proto → "127.0.0.1:port"; set before startServer returns

	cmd    *exec.Cmd
	log    *serverLog
	exited chan struct{} // closed once cmd.Wait has returned
	err    error         // cmd.Wait's result; read after exited is closed
	stop   func(t *testing.T)
}

// startServer writes a configuration for a new data directory, starts
// `mailnet serve` on it and waits until it is ready. The server is stopped,
// and its exit checked, when the test ends.
func startServer(t *testing.T) *server {
	t.Helper()
	s := newServer(t)
	s.launch(t)
	return s
}

// newServer writes a configuration for a new data directory without
// starting the server, for tests that prepare the data first. The server
// gets a DNS server of its own (see testZones).
func newServer(t *testing.T) *server {
	t.Helper()
	dataDir := t.TempDir()
	dns, err := mockdns.NewServerWithLogger(testZones(), log.New(io.Discard, "", 0), true)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := dns.Close(); err != nil {
			t.Logf("close DNS server: %v", err)
		}
	})
	s := &server{dataDir: dataDir, confPath: filepath.Join(dataDir, "mailnet.toml")}
	if err := os.WriteFile(s.confPath, []byte(testConfig(dataDir, dns.LocalAddr().String())), 0o600); err != nil {
		t.Fatal(err)
	}
	return s
}

// testZones is the DNS the test servers see: authoritative, so every name
// not listed does not exist. remoteDomain's own name fails temporarily
// (SERVFAIL): mail from it passes the sender checks (no DMARC policy, SPF
// temperror), and mail to it stays queued, retried, without ever leaving
// the machine.
func testZones() map[string]mockdns.Zone {
	return map[string]mockdns.Zone{
		remoteDomain + ".": {Err: &net.DNSError{Err: "server failure", IsTemporary: true}},
	}
}

// testConfig is a configuration with every listener on a free loopback
// port and the given DNS server, so that nothing leaves the machine.
func testConfig(dataDir, dnsServer string) string {
	return fmt.Sprintf(`hostname = %q
domains = [%q]
data_dir = %s

[listen]
smtp = "127.0.0.1:0"
submission = "127.0.0.1:0"
submissions = "127.0.0.1:0"
imap = "127.0.0.1:0"
imaps = "127.0.0.1:0"
http = ""

[dns]
servers = [%q]
timeout = "1s"

[log]
level = "info"
`, testHostname, testDomain, strconv.Quote(dataDir), dnsServer)
}

// launch starts the process on s's configuration and waits for readiness.
// It may be called again after s.stop, to restart on the same data.
func (s *server) launch(t *testing.T) {
	t.Helper()
	s.log = newServerLog()
	s.exited = make(chan struct{})
	s.cmd = exec.Command(mailnetBin, "serve", "--config", s.confPath)
	s.cmd.Stdout = s.log
	s.cmd.Stderr = s.log
	s.cmd.Env = append(os.Environ(), "GORACE=exitcode=66")
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start mailnet serve: %v", err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.exited)
	}()
	var once sync.Once
	stop := func(t *testing.T) { once.Do(func() { s.terminate(t) }) }
	s.stop = stop
	t.Cleanup(func() { stop(t) })

	select {
	case <-s.log.ready:
	case <-s.exited:
		t.Fatalf("mailnet serve exited before it was ready: %v\n%s", s.err, s.log)
	case <-time.After(readyTimeout):
		t.Fatalf("mailnet serve not ready after %v:\n%s", readyTimeout, s.log)
	}
	s.addrs = s.log.listening()
	for _, p := range protos {
		if s.addrs[p] == "" {
			t.Fatalf("mailnet serve logged no listening address for %s:\n%s", p, s.log)
		}
	}
}

// terminate sends SIGTERM, waits for the exit and checks that it was
// clean: status 0, a "shutting down" log line, no data race. The server's
// log is shown when the test has failed.
func (s *server) terminate(t *testing.T) {
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		t.Errorf("SIGTERM to mailnet serve: %v", err)
	}
	select {
	case <-s.exited:
	case <-time.After(stopTimeout):
		if err := s.cmd.Process.Kill(); err != nil {
			t.Errorf("kill mailnet serve: %v", err)
		}
		<-s.exited
		t.Errorf("mailnet serve still running %v after SIGTERM; killed", stopTimeout)
	}
	out := s.log.String()
	switch {
	case s.err != nil:
		t.Errorf("mailnet serve exited with %v after SIGTERM, want status 0", s.err)
	case !strings.Contains(out, `msg="shutting down"`):
		t.Errorf("mailnet serve did not log its shutdown")
	}
	if strings.Contains(out, "WARNING: DATA RACE") {
		t.Errorf("mailnet serve reported a data race")
	}
	if t.Failed() {
		t.Logf("mailnet serve log:\n%s", out)
	}
}

// addr returns the "127.0.0.1:port" of a listener.
func (s *server) addr(proto string) string { return s.addrs[proto] }

// port returns the port number of a listener, as a string.
func (s *server) port(proto string) string {
	i := strings.LastIndexByte(s.addrs[proto], ':')
	return s.addrs[proto][i+1:]
}

// certFile is the self-signed certificate the server generated; clients
// trust it as their only CA.
func (s *server) certFile() string { return filepath.Join(s.dataDir, "selfsigned-cert.pem") }

// mailnet runs a `mailnet` command with stdin and returns its standard
// output; the error holds the exit status and the standard error.
func (s *server) mailnet(ctx context.Context, stdin string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, cliTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, mailnetBin, args...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("mailnet %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return stdout.String(), nil
}

// addUser creates an account with the CLI, as an operator would, while
// the server runs: `mailnet user add ADDRESS --password-stdin --data DIR`.
func (s *server) addUser(t *testing.T, ctx context.Context, address, password string) {
	t.Helper()
	out, err := s.mailnet(ctx, password+"\n", "user", "add", address, "--password-stdin", "--data", s.dataDir)
	if err != nil {
		t.Fatal(err)
	}
	if want := "created " + address; !strings.Contains(out, want) {
		t.Fatalf("mailnet user add %s printed %q, want %q", address, out, want)
	}
}

// serverLog collects a server's output and watches it for the listening
// addresses and the readiness line. It is the child's stdout and stderr,
// written by exec's copying goroutines.
type serverLog struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	partial []byte            // an incomplete last line
	addrs   map[string]string // first address logged per proto
	ready   chan struct{}     // closed at `msg="mailnet started"`
	started bool
}

func newServerLog() *serverLog {
	return &serverLog{addrs: map[string]string{}, ready: make(chan struct{})}
}

// Write implements io.Writer.
func (l *serverLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		l.line(string(l.partial[:i]))
		l.partial = l.partial[i+1:]
	}
	return len(p), nil
}

// line interprets one log line of slog's text format, such as
//
//	time=… level=INFO msg=listening proto=imap addr=127.0.0.1:40123
//
// Only the first address of each proto counts: the server logs each
// listener before serving it, and what the SMTP package logs afterwards
// may repeat a proto with another address (submissions as "submission").
func (l *serverLog) line(s string) {
	f := logFields(s)
	switch f["msg"] {
	case "listening":
		if _, seen := l.addrs[f["proto"]]; !seen && f["proto"] != "" {
			l.addrs[f["proto"]] = f["addr"]
		}
	case "mailnet started":
		if !l.started {
			l.started = true
			close(l.ready)
		}
	}
}

// listening returns a copy of the addresses logged so far.
func (l *serverLog) listening() map[string]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]string, len(l.addrs))
	for k, v := range l.addrs {
		out[k] = v
	}
	return out
}

// String returns everything the server wrote.
func (l *serverLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// logFields splits a slog text line into its key=value pairs; values may
// be Go-quoted strings.
func logFields(s string) map[string]string {
	out := map[string]string{}
	for s != "" {
		s = strings.TrimLeft(s, " ")
		key, rest, ok := strings.Cut(s, "=")
		if !ok {
			break
		}
		var val string
		if strings.HasPrefix(rest, `"`) {
			q, err := strconv.QuotedPrefix(rest)
			if err != nil {
				break
			}
			val, _ = strconv.Unquote(q)
			rest = rest[len(q):]
		} else {
			val, rest, _ = strings.Cut(rest, " ")
		}
		out[key] = val
		s = rest
	}
	return out
}
