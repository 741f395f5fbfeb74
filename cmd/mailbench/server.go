package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/foxcpp/go-mockdns"
)

const (
	// startTimeout bounds the wait for the server's "mailnet started" line.
	startTimeout = 60 * time.Second
	// stopTimeout bounds the wait after SIGTERM (the server drains SMTP
	// sessions for up to 30 s) before the server is killed.
	stopTimeout = 45 * time.Second
	// benchHostname is the server's host name, also the TLS server name.
	benchHostname = "localhost"
	// benchDomain is the mail domain of the benchmark accounts.
	benchDomain = "mailnet.test"
	// certFile is the self-signed certificate the server generates in its
	// data directory.
	certFile = "selfsigned-cert.pem"
)

// listenerNames are the listeners the configuration opens, each logged in a
// "listening" line with its bound address.
var listenerNames = []string{"smtp", "submission", "submissions", "imap", "imaps"}

// benchConfig is the server configuration: every listener on a free
// loopback port, no HTTP, the benchmark's own DNS server; everything else
// keeps its default.
const benchConfig = `hostname = %q
domains = [%q]
data_dir = %q

[listen]
smtp = "127.0.0.1:0"
submission = "127.0.0.1:0"
submissions = "127.0.0.1:0"
imap = "127.0.0.1:0"
imaps = "127.0.0.1:0"
http = ""

[dns]
servers = [%q]
`

// benchZones is what the benchmark's DNS server answers: the sending
// domain publishes SPF for the loopback and a DMARC p=reject policy, as a
// real sender would, so every message delivered to the MX is checked (SPF,
// DMARC with alignment) over real DNS queries; everything else does not
// exist.
func benchZones() map[string]mockdns.Zone {
	return map[string]mockdns.Zone{
		"example.org.":        {TXT: []string{"v=spf1 ip4:127.0.0.1 -all"}},
		"_dmarc.example.org.": {TXT: []string{"v=DMARC1; p=reject"}},
	}
}

// buildServer compiles cmd/mailnet into dir and returns the binary's path.
// It must run inside the mailnet module.
func buildServer(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "mailnet")
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, "mailnet/cmd/mailnet").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build mailnet/cmd/mailnet (run from the module, or give --server): %w\n%s", err, out)
	}
	return bin, nil
}

// serverProc is a mailnet server running as a child process, with its
// standard error copied to a log file and scanned for the listening
// addresses. Stop must be called once started.
type serverProc struct {
	bin, config, dataDir, logPath string
	dns                           *mockdns.Server

	cmd     *exec.Cmd
	started chan struct{} // closed at the "mailnet started" line
	exited  chan struct{} // closed once the process has been waited for

	mu         sync.Mutex
	addrs      map[string]string // listener name → host:port
	warnLines  int               // log lines at WARN
	errorLines int               // log lines at ERROR
	tail       []string          // last lines of the log
	waitErr    error             // the process's exit, valid once exited is closed
}

// maxTail is how many of the server's last log lines an error report shows.
const maxTail = 20

// startServer writes the configuration into dir, starts `bin serve` on
// dir/data and waits until the server has logged that it started.
func startServer(ctx context.Context, bin, dir string) (_ *serverProc, err error) {
	s := &serverProc{
		bin:     bin,
		config:  filepath.Join(dir, "mailnet.toml"),
		dataDir: filepath.Join(dir, "data"),
		logPath: filepath.Join(dir, "server.log"),
		started: make(chan struct{}),
		exited:  make(chan struct{}),
		addrs:   map[string]string{},
	}
	dns, err := mockdns.NewServerWithLogger(benchZones(), log.New(io.Discard, "", 0), true)
	if err != nil {
		return nil, fmt.Errorf("DNS server: %w", err)
	}
	s.dns = dns
	defer func() {
		if err != nil {
			dns.Close()
		}
	}()
	cfg := fmt.Sprintf(benchConfig, benchHostname, benchDomain, s.dataDir, dns.LocalAddr().String())
	if err := os.WriteFile(s.config, []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	logFile, err := os.Create(s.logPath)
	if err != nil {
		return nil, err
	}
	s.cmd = exec.Command(bin, "serve", "--config", s.config, "--data", s.dataDir)
	s.cmd.Stdout = logFile
	// Its own process group: a Ctrl-C reaches mailbench only, which then
	// stops the server in order.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stderr, err := s.cmd.StderrPipe()
	if err != nil {
		return nil, errors.Join(err, logFile.Close())
	}
	if err := s.cmd.Start(); err != nil {
		return nil, errors.Join(fmt.Errorf("start %s: %w", bin, err), logFile.Close())
	}
	go s.watch(stderr, logFile)
	if err := s.waitStarted(ctx); err != nil {
		return nil, errors.Join(err, s.Stop())
	}
	return s, nil
}

// watch copies the server's log to logFile and scans it until the process
// ends, then waits for the process. It owns logFile.
func (s *serverProc) watch(stderr io.Reader, logFile *os.File) {
	defer close(s.exited)
	sc := bufio.NewScanner(stderr)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var once sync.Once
	var writeErr error
	for sc.Scan() {
		line := sc.Text()
		if writeErr == nil {
			_, writeErr = fmt.Fprintln(logFile, line)
		}
		fields := logfmtFields(line)
		s.mu.Lock()
		if name, addr, ok := parseListening(fields); ok {
			s.addrs[name] = addr
		}
		switch fields["level"] {
		case "WARN":
			s.warnLines++
		case "ERROR":
			s.errorLines++
		}
		s.tail = append(s.tail, line)
		if len(s.tail) > maxTail {
			s.tail = s.tail[len(s.tail)-maxTail:]
		}
		s.mu.Unlock()
		if fields["msg"] == "mailnet started" {
			once.Do(func() { close(s.started) })
		}
	}
	// A scan error (a line over 1 MiB) leaves the pipe unread: drain it so
	// that the server never blocks on its standard error.
	_, drainErr := io.Copy(io.Discard, stderr)
	err := s.cmd.Wait()
	s.mu.Lock()
	s.waitErr = errors.Join(err, sc.Err(), drainErr, writeErr, logFile.Close())
	s.mu.Unlock()
}

// waitStarted waits for the "mailnet started" line and checks that every
// listener's address was logged before it.
func (s *serverProc) waitStarted(ctx context.Context) error {
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case <-s.started:
	case <-s.exited:
		return fmt.Errorf("server exited at start-up: %v\n%s", s.exitErr(), s.Tail())
	case <-timer.C:
		return fmt.Errorf("server not started after %v\n%s", startTimeout, s.Tail())
	case <-ctx.Done():
		return ctx.Err()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, name := range listenerNames {
		if s.addrs[name] == "" {
			return fmt.Errorf("server started without logging its %s address", name)
		}
	}
	return nil
}

// PID returns the server's process ID.
func (s *serverProc) PID() int { return s.cmd.Process.Pid }

// Addr returns the bound address of the named listener ("smtp", "imap", …).
func (s *serverProc) Addr(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addrs[name]
}

// LogCounts returns how many lines the server has logged at WARN and at
// ERROR.
func (s *serverProc) LogCounts() (warnings, errs int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.warnLines, s.errorLines
}

// Tail returns the server's last log lines.
func (s *serverProc) Tail() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.tail, "\n")
}

func (s *serverProc) exitErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.waitErr
}

// AddUser creates an account with the mailnet CLI, which reaches the
// running server through its control socket.
func (s *serverProc) AddUser(ctx context.Context, addr, password string) error {
	cmd := exec.CommandContext(ctx, s.bin, "user", "add", addr, "--password-stdin", "--config", s.config, "--data", s.dataDir)
	cmd.Stdin = strings.NewReader(password + "\n")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("mailnet user add %s: %w\n%s", addr, err, bytes.TrimSpace(out))
	}
	return nil
}

// ClientTLS returns a client TLS configuration that trusts only the
// server's generated certificate.
func (s *serverProc) ClientTLS() (*tls.Config, error) {
	pem, err := os.ReadFile(filepath.Join(s.dataDir, certFile))
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no certificate", certFile)
	}
	return &tls.Config{RootCAs: pool, ServerName: benchHostname}, nil
}

// Stop sends SIGTERM, waits for the server to exit (killing it after
// stopTimeout) and returns its exit error. It may be called more than once.
func (s *serverProc) Stop() error {
	defer s.dns.Close()
	select {
	case <-s.exited:
		return s.exitErr()
	default:
	}
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("SIGTERM to server: %w", err)
	}
	timer := time.NewTimer(stopTimeout)
	defer timer.Stop()
	select {
	case <-s.exited:
		return s.exitErr()
	case <-timer.C:
	}
	killErr := s.cmd.Process.Kill()
	<-s.exited
	return errors.Join(fmt.Errorf("server still running %v after SIGTERM: killed", stopTimeout), killErr)
}

// parseListening recognises the server's `msg=listening proto=NAME
// addr=IP:PORT` log line and returns the listener's name and address.
func parseListening(fields map[string]string) (name, addr string, ok bool) {
	if fields["msg"] != "listening" || fields["proto"] == "" {
		return "", "", false
	}
	ap, err := netip.ParseAddrPort(fields["addr"])
	if err != nil || ap.Port() == 0 {
		return "", "", false
	}
	return fields["proto"], ap.String(), true
}

// logfmtFields splits a log/slog text line (key=value pairs separated by
// spaces, values quoted as Go strings when they need it) into a map. A
// malformed pair ends the parsing; the pairs before it are kept.
func logfmtFields(line string) map[string]string {
	out := map[string]string{}
	for {
		line = strings.TrimLeft(line, " ")
		key, rest, ok := strings.Cut(line, "=")
		if !ok || key == "" || strings.ContainsRune(key, ' ') {
			return out
		}
		var val string
		if strings.HasPrefix(rest, `"`) {
			end := quotedEnd(rest)
			if end < 0 {
				return out
			}
			v, err := strconv.Unquote(rest[:end])
			if err != nil {
				return out
			}
			val, line = v, rest[end:]
		} else {
			val, line, _ = strings.Cut(rest, " ")
		}
		out[key] = val
	}
}

// quotedEnd returns the index just past the closing quote of the Go string
// literal that s starts with, or -1.
func quotedEnd(s string) int {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return -1
}
