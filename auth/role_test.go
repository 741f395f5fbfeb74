package auth

import (
	"errors"
	"testing"

	"mailnet/storage"
)

func TestParseRole(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want storage.Role // "" means ErrInvalidRole
	}{
		{"counsellor", storage.RoleCounsellor},
		{"manager", storage.RoleManager},
		{"admin", storage.RoleAdmin},
		{" Admin\n", storage.RoleAdmin},
		{"MANAGER", storage.RoleManager},
		{"", ""},
		{"counselor", ""},
		{"root", ""},
		{"admin,manager", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParseRole(tc.in)
			if tc.want == "" {
				if !errors.Is(err, ErrInvalidRole) || got != "" {
					t.Errorf("ParseRole(%q) = %q, %v; want ErrInvalidRole", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("ParseRole(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}
