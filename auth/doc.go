// Package auth checks logins: argon2id password hashes, throttling of failed
// logins, and the SASL mechanisms PLAIN and LOGIN for the SMTP and IMAP
// servers. It reads accounts through the small Store interface and never
// writes them; it imports storage for its types only.
//
// # Passwords
//
// HashPassword stores passwords as argon2id PHC strings
// ($argon2id$v=19$m=…,t=…,p=…$salt$key); VerifyPassword reads them back and
// refuses, without panicking, anything else or costs beyond Params' bounds.
// GeneratePassword makes random passwords for new accounts. Password
// policy (minimum length and the like) is the caller's.
//
// # Logins
//
// Authenticator.Authenticate normalises the username (NormalizeAddress),
// checks the failure limits, looks the account up and verifies the
// password. Unknown accounts verify a dummy hash of the same cost, and a
// disabled account's password is verified before it is refused, so that
// response times do not reveal which accounts exist. Every refusal is the
// same ErrInvalidCredentials; the reason goes to the log. A semaphore bounds
// the argon2id computations running at once, since each holds
// Params.Memory.
//
// # Throttling
//
// Failures are counted per account and per client network (IPv4 address or
// IPv6 /64) over a sliding window of 16 buckets. An attempt counts as a
// failure from the moment it starts, so parallel connections cannot race
// past a limit; a success takes it back and clears the account's count,
// not the network's. Throttled attempts are refused before the password is
// checked and are not counted, so a lockout ends at the latest one window
// (plus one bucket) after the last counted failure.
//
// Caveats: the per-account limit lets anyone lock an account out for a
// window by failing on purpose; that is the price of bounding online
// guessing against it. Counters live in memory: they reset on restart, are
// not shared between nodes, and each map keeps at most 100,000 keys, the
// least recently failed being forgotten first, so an attacker holding more
// networks than that can flush the per-network counts.
//
// # SASL
//
// Authenticator.SASL returns a sasl.Server for go-smtp and go-imap. go-sasl
// has no LOGIN server, so this package implements one. The protocol layers
// decode base64; the servers returned here see raw bytes. go-smtp v0.25.1
// sends the text of any error that is not an *smtp.SMTPError to the client,
// so the SMTP server must map this package's errors to replies.
package auth
