package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"mailnet/archive"
	"mailnet/storage"
)

// SocketName is the control socket's file name in the data directory.
const SocketName = "control.sock"

// SocketPath returns the control socket path for a data directory.
func SocketPath(dataDir string) string { return filepath.Join(dataDir, SocketName) }

// requestTimeout bounds one request, so a stuck client cannot hold a
// connection forever.
const requestTimeout = time.Minute

// opBackup is the backup request, which gets importTimeout: copying a
// large store takes a while.
const opBackup = "backup"

// longOps are the requests that get importTimeout.
var longOps = map[string]bool{opImportCaseload: true, opBackup: true, opAuditVerify: true,
	opArchiveVerify: true, opArchiveExport: true, opArchivePurge: true}

// importTimeout bounds a caseload import once its request is read: a
// 100,000-row batch is tens of megabytes of JSON and one large
// transaction.
const importTimeout = 10 * time.Minute

type request struct {
	Op       string         `json:"op"`
	AddUser  AddUserRequest `json:"add_user,omitzero"`
	Address  string         `json:"address,omitempty"`
	Password string         `json:"password,omitempty"`
	Disabled bool           `json:"disabled,omitempty"`
	QueueID  uint64         `json:"queue_id,omitempty"`
	Path     string         `json:"path,omitempty"`
	Caseload caseloadArgs   `json:"caseload,omitzero"`
	// Conversations is the filter of opConversations.
	Conversations storage.ConversationFilter `json:"conversations,omitzero"`
	// Entries is the filter of opArchiveEntries.
	Entries storage.ArchiveFilter `json:"entries,omitzero"`
	// Audit is the filter of opAuditList.
	Audit storage.AuditFilter `json:"audit,omitzero"`
	// Archive holds the arguments of the archive requests.
	Archive archiveArgs `json:"archive,omitzero"`
}

type response struct {
	Error string `json:"error,omitempty"`
	// Kinds name the sentinel errors the error matches, so the client
	// can rebuild it.
	Kinds  []string        `json:"kinds,omitempty"`
	Result json.RawMessage `json:"result,omitempty"`
	// Progress, when set, makes this message a progress report (see
	// WithProgress); the reply follows.
	Progress *Progress `json:"progress,omitempty"`
}

// sentinels lets errors cross the socket and still match errors.Is.
var sentinels = map[string]error{
	"user_exists":  ErrUserExists,
	"no_such_user": ErrNoSuchUser,
	"weak":         ErrWeakPassword,
	"no_entry":     ErrNoSuchEntry,
	// Caseload operations.
	"no_client":         ErrNoSuchClient,
	"no_counsellor":     ErrNoSuchCounsellor,
	"no_absence":        ErrNoSuchAbsence,
	"no_case_link":      ErrNoSuchCaseLink,
	"wrong_team":        ErrWrongTeam,
	"invalid_caseload":  ErrInvalidCaseload,
	"storage_not_found": storage.ErrNotFound,
	"storage_invalid":   storage.ErrInvalidCaseload,
	"storage_conflict":  storage.ErrConflict,
	// Audit and archive operations.
	"storage_invalid_entry": storage.ErrInvalidEntry,
	"export_not_empty":      archive.ErrNotEmpty,
}

// Server answers control requests on a Unix socket.
type Server struct {
	ops  Ops
	log  *slog.Logger
	l    net.Listener
	wg   sync.WaitGroup
	path string
}

// Listen creates the socket at path (replacing a stale one left by a
// crashed server) with mode 0600.
func Listen(path string, ops Ops, log *slog.Logger) (*Server, error) {
	if c, err := net.Dial("unix", path); err == nil {
		c.Close()
		return nil, fmt.Errorf("control socket %s: another server is running", path)
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, err
	}
	return &Server{ops: ops, log: log, l: l, path: path}, nil
}

// Serve handles connections until Close.
func (s *Server) Serve() error {
	for {
		c, err := s.l.Accept()
		if errors.Is(err, net.ErrClosed) {
			return nil
		}
		if err != nil {
			return err
		}
		s.wg.Go(func() { s.handle(c) })
	}
}

// Close stops accepting, waits for requests in progress and removes the
// socket file.
func (s *Server) Close() error {
	err := s.l.Close()
	s.wg.Wait()
	return err
}

func (s *Server) handle(c net.Conn) {
	defer c.Close()
	if err := c.SetDeadline(time.Now().Add(requestTimeout)); err != nil {
		return
	}
	var req request
	if err := json.NewDecoder(c).Decode(&req); err != nil {
		if errors.Is(err, io.EOF) {
			return // a liveness probe (Dial): connected and closed
		}
		s.log.Warn("control request unreadable", "err", err)
		return
	}
	timeout := requestTimeout
	if longOps[req.Op] {
		timeout = importTimeout
		if err := c.SetDeadline(time.Now().Add(timeout)); err != nil {
			return
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	enc := json.NewEncoder(c)
	var mu sync.Mutex // one message at a time on c
	ctx = relayProgress(ctx, &mu, func(p Progress) error { return enc.Encode(response{Progress: &p}) })
	result, err := s.dispatch(ctx, req)
	var resp response
	if err != nil {
		resp.Error = err.Error()
		for kind, sentinel := range sentinels {
			if errors.Is(err, sentinel) {
				resp.Kinds = append(resp.Kinds, kind)
			}
		}
		slices.Sort(resp.Kinds)
	} else if resp.Result, err = json.Marshal(result); err != nil {
		resp = response{Error: err.Error()}
	}
	s.log.Info("control request", "op", req.Op, "ok", resp.Error == "")
	mu.Lock()
	defer mu.Unlock()
	if err := enc.Encode(resp); err != nil {
		s.log.Warn("control reply failed", "err", err)
	}
}

func (s *Server) dispatch(ctx context.Context, req request) (any, error) {
	switch req.Op {
	case "add_user":
		return s.ops.AddUser(ctx, req.AddUser)
	case "set_password":
		return s.ops.SetPassword(ctx, req.Address, req.Password)
	case "set_disabled":
		return nil, s.ops.SetDisabled(ctx, req.Address, req.Disabled)
	case "users":
		return s.ops.Users(ctx)
	case "queue":
		return s.ops.Queue(ctx)
	case "queue_entry":
		return s.ops.QueueEntry(ctx, req.QueueID)
	case "queue_retry":
		return nil, s.ops.RetryQueue(ctx, req.QueueID)
	case "queue_drop":
		return nil, s.ops.DropQueue(ctx, req.QueueID)
	case opBackup:
		return s.ops.Backup(ctx, req.Path)
	case opConversations:
		return s.ops.Conversations(ctx, req.Conversations)
	case opCounsellors:
		return s.ops.Counsellors(ctx)
	case opArchiveEntries:
		return s.ops.ArchiveEntries(ctx, req.Entries)
	case opAuditList:
		return s.ops.AuditEntries(ctx, req.Audit)
	case opAuditVerify:
		return s.ops.VerifyAudit(ctx)
	case opArchiveVerify, opArchiveExport, opArchiveHold, opArchiveHolds, opArchivePurge:
		return s.dispatchArchive(ctx, req.Op, req.Archive)
	}
	return s.dispatchCaseload(ctx, req.Op, req.Caseload)
}

// Client performs the operations through a running server's socket.
type Client struct {
	path string
}

var _ Ops = (*Client)(nil)

// Dial returns a client if a server answers on the socket at path, and an
// error otherwise (no socket, or a stale one).
func Dial(path string) (*Client, error) {
	c, err := net.DialTimeout("unix", path, time.Second)
	if err != nil {
		return nil, err
	}
	if err := c.Close(); err != nil {
		return nil, err
	}
	return &Client{path: path}, nil
}

func (c *Client) call(ctx context.Context, req request, result any) error {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "unix", c.path)
	if err != nil {
		return err
	}
	defer conn.Close()
	if deadline, ok := ctx.Deadline(); ok {
		if err := conn.SetDeadline(deadline); err != nil {
			return err
		}
	}
	if err := json.NewEncoder(conn).Encode(req); err != nil {
		return err
	}
	dec := json.NewDecoder(conn)
	var resp response
	for {
		resp = response{}
		if err := dec.Decode(&resp); err != nil {
			return fmt.Errorf("control reply: %w", err)
		}
		if resp.Progress == nil {
			break
		}
		if fn := progressOf(ctx); fn != nil {
			fn(resp.Progress.Done, resp.Progress.Total)
		}
	}
	if resp.Error != "" {
		e := remoteError{msg: resp.Error}
		for _, kind := range resp.Kinds {
			if sentinel, ok := sentinels[kind]; ok {
				e.sentinels = append(e.sentinels, sentinel)
			}
		}
		return e
	}
	if result == nil {
		return nil
	}
	return json.Unmarshal(resp.Result, result)
}

// remoteError carries the server's message and still matches its
// sentinels.
type remoteError struct {
	msg       string
	sentinels []error
}

func (e remoteError) Error() string   { return e.msg }
func (e remoteError) Unwrap() []error { return e.sentinels }

// AddUser implements Ops.
func (c *Client) AddUser(ctx context.Context, req AddUserRequest) (AddUserResult, error) {
	var res AddUserResult
	err := c.call(ctx, request{Op: "add_user", AddUser: req}, &res)
	return res, err
}

// SetPassword implements Ops.
func (c *Client) SetPassword(ctx context.Context, address, password string) (string, error) {
	var pw string
	err := c.call(ctx, request{Op: "set_password", Address: address, Password: password}, &pw)
	return pw, err
}

// SetDisabled implements Ops.
func (c *Client) SetDisabled(ctx context.Context, address string, disabled bool) error {
	return c.call(ctx, request{Op: "set_disabled", Address: address, Disabled: disabled}, nil)
}

// Users implements Ops.
func (c *Client) Users(ctx context.Context) ([]User, error) {
	var out []User
	err := c.call(ctx, request{Op: "users"}, &out)
	return out, err
}

// Queue implements Ops.
func (c *Client) Queue(ctx context.Context) ([]storage.QueueEntry, error) {
	var out []storage.QueueEntry
	err := c.call(ctx, request{Op: "queue"}, &out)
	return out, err
}

// QueueEntry implements Ops.
func (c *Client) QueueEntry(ctx context.Context, id uint64) (storage.QueueEntry, error) {
	var e storage.QueueEntry
	err := c.call(ctx, request{Op: "queue_entry", QueueID: id}, &e)
	return e, err
}

// RetryQueue implements Ops.
func (c *Client) RetryQueue(ctx context.Context, id uint64) error {
	return c.call(ctx, request{Op: "queue_retry", QueueID: id}, nil)
}

// DropQueue implements Ops.
func (c *Client) DropQueue(ctx context.Context, id uint64) error {
	return c.call(ctx, request{Op: "queue_drop", QueueID: id}, nil)
}

// Backup implements Ops.
func (c *Client) Backup(ctx context.Context, path string) (int64, error) {
	var n int64
	err := c.call(ctx, request{Op: opBackup, Path: path}, &n)
	return n, err
}
