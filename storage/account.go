package storage

import "time"

// Role is what an account may do beyond its own mail. The rules that follow
// from a role live in package auth; storage only keeps the value.
type Role string

// The roles an account can hold.
const (
	RoleCounsellor Role = "counsellor"
	RoleManager    Role = "manager"
	RoleAdmin      Role = "admin"
)

// Valid reports whether r is one of the defined roles.
func (r Role) Valid() bool {
	switch r {
	case RoleCounsellor, RoleManager, RoleAdmin:
		return true
	}
	return false
}

// Account is a staff account: a counsellor's public address, which is also
// the login name.
type Account struct {
	// ID is assigned by CreateAccount and never reused.
	ID uint64 `json:"id"`
	// Address is the lower-cased email address; it is the login.
	Address string `json:"address"`
	// Name is the display name, e.g. "Marie Dupont".
	Name string `json:"name,omitempty"`
	// Role is counsellor, manager or admin.
	Role Role `json:"role"`
	// PasswordHash is an argon2id hash in PHC string format, written by
	// package auth. Storage never interprets it.
	PasswordHash string `json:"password_hash"`
	// Disabled accounts cannot log in; mail to them is still accepted and
	// kept (it has legal value).
	Disabled bool `json:"disabled,omitempty"`
	// Created is when the account was created.
	Created time.Time `json:"created"`
}
