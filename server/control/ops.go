package control

import (
	"context"
	"errors"
	"fmt"
	"time"

	"mailnet/auth"
	"mailnet/storage"
)

// Ops are the administrative operations of the command-line tools.
type Ops interface {
	// AddUser creates an account. An empty password is replaced by a
	// generated one, returned in the result.
	AddUser(ctx context.Context, req AddUserRequest) (AddUserResult, error)
	// SetPassword replaces an account's password; an empty password is
	// replaced by a generated one, which is returned.
	SetPassword(ctx context.Context, address, password string) (string, error)
	// SetDisabled disables or re-enables logins of an account.
	SetDisabled(ctx context.Context, address string, disabled bool) error
	// Users lists the accounts.
	Users(ctx context.Context) ([]User, error)
	// Queue lists the outbound queue.
	Queue(ctx context.Context) ([]storage.QueueEntry, error)
	// QueueEntry returns one queued message with its attempts.
	QueueEntry(ctx context.Context, id uint64) (storage.QueueEntry, error)
	// RetryQueue makes a queued message due now.
	RetryQueue(ctx context.Context, id uint64) error
	// DropQueue removes a queued message without notifying its sender.
	DropQueue(ctx context.Context, id uint64) error
	// Backup writes a consistent copy of the store to path, an absolute
	// path on the server's machine, and returns its size.
	Backup(ctx context.Context, path string) (int64, error)
	// Conversations lists the conversations that filter selects, ordered
	// by ID.
	Conversations(ctx context.Context, filter storage.ConversationFilter) ([]storage.Conversation, error)
	// Counsellors lists the caseload's counsellors with their teams.
	Counsellors(ctx context.Context) ([]storage.Counsellor, error)
	// ArchiveEntries returns the archive entries filter selects, in
	// sequence order (for the statistics' message counts).
	ArchiveEntries(ctx context.Context, filter storage.ArchiveFilter) ([]storage.ArchiveEntry, error)
	CaseloadOps
	AuditOps
	ArchiveOps
}

// AddUserRequest describes an account to create.
type AddUserRequest struct {
	Address  string       `json:"address"`
	Name     string       `json:"name"`
	Role     storage.Role `json:"role"`
	Password string       `json:"password,omitempty"`
}

// AddUserResult is a created account and, when it was generated, its
// password.
type AddUserResult struct {
	User              User   `json:"user"`
	GeneratedPassword string `json:"generated_password,omitempty"`
}

// User is an account as the tools show it: never with its password hash.
type User struct {
	Address  string       `json:"address"`
	Name     string       `json:"name"`
	Role     storage.Role `json:"role"`
	Disabled bool         `json:"disabled"`
}

func userOf(a storage.Account) User {
	return User{Address: a.Address, Name: a.Name, Role: a.Role, Disabled: a.Disabled}
}

// Sentinel errors of the operations.
var (
	// ErrUserExists: AddUser for an address that already has an account.
	ErrUserExists = errors.New("account already exists")
	// ErrNoSuchUser: the address has no account.
	ErrNoSuchUser = errors.New("no such account")
	// ErrWeakPassword: a given password is too short.
	ErrWeakPassword = errors.New("password must have at least 12 characters")
	// ErrNoSuchEntry: the queue has no entry with that ID.
	ErrNoSuchEntry = errors.New("no such queue entry")
)

// minPassword is the shortest password an operator may set by hand.
const minPassword = 12

// Local performs the operations on an open store.
type Local struct {
	DB *storage.DB
	// Kick, if set, wakes the delivery worker after RetryQueue.
	Kick func()
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Retention is the archive's retention period per category
	// (conf.Retention.ByCategory), for PurgeArchive; nil keeps all.
	Retention map[string]time.Duration
}

var _ Ops = (*Local)(nil)

// AddUser implements Ops.
func (l *Local) AddUser(ctx context.Context, req AddUserRequest) (AddUserResult, error) {
	addr, err := auth.NormalizeAddress(req.Address)
	if err != nil {
		return AddUserResult{}, err
	}
	if req.Role == "" {
		req.Role = storage.RoleCounsellor
	}
	if _, err := auth.ParseRole(string(req.Role)); err != nil {
		return AddUserResult{}, err
	}
	pw, generated, err := choosePassword(req.Password)
	if err != nil {
		return AddUserResult{}, err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return AddUserResult{}, err
	}
	acc, err := l.DB.CreateAccount(ctx, storage.Account{Address: addr, Name: req.Name, Role: req.Role, PasswordHash: hash})
	if errors.Is(err, storage.ErrExists) {
		return AddUserResult{}, fmt.Errorf("%s: %w", addr, ErrUserExists)
	}
	if err != nil {
		return AddUserResult{}, err
	}
	res := AddUserResult{User: userOf(acc)}
	if generated {
		res.GeneratedPassword = pw
	}
	return res, nil
}

func choosePassword(given string) (pw string, generated bool, err error) {
	if given == "" {
		pw, err := auth.GeneratePassword()
		return pw, true, err
	}
	if len([]rune(given)) < minPassword {
		return "", false, ErrWeakPassword
	}
	return given, false, nil
}

// SetPassword implements Ops.
func (l *Local) SetPassword(ctx context.Context, address, password string) (string, error) {
	addr, err := auth.NormalizeAddress(address)
	if err != nil {
		return "", err
	}
	pw, generated, err := choosePassword(password)
	if err != nil {
		return "", err
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return "", err
	}
	_, err = l.DB.UpdateAccount(ctx, addr, func(a *storage.Account) error {
		a.PasswordHash = hash
		return nil
	})
	if err != nil {
		return "", notFound(addr, err)
	}
	if generated {
		return pw, nil
	}
	return "", nil
}

// SetDisabled implements Ops.
func (l *Local) SetDisabled(ctx context.Context, address string, disabled bool) error {
	addr, err := auth.NormalizeAddress(address)
	if err != nil {
		return err
	}
	_, err = l.DB.UpdateAccount(ctx, addr, func(a *storage.Account) error {
		a.Disabled = disabled
		return nil
	})
	return notFound(addr, err)
}

func notFound(addr string, err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("%s: %w", addr, ErrNoSuchUser)
	}
	return err
}

// Users implements Ops.
func (l *Local) Users(ctx context.Context) ([]User, error) {
	accs, err := l.DB.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]User, len(accs))
	for i, a := range accs {
		out[i] = userOf(a)
	}
	return out, nil
}

// Queue implements Ops.
func (l *Local) Queue(ctx context.Context) ([]storage.QueueEntry, error) {
	return l.DB.Queue(ctx)
}

// QueueEntry implements Ops.
func (l *Local) QueueEntry(ctx context.Context, id uint64) (storage.QueueEntry, error) {
	e, err := l.DB.QueueEntry(ctx, id)
	return e, noEntry(id, err)
}

// RetryQueue implements Ops.
func (l *Local) RetryQueue(ctx context.Context, id uint64) error {
	now := time.Now
	if l.Now != nil {
		now = l.Now
	}
	_, err := l.DB.UpdateQueue(ctx, id, func(e *storage.QueueEntry) error {
		e.NextAttempt = now().UTC()
		return nil
	})
	if err != nil {
		return noEntry(id, err)
	}
	if l.Kick != nil {
		l.Kick()
	}
	return nil
}

// DropQueue implements Ops.
func (l *Local) DropQueue(ctx context.Context, id uint64) error {
	return noEntry(id, l.DB.FinishQueue(ctx, id, nil))
}

func noEntry(id uint64, err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("queue entry %d: %w", id, ErrNoSuchEntry)
	}
	return err
}

// Backup implements Ops.
func (l *Local) Backup(ctx context.Context, path string) (int64, error) {
	return l.DB.BackupFile(ctx, path)
}
