package conf

import (
	"reflect"
	"slices"
	"testing"
)

func TestPublished(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		config string
		want   Public
	}{
		{"defaults: the listeners' ports", "", Public{Host: "localhost", IMAPPort: 1143, IMAPSPort: 1993, SubmissionPort: 2587, SubmissionsPort: 2465}},
		{"published ports", `hostname = "mx.example.org"
[listen]
imaps = "127.0.0.1:1993"
[public]
host = "Mail.Example.org"
imap_port = 143
imaps_port = 993
submission_port = 587
submissions_port = 465
`, Public{Host: "mail.example.org", IMAPPort: 143, IMAPSPort: 993, SubmissionPort: 587, SubmissionsPort: 465}},
		{"hostname when no host", `hostname = "mx.example.org"
[listen]
imaps = "[::]:993"
`, Public{Host: "mx.example.org", IMAPPort: 1143, IMAPSPort: 993, SubmissionPort: 2587, SubmissionsPort: 2465}},
		{"disabled listeners are not announced", `[listen]
imap = ""
submission = ""
[public]
imap_port = 143
imaps_port = 993
`, Public{Host: "localhost", IMAPSPort: 993, SubmissionsPort: 2465}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := Parse([]byte(tc.config))
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Published(); got != tc.want {
				t.Fatalf("Published() = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestValidatePublic(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		modify func(*Public)
		keys   []string
	}{
		{"defaults", func(*Public) {}, nil},
		{"every port", func(p *Public) { p.IMAPPort, p.IMAPSPort, p.SubmissionPort, p.SubmissionsPort = 143, 993, 587, 65535 }, nil},
		{"bad host", func(p *Public) { p.Host = "mail example.org" }, []string{"public.host"}},
		{"IP host", func(p *Public) { p.Host = "192.0.2.1" }, []string{"public.host"}},
		{"negative port", func(p *Public) { p.IMAPSPort = -1 }, []string{"public.imaps_port"}},
		{"port too large", func(p *Public) { p.SubmissionPort, p.IMAPPort = 65536, 70000 }, []string{"public.imap_port", "public.submission_port"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := Default()
			tc.modify(&c.Public)
			err := c.Validate()
			if got := errorKeys(err); !slices.Equal(got, tc.keys) {
				t.Errorf("Validate() problems at %q, want %q:\n%v", got, tc.keys, err)
			}
			for _, k := range tc.keys {
				if !knownKeys(reflect.TypeFor[Config]())[k] {
					t.Errorf("Validate names %q, not a configuration key", k)
				}
			}
		})
	}
}
