package conf

import (
	"errors"
	"slices"
	"testing"
)

// keyErrors returns every *KeyError in the tree of err, in order.
func keyErrors(err error) []*KeyError {
	if err == nil {
		return nil
	}
	if ke, ok := err.(*KeyError); ok {
		return []*KeyError{ke}
	}
	var all []*KeyError
	switch u := err.(type) {
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			all = append(all, keyErrors(e)...)
		}
	case interface{ Unwrap() error }:
		all = keyErrors(u.Unwrap())
	}
	return all
}

// errorKeys returns the Key of each *KeyError in err, sorted.
func errorKeys(err error) []string {
	var keys []string
	for _, ke := range keyErrors(err) {
		keys = append(keys, ke.Key)
	}
	slices.Sort(keys)
	return keys
}

func TestKeyErrorFormat(t *testing.T) {
	t.Parallel()
	problem := errors.New("must be ≥ 1, not 0")
	tests := []struct {
		name string
		err  *KeyError
		want string
	}{
		{"key and line", &KeyError{Key: "limits.recipients", Line: 7, Err: problem}, "limits.recipients: line 7: must be ≥ 1, not 0"},
		{"key only", &KeyError{Key: "limits.recipients", Err: problem}, "limits.recipients: must be ≥ 1, not 0"},
		{"line only", &KeyError{Line: 3, Err: problem}, "line 3: must be ≥ 1, not 0"},
		{"neither", &KeyError{Err: problem}, "must be ≥ 1, not 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := tc.err.Error(); got != tc.want {
				t.Errorf("Error() = %q, want %q", got, tc.want)
			}
			if !errors.Is(tc.err, problem) {
				t.Errorf("errors.Is(err, problem) = false, want true")
			}
		})
	}
}
