package storage

import (
	"context"
	"fmt"
	"strings"

	bolt "go.etcd.io/bbolt"
)

// DefaultMailboxes are created with every account, with their RFC 6154
// special-use attributes.
var DefaultMailboxes = []struct {
	Name       string
	SpecialUse string
}{
	{"INBOX", ""},
	{"Sent", `\Sent`},
	{"Drafts", `\Drafts`},
	{"Trash", `\Trash`},
	{"Archive", `\Archive`},
	{"Junk", `\Junk`},
}

// CreateAccount stores a new account and its default mailboxes in one
// transaction. a.Address must already be normalised (lower-cased); a.ID and
// a.Created are assigned here. It returns ErrExists if the address is taken.
func (db *DB) CreateAccount(ctx context.Context, a Account) (Account, error) {
	if a.Address == "" || a.Address != strings.ToLower(a.Address) || !a.Role.Valid() {
		return Account{}, fmt.Errorf("create account %q: %w", a.Address, ErrInvalidName)
	}
	err := db.write(ctx, func(w *writeTx) error {
		accounts := w.tx.Bucket(bucketAccounts)
		if accounts.Get([]byte(a.Address)) != nil {
			return ErrExists
		}
		id, err := nextSeq(w.tx, keyAccountSeq)
		if err != nil {
			return err
		}
		acc := a
		acc.ID = id
		acc.Created = db.now().UTC()
		if err := putJSON(accounts, []byte(acc.Address), acc); err != nil {
			return err
		}
		if err := w.tx.Bucket(bucketAccountIDs).Put(u64(id), []byte(acc.Address)); err != nil {
			return err
		}
		for _, m := range DefaultMailboxes {
			if _, err := createMailbox(w, id, m.Name, m.SpecialUse, true); err != nil {
				return err
			}
		}
		a = acc
		return nil
	})
	if err != nil {
		return Account{}, fmt.Errorf("create account %s: %w", a.Address, err)
	}
	return a, nil
}

// Account returns the account with the given lower-cased address, or
// ErrNotFound.
func (db *DB) Account(ctx context.Context, address string) (Account, error) {
	var a Account
	err := db.view(ctx, func(tx *bolt.Tx) error {
		return getJSON(tx.Bucket(bucketAccounts), []byte(address), &a)
	})
	return a, err
}

// AccountByID returns the account with the given ID, or ErrNotFound.
func (db *DB) AccountByID(ctx context.Context, id uint64) (Account, error) {
	var a Account
	err := db.view(ctx, func(tx *bolt.Tx) error {
		addr := tx.Bucket(bucketAccountIDs).Get(u64(id))
		if addr == nil {
			return ErrNotFound
		}
		return getJSON(tx.Bucket(bucketAccounts), addr, &a)
	})
	return a, err
}

// Accounts returns every account, ordered by address.
func (db *DB) Accounts(ctx context.Context) ([]Account, error) {
	var out []Account
	err := db.view(ctx, func(tx *bolt.Tx) error {
		return tx.Bucket(bucketAccounts).ForEach(func(k, _ []byte) error {
			var a Account
			if err := getJSON(tx.Bucket(bucketAccounts), k, &a); err != nil {
				return err
			}
			out = append(out, a)
			return nil
		})
	})
	return out, err
}

// UpdateAccount applies change to the stored account and saves it in one
// transaction. change may modify Name, Role, PasswordHash and Disabled; ID,
// Address and Created are kept. It returns the saved account.
func (db *DB) UpdateAccount(ctx context.Context, address string, change func(*Account) error) (Account, error) {
	var saved Account
	err := db.write(ctx, func(w *writeTx) error {
		accounts := w.tx.Bucket(bucketAccounts)
		var a Account
		if err := getJSON(accounts, []byte(address), &a); err != nil {
			return err
		}
		b := a
		if err := change(&b); err != nil {
			return err
		}
		if !b.Role.Valid() {
			return ErrInvalidName
		}
		b.ID, b.Address, b.Created = a.ID, a.Address, a.Created
		saved = b
		return putJSON(accounts, []byte(address), b)
	})
	if err != nil {
		return Account{}, fmt.Errorf("update account %s: %w", address, err)
	}
	return saved, nil
}
