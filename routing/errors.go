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
	// ErrNoDispatch: a service address's message must go to dispatch, but
	// none of the team's managers has an account to receive it. It is a
	// configuration fault: the server defers the message (a generic 451),
	// it does not bounce it.
	ErrNoDispatch = errors.New("routing: team has no manager account for dispatch")
)
