package routing

import "errors"

// Sentinel errors of recipient checks.
var (
	// ErrNotLocal: the recipient's domain is not one we receive mail for.
	ErrNotLocal = errors.New("routing: recipient domain is not local")
	// ErrUnknownRecipient: the domain is ours but no account has the address.
	ErrUnknownRecipient = errors.New("routing: no such local recipient")
	// ErrBadAddress: the address cannot be parsed.
	ErrBadAddress = errors.New("routing: malformed address")
)
