package conf

import (
	"errors"
	"fmt"
)

// ErrUnknownKey is wrapped by the [KeyError] reported for a key that mailnet
// does not know, such as a misspelt option or one in the wrong section.
var ErrUnknownKey = errors.New("unknown key")

// A KeyError is one problem with one configuration key. [Parse], [Load] and
// [Config.Validate] report every problem they find as a *KeyError, joined
// with [errors.Join]; walk the tree with errors.As or Unwrap() []error.
type KeyError struct {
	// Key is the dotted TOML key, e.g. "limits.recipients". It is empty for
	// a TOML syntax error that belongs to no particular key.
	Key string
	// Line is the 1-based line of the problem in the TOML input, or 0 when
	// it is not known (always 0 for problems found by Validate).
	Line int
	// Err describes the problem.
	Err error
}

// Error returns "key: line N: problem", leaving out the parts that are not
// known.
func (e *KeyError) Error() string {
	switch {
	case e.Key == "" && e.Line == 0:
		return e.Err.Error()
	case e.Key == "":
		return fmt.Sprintf("line %d: %v", e.Line, e.Err)
	case e.Line == 0:
		return fmt.Sprintf("%s: %v", e.Key, e.Err)
	}
	return fmt.Sprintf("%s: line %d: %v", e.Key, e.Line, e.Err)
}

// Unwrap returns e.Err.
func (e *KeyError) Unwrap() error { return e.Err }

// keyErr is shorthand for a KeyError without a line.
func keyErr(key, format string, args ...any) *KeyError {
	return &KeyError{Key: key, Err: fmt.Errorf(format, args...)}
}
