package queue

import (
	"net"
	"slices"
	"testing"
)

func TestOrderMX(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		mxs    []net.MX
		want   []string
		status string // of the failure, if any
	}{
		{"by preference", []net.MX{{Host: "C.example.", Pref: 30}, {Host: "a.example.", Pref: 10}, {Host: "b.example", Pref: 20}},
			[]string{"a.example", "b.example", "c.example"}, ""},
		{"null MX", []net.MX{{Host: ".", Pref: 0}}, nil, "5.1.10"},
		{"null MX among others is ignored", []net.MX{{Host: ".", Pref: 0}, {Host: "a.example.", Pref: 10}}, []string{"a.example"}, ""},
		{"hosts after ours are dropped", []net.MX{{Host: "a.example.", Pref: 10}, {Host: "self.example.", Pref: 20}, {Host: "b.example.", Pref: 20}, {Host: "c.example.", Pref: 30}},
			[]string{"a.example"}, ""},
		{"ours first is a loop", []net.MX{{Host: "SELF.example.", Pref: 10}, {Host: "b.example.", Pref: 20}}, nil, "5.4.6"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var mxs []*net.MX
			for i := range tc.mxs {
				mxs = append(mxs, &tc.mxs[i])
			}
			got, err := orderMX(mxs, "dest.example", "self.example")
			if tc.status != "" {
				f, ok := err.(*failure)
				if !ok || f.status != tc.status {
					t.Fatalf("orderMX = %v, %v; want failure %s", got, err, tc.status)
				}
				return
			}
			if err != nil || !slices.Equal(got, tc.want) {
				t.Errorf("orderMX = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// TestOrderMXShufflesEqualPreferences checks that equal preferences come
// in both orders (the chance of a false failure is 2^-99).
func TestOrderMXShufflesEqualPreferences(t *testing.T) {
	t.Parallel()
	seen := make(map[string]bool)
	for range 100 {
		got, err := orderMX([]*net.MX{{Host: "a.example", Pref: 10}, {Host: "b.example", Pref: 10}, {Host: "z.example", Pref: 5}}, "d", "self")
		if err != nil || got[0] != "z.example" {
			t.Fatalf("orderMX = %v, %v", got, err)
		}
		seen[got[1]] = true
	}
	if len(seen) != 2 {
		t.Errorf("equal preferences always in the same order: %v", seen)
	}
}

func TestByDomain(t *testing.T) {
	t.Parallel()
	got := byDomain([]string{"a@X.example", "b@y.example", "c@x.EXAMPLE", "nodomain", "d@"})
	want := []domainRcpts{
		{"x.example", []string{"a@X.example", "c@x.EXAMPLE"}},
		{"y.example", []string{"b@y.example"}},
		{"", []string{"nodomain", "d@"}},
	}
	if len(got) != len(want) {
		t.Fatalf("byDomain = %v", got)
	}
	for i := range want {
		if got[i].domain != want[i].domain || !slices.Equal(got[i].rcpts, want[i].rcpts) {
			t.Errorf("group %d = %v, want %v", i, got[i], want[i])
		}
	}
}
