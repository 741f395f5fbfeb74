package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters (RFC 9106 §3.1). The zero value is
// invalid; start from DefaultParams.
type Params struct {
	// Memory is the memory cost m in KiB. At least 8×Threads, at most 1 GiB.
	Memory uint32
	// Time is the number of passes t over the memory, 1 to 16.
	Time uint32
	// Threads is the degree of parallelism p, 1 to 16. It also changes the
	// result, so it is part of the hash, not a tuning knob.
	Threads uint8
	// SaltLen is the length of the random salt in bytes, 8 to 64
	// (RFC 9106 §3.1 recommends 16).
	SaltLen uint32
	// KeyLen is the length of the derived key (the tag) in bytes, 16 to 64.
	KeyLen uint32
}

// DefaultParams are the cost parameters used by HashPassword: argon2id with
// m=19456 KiB (19 MiB), t=2, p=1, a 16-byte salt and a 32-byte key. It is a
// read-only table: do not modify it; copy it and change the copy.
//
// These are the first of the equivalent minimum configurations in the OWASP
// Password Storage Cheat Sheet. RFC 9106 §4's second option (64 MiB, t=3,
// p=4) costs three times the memory per login, and p=4 buys no speed on the
// 2-core machines we target, where several logins hash at once: with p=1
// each hash keeps one core busy, and the Authenticator runs at most
// Options.MaxConcurrentHashes (default: one per CPU) hashes together, so a
// 2-core box never holds more than 2×19 MiB for hashing, however many
// clients log in. Measured at about 20 ms per hash on such a box (see
// BenchmarkHashPassword).
var DefaultParams = Params{Memory: 19 * 1024, Time: 2, Threads: 1, SaltLen: 16, KeyLen: 32}

// Bounds accepted by Params.Validate. They also protect VerifyPassword from
// a corrupt stored hash asking for gigabytes of memory or minutes of CPU.
const (
	maxMemory  = 1 << 20 // KiB, 1 GiB
	maxTime    = 16
	maxThreads = 16
	minSaltLen = 8 // RFC 9106 §3.1
	maxSaltLen = 64
	minKeyLen  = 16
	maxKeyLen  = 64
	// maxHashLen is longer than any PHC string within the bounds above.
	maxHashLen = 256
)

// Validate reports whether p is within the bounds documented on its fields.
// The error wraps ErrInvalidParams.
func (p Params) Validate() error {
	switch {
	case p.Threads < 1 || p.Threads > maxThreads:
		return fmt.Errorf("threads %d not in [1, %d]: %w", p.Threads, maxThreads, ErrInvalidParams)
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("memory %d KiB not in [%d, %d]: %w", p.Memory, 8*uint32(p.Threads), maxMemory, ErrInvalidParams)
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("time %d not in [1, %d]: %w", p.Time, maxTime, ErrInvalidParams)
	case p.SaltLen < minSaltLen || p.SaltLen > maxSaltLen:
		return fmt.Errorf("salt length %d not in [%d, %d]: %w", p.SaltLen, minSaltLen, maxSaltLen, ErrInvalidParams)
	case p.KeyLen < minKeyLen || p.KeyLen > maxKeyLen:
		return fmt.Errorf("key length %d not in [%d, %d]: %w", p.KeyLen, minKeyLen, maxKeyLen, ErrInvalidParams)
	}
	return nil
}

// HashPassword hashes password with argon2id and DefaultParams under a fresh
// random salt. See HashPasswordParams for the result's format.
func HashPassword(password string) (string, error) {
	return HashPasswordParams(password, DefaultParams)
}

// HashPasswordParams hashes password with argon2id and the cost p under a
// fresh salt from crypto/rand. The result is a PHC string,
//
//	$argon2id$v=19$m=<KiB>,t=<passes>,p=<threads>$<salt>$<key>
//
// with salt and key in unpadded standard base64, as written by the argon2
// reference implementation; it carries everything VerifyPassword needs. The
// error wraps ErrInvalidParams if p fails Validate.
func HashPasswordParams(password string, p Params) (string, error) {
	if err := p.Validate(); err != nil {
		return "", err
	}
	salt := make([]byte, p.SaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("read salt: %w", err)
	}
	h := hash{params: p, salt: salt}
	h.key = h.derive(password)
	return h.String(), nil
}

// VerifyPassword reports whether password matches encoded, a PHC string from
// HashPasswordParams. The comparison takes constant time in the key. An
// encoded string that is not such a hash, or whose parameters fail
// Params.Validate, yields false and an error wrapping ErrMalformedHash; it
// never panics, whatever the input.
func VerifyPassword(encoded, password string) (bool, error) {
	h, err := parseHash(encoded)
	if err != nil {
		return false, err
	}
	return h.matches(password), nil
}

// hash is a decoded PHC string.
type hash struct {
	params Params
	salt   []byte
	key    []byte
}

// derive computes the argon2id key of password under h's salt and cost.
// h.params must be valid: argon2.IDKey panics on zero time or threads.
func (h hash) derive(password string) []byte {
	p := h.params
	return argon2.IDKey([]byte(password), h.salt, p.Time, p.Memory, p.Threads, p.KeyLen)
}

// matches reports, in constant time in the key, whether password derives
// h.key.
func (h hash) matches(password string) bool {
	return subtle.ConstantTimeCompare(h.derive(password), h.key) == 1
}

// String encodes h as a PHC string.
func (h hash) String() string {
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, h.params.Memory, h.params.Time, h.params.Threads,
		enc.EncodeToString(h.salt), enc.EncodeToString(h.key))
}

// parseHash decodes a PHC string written by hash.String. It accepts only
// that canonical form: argon2id, version 19, parameters in the order m, t, p
// without leading zeros, no optional fields, unpadded canonical base64.
func parseHash(s string) (hash, error) {
	if len(s) > maxHashLen {
		return hash{}, fmt.Errorf("longer than %d bytes: %w", maxHashLen, ErrMalformedHash)
	}
	// "", "argon2id", "v=19", "m=…,t=…,p=…", salt, key
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" {
		return hash{}, fmt.Errorf("not a PHC string: %w", ErrMalformedHash)
	}
	if parts[1] != "argon2id" {
		return hash{}, fmt.Errorf("algorithm not argon2id: %w", ErrMalformedHash)
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return hash{}, fmt.Errorf("version not %d: %w", argon2.Version, ErrMalformedHash)
	}
	p, err := parseCost(parts[3])
	if err != nil {
		return hash{}, err
	}
	salt, err := decodeBase64(parts[4])
	if err != nil {
		return hash{}, fmt.Errorf("salt: %w", err)
	}
	key, err := decodeBase64(parts[5])
	if err != nil {
		return hash{}, fmt.Errorf("key: %w", err)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.Validate(); err != nil {
		return hash{}, fmt.Errorf("%w: %w", ErrMalformedHash, err)
	}
	return hash{params: p, salt: salt, key: key}, nil
}

// decodeBase64 decodes unpadded standard base64 in its canonical form only.
// The check by re-encoding also catches the CR and LF that encoding/base64
// skips silently.
func decodeBase64(s string) ([]byte, error) {
	enc := base64.RawStdEncoding
	b, err := enc.Strict().DecodeString(s)
	if err != nil || enc.EncodeToString(b) != s {
		return nil, ErrMalformedHash
	}
	return b, nil
}

// parseCost decodes the "m=…,t=…,p=…" field of a PHC string.
func parseCost(s string) (Params, error) {
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return Params{}, fmt.Errorf("cost field count: %w", ErrMalformedHash)
	}
	m, err1 := parseCostValue(fields[0], "m", 32)
	t, err2 := parseCostValue(fields[1], "t", 32)
	p, err3 := parseCostValue(fields[2], "p", 8)
	if err1 != nil || err2 != nil || err3 != nil {
		return Params{}, fmt.Errorf("cost %q: %w", s, ErrMalformedHash)
	}
	return Params{Memory: uint32(m), Time: uint32(t), Threads: uint8(p)}, nil
}

// parseCostValue decodes "name=decimal", the decimal fitting in bits and
// written without sign or leading zeros.
func parseCostValue(field, name string, bits int) (uint64, error) {
	v, ok := strings.CutPrefix(field, name+"=")
	if !ok || v == "" || (len(v) > 1 && v[0] == '0') {
		return 0, ErrMalformedHash
	}
	return strconv.ParseUint(v, 10, bits)
}

// passwordAlphabet is what GeneratePassword draws from: 57 symbols, the
// digits 2–9 and the ASCII letters without 0, O, 1, l and I, which are easy
// to misread.
const passwordAlphabet = "23456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ"

// generatedLen is the length of a generated password: 20 symbols of
// log2(57) ≈ 5.83 bits each give ≈ 116.6 bits of entropy.
const generatedLen = 20

// GeneratePassword returns a new random password of 20 symbols drawn
// uniformly and independently from crypto/rand over a 57-symbol alphabet
// (digits 2–9 and ASCII letters, without the easily confused 0, O, 1, l and
// I): about 116.6 bits of entropy, enough that guessing is hopeless even
// offline against a leaked hash.
func GeneratePassword() (string, error) {
	// Rejection sampling: bytes at or above the largest multiple of the
	// alphabet size are dropped so that every symbol is equally likely.
	n := len(passwordAlphabet)
	limit := 256 - 256%n
	out := make([]byte, 0, generatedLen)
	buf := make([]byte, 2*generatedLen)
	for len(out) < generatedLen {
		if _, err := rand.Read(buf); err != nil {
			return "", fmt.Errorf("read random: %w", err)
		}
		for _, b := range buf {
			if int(b) < limit && len(out) < generatedLen {
				out = append(out, passwordAlphabet[int(b)%n])
			}
		}
	}
	return string(out), nil
}
