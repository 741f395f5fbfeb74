package resolver

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"testing"
)

func TestErrorClasses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                string
		err                 error
		temporary, notFound bool
	}{
		{"nil", nil, false, false},
		{"NXDOMAIN", &net.DNSError{Err: "no such host", Name: "x.example", IsNotFound: true}, false, true},
		{"wrapped NXDOMAIN", fmt.Errorf("lookup: %w", &net.DNSError{Err: "no such host", IsNotFound: true}), false, true},
		{"timeout", &net.DNSError{Err: "i/o timeout", IsTimeout: true}, true, false},
		{"SERVFAIL", &net.DNSError{Err: "server misbehaving", IsTemporary: true}, true, false},
		{"refused, not marked temporary", &net.DNSError{Err: "server misbehaving"}, true, false},
		{"deadline", context.DeadlineExceeded, true, false},
		{"wrapped deadline", fmt.Errorf("dns: %w", context.DeadlineExceeded), true, false},
		{"canceled", context.Canceled, true, false},
		{"os deadline", os.ErrDeadlineExceeded, true, false},
		{"other error", errors.New("boom"), false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := IsTemporary(tc.err); got != tc.temporary {
				t.Errorf("IsTemporary(%v) = %v, want %v", tc.err, got, tc.temporary)
			}
			if got := IsNotFound(tc.err); got != tc.notFound {
				t.Errorf("IsNotFound(%v) = %v, want %v", tc.err, got, tc.notFound)
			}
		})
	}
}
