package auth

import (
	"fmt"
	"strings"

	"mailnet/storage"
)

// ParseRole returns the storage.Role named by s, ignoring case and
// surrounding white space: "counsellor", "manager" or "admin". The error
// wraps ErrInvalidRole.
func ParseRole(s string) (storage.Role, error) {
	r := storage.Role(strings.ToLower(strings.TrimSpace(s)))
	if !r.Valid() {
		return "", fmt.Errorf("parse role %q: %w", s, ErrInvalidRole)
	}
	return r, nil
}
