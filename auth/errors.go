package auth

import "errors"

// Sentinel errors returned by this package. Callers compare with errors.Is;
// most are returned wrapped with context.
var (
	// ErrInvalidCredentials reports a failed login: unknown user, wrong
	// password, disabled account or unusable stored hash. The caller must not
	// be able to tell which; the reason is logged at Info level.
	ErrInvalidCredentials = errors.New("auth: invalid credentials")
	// ErrThrottled reports a login refused, without checking the password,
	// because the account or the client's network has too many recent
	// failures. It is temporary: retrying after the window may succeed.
	ErrThrottled = errors.New("auth: too many failed logins, try later")
	// ErrInvalidAddress reports a string that is not a simple local@domain
	// email address (see NormalizeAddress).
	ErrInvalidAddress = errors.New("auth: invalid address")
	// ErrMalformedHash reports a password hash that is not an argon2id PHC
	// string this package can verify, or whose parameters are out of bounds.
	ErrMalformedHash = errors.New("auth: malformed password hash")
	// ErrInvalidParams reports argon2id parameters outside the accepted
	// bounds (see Params.Validate).
	ErrInvalidParams = errors.New("auth: invalid argon2id parameters")
	// ErrUnsupportedMechanism reports a SASL mechanism that Authenticator.SASL
	// does not offer (see Authenticator.Mechanisms).
	ErrUnsupportedMechanism = errors.New("auth: unsupported SASL mechanism")
	// ErrAuthzidMismatch reports a SASL PLAIN exchange whose authorization
	// identity names another account than the authentication identity;
	// acting on behalf of another user is not supported. The password is not
	// checked.
	ErrAuthzidMismatch = errors.New("auth: authorization identity differs from login")
	// ErrInvalidRole reports a string that names no storage.Role.
	ErrInvalidRole = errors.New("auth: invalid role")
	// ErrInvalidScope reports a string that names no Scope.
	ErrInvalidScope = errors.New("auth: invalid sharing scope")
)
