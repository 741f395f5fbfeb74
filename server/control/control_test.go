package control

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"mailnet/auth"
	"mailnet/storage"
)

func newTestOps(t *testing.T) (*Local, string) {
	t.Helper()
	dir := t.TempDir()
	db, err := storage.Open(filepath.Join(dir, "mailnet.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &Local{DB: db}, dir
}

// serveSocket starts a control server on a socket in dir.
func serveSocket(t *testing.T, ops Ops, dir string) string {
	t.Helper()
	path := SocketPath(dir)
	srv, err := Listen(path, ops, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return path
}

// TestClientMatchesLocal runs the same operations through the socket and
// checks results and error identities survive the trip.
func TestClientMatchesLocal(t *testing.T) {
	t.Parallel()
	local, dir := newTestOps(t)
	path := serveSocket(t, local, dir)
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("socket mode = %v, %v; want 0600", info.Mode().Perm(), err)
	}
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := c.AddUser(ctx, AddUserRequest{Address: "Marie.Dupont@MailNet.test", Name: "Marie Dupont"})
	if err != nil {
		t.Fatal(err)
	}
	if res.User.Address != "marie.dupont@mailnet.test" || res.User.Role != storage.RoleCounsellor || len(res.GeneratedPassword) < 20 {
		t.Fatalf("AddUser = %+v", res)
	}
	acc, err := local.DB.Account(ctx, "marie.dupont@mailnet.test")
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := auth.VerifyPassword(acc.PasswordHash, res.GeneratedPassword); !ok || err != nil {
		t.Fatalf("generated password does not verify: %v", err)
	}
	if _, err := c.AddUser(ctx, AddUserRequest{Address: "marie.dupont@mailnet.test"}); !errors.Is(err, ErrUserExists) {
		t.Fatalf("duplicate: %v, want ErrUserExists", err)
	}
	if _, err := c.SetPassword(ctx, "nobody@mailnet.test", "a long enough password"); !errors.Is(err, ErrNoSuchUser) {
		t.Fatalf("passwd unknown: %v", err)
	}
	if _, err := c.SetPassword(ctx, "marie.dupont@mailnet.test", "short"); !errors.Is(err, ErrWeakPassword) {
		t.Fatalf("weak password: %v", err)
	}
	if gen, err := c.SetPassword(ctx, "marie.dupont@mailnet.test", "a long enough password"); err != nil || gen != "" {
		t.Fatalf("passwd = %q, %v", gen, err)
	}
	if _, err := c.AddUser(ctx, AddUserRequest{Address: "x@mailnet.test", Role: "boss"}); err == nil {
		t.Fatal("unknown role accepted")
	}
	if err := c.SetDisabled(ctx, "marie.dupont@mailnet.test", true); err != nil {
		t.Fatal(err)
	}
	users, err := c.Users(ctx)
	if err != nil || len(users) != 1 || !users[0].Disabled {
		t.Fatalf("Users = %+v, %v", users, err)
	}
	if q, err := c.Queue(ctx); err != nil || len(q) != 0 {
		t.Fatalf("Queue = %v, %v", q, err)
	}
}

func TestListenReplacesStaleSocketButNotLiveOne(t *testing.T) {
	t.Parallel()
	local, dir := newTestOps(t)
	path := SocketPath(dir)
	// A stale socket file, as a crashed server leaves it.
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	l.(*net.UnixListener).SetUnlinkOnClose(false)
	l.Close()
	if _, err := Dial(path); err == nil {
		t.Fatal("Dial succeeded on a stale socket")
	}
	serveSocket(t, local, dir)
	if _, err := Listen(path, local, slog.New(slog.DiscardHandler)); err == nil {
		t.Fatal("second Listen took over a live socket")
	}
}

func TestGarbageRequestIsIgnored(t *testing.T) {
	t.Parallel()
	local, dir := newTestOps(t)
	path := serveSocket(t, local, dir)
	conn, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	conn.Write([]byte("{not json\n"))
	buf := make([]byte, 10)
	if n, _ := conn.Read(buf); n != 0 {
		t.Fatalf("garbage got a reply %q", buf[:n])
	}
	conn.Close()
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Users(context.Background()); err != nil {
		t.Fatalf("server broken by garbage: %v", err)
	}
}

func TestQueueOperationsOverSocket(t *testing.T) {
	t.Parallel()
	local, dir := newTestOps(t)
	kicked := make(chan struct{}, 1)
	local.Kick = func() { kicked <- struct{}{} }
	path := serveSocket(t, local, dir)
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	raw := []byte("From: a@mailnet.test\r\nTo: x@example.org\r\nSubject: out\r\n\r\nhello\r\n")
	rc, err := local.DB.Deliver(ctx, storage.Incoming{Raw: raw, Outbound: &storage.Outbound{From: "a@mailnet.test", To: []string{"x@example.org"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := local.DB.UpdateQueue(ctx, rc.QueueID, func(e *storage.QueueEntry) error {
		e.NextAttempt = e.NextAttempt.Add(time.Hour)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	e, err := c.QueueEntry(ctx, rc.QueueID)
	if err != nil || e.Recipients[0].Address != "x@example.org" {
		t.Fatalf("QueueEntry = %+v, %v", e, err)
	}
	if err := c.RetryQueue(ctx, rc.QueueID); err != nil {
		t.Fatal(err)
	}
	select {
	case <-kicked:
	default:
		t.Fatal("retry did not wake the delivery worker")
	}
	if e, _ := c.QueueEntry(ctx, rc.QueueID); e.NextAttempt.After(time.Now()) {
		t.Fatalf("retry left NextAttempt in the future: %v", e.NextAttempt)
	}
	if err := c.DropQueue(ctx, rc.QueueID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.QueueEntry(ctx, rc.QueueID); !errors.Is(err, ErrNoSuchEntry) {
		t.Fatalf("after drop: %v, want ErrNoSuchEntry", err)
	}
	if err := c.RetryQueue(ctx, 4242); !errors.Is(err, ErrNoSuchEntry) {
		t.Fatalf("retry unknown: %v", err)
	}
}

// TestBackupOverSocket: a running server writes a consistent copy that
// opens as a store.
func TestBackupOverSocket(t *testing.T) {
	t.Parallel()
	local, dir := newTestOps(t)
	path := serveSocket(t, local, dir)
	c, err := Dial(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := c.AddUser(ctx, AddUserRequest{Address: "marie@mailnet.test"}); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(t.TempDir(), "copy.db")
	n, err := c.Backup(ctx, dest)
	if err != nil || n == 0 {
		t.Fatalf("Backup = %d, %v", n, err)
	}
	cp, err := storage.Open(dest, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if _, err := cp.Account(ctx, "marie@mailnet.test"); err != nil {
		t.Fatalf("account missing from the copy: %v", err)
	}
}
