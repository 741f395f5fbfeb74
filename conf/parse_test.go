package conf

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"
)

// TestParseReportsAllProblems checks that one error names an unknown key, a
// bad value and a value that fails validation together.
func TestParseReportsAllProblems(t *testing.T) {
	t.Parallel()
	const input = `hostname = "mx.example.org"
colour = "blue"

[listen]
smtp = "localhost:25"

[limits]
recipients = 0
`
	c, err := Parse([]byte(input))
	if c != nil {
		t.Errorf("Parse returned a Config along with the error")
	}
	got := keyErrors(err)
	want := []struct {
		key     string
		line    int
		unknown bool
	}{
		{key: "listen.smtp", line: 5},
		{key: "colour", unknown: true},
		{key: "limits.recipients"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(got), len(want), err)
	}
	for i, w := range want {
		if got[i].Key != w.key || got[i].Line != w.line || errors.Is(got[i], ErrUnknownKey) != w.unknown {
			t.Errorf("problem %d = {Key %q, Line %d, unknown %t}, want {%q, %d, %t} (%v)",
				i, got[i].Key, got[i].Line, errors.Is(got[i], ErrUnknownKey), w.key, w.line, w.unknown, got[i])
		}
	}
}

func TestParseSyntaxErrorLine(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		line  int
	}{
		{"missing value", "hostname = \"a.test\"\n\ndata_dir =\n", 3},
		{"unclosed string", "[listen]\nsmtp = \"127.0.0.1:25\n", 2},
		{"duplicate key", "[log]\nlevel = \"info\"\nlevel = \"debug\"\n", 3},
		{"duplicate table", "[dns]\n[tls]\n[dns]\n", 3},
		{"bad table header", "hostname = \"a.test\"\n[limits x]\n", 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tc.input))
			var ke *KeyError
			if !errors.As(err, &ke) {
				t.Fatalf("Parse error = %v, want a *KeyError", err)
			}
			if ke.Line != tc.line {
				t.Errorf("Line = %d, want %d (%v)", ke.Line, tc.line, err)
			}
			if n := len(keyErrors(err)); n != 1 {
				t.Errorf("got %d errors, want the syntax error alone:\n%v", n, err)
			}
		})
	}
}

func TestParseValueErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		key   string
		line  int
	}{
		{"bad address", "\n[listen]\nimaps = \"::1:993\"\n", "listen.imaps", 3},
		{"host name as address", "[listen]\nhttp = \"localhost:8080\"\n", "listen.http", 2},
		{"bad size unit", "[limits]\nmessage_size = \"25MB/s\"\n", "limits.message_size", 2},
		{"bad duration", "[limits]\n\nlogin_window = \"15\"\n", "limits.login_window", 3},
		{"string for integer", "[limits]\nrecipients = \"100\"\n", "limits.recipients", 2},
		{"integer for string", "hostname = 42\n", "hostname", 1},
		{"string for array", "domains = \"a.test\"\n", "domains", 1},
		{"array for string", "data_dir = [\"x\"]\n", "data_dir", 0},
		{"section not a table", "log = \"debug\"\n", "log", 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tc.input))
			got := keyErrors(err)
			if len(got) != 1 {
				t.Fatalf("got %d problems, want 1:\n%v", len(got), err)
			}
			if got[0].Key != tc.key || got[0].Line != tc.line {
				t.Errorf("got {Key %q, Line %d}, want {%q, %d} (%v)", got[0].Key, got[0].Line, tc.key, tc.line, err)
			}
		})
	}
}

func TestParseUnknownKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		input string
		keys  []string
	}{
		{"top level", "hostnme = \"a.test\"\n", []string{"hostnme"}},
		{"in section", "[limits]\nrecipient = 5\n", []string{"limits.recipient"}},
		{"option in wrong section", "[tls]\nlevel = \"debug\"\n", []string{"tls.level"}},
		{"unknown section reported once", "[spool]\nretries = 3\n[spool.backoff]\nmax = \"1h\"\n", []string{"spool"}},
		{"wrong case", "Hostname = \"a.test\"\n[LOG]\nlevel = \"info\"\n", []string{"Hostname", "LOG"}},
		{"dotted key", "limits.smtp_timeout = \"5m\"\n", []string{"limits.smtp_timeout"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tc.input))
			var keys []string
			for _, ke := range keyErrors(err) {
				if !errors.Is(ke, ErrUnknownKey) {
					t.Errorf("unexpected problem: %v", ke)
					continue
				}
				keys = append(keys, ke.Key)
			}
			if !slices.Equal(keys, tc.keys) {
				t.Errorf("unknown keys = %q, want %q\n%v", keys, tc.keys, err)
			}
		})
	}
}

func TestParseOverridesDefaults(t *testing.T) {
	t.Parallel()
	const input = `
hostname = "MX.Example.ORG"
domains = ["Example.org", "example.net"]

[listen]
smtp = "[::]:25"
imap = ""

[limits]
message_size = 10485760
smtp_data_timeout = "45m"

[dns]
servers = ["192.0.2.53", "[2001:db8::53]:5353"]
`
	got, err := Parse([]byte(input))
	if err != nil {
		t.Fatalf("Parse error:\n%v", err)
	}
	want := Default()
	want.Hostname = "mx.example.org"
	want.Domains = []string{"example.org", "example.net"}
	want.Listen.SMTP = mustAddr(t, "[::]:25")
	want.Listen.IMAP = Addr{}
	want.Limits.MessageSize = 10 * MiB
	want.Limits.SMTPDataTimeout = Duration{45 * time.Minute}
	want.DNS.Servers = []string{"192.0.2.53", "[2001:db8::53]:5353"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Parse:\ngot  %+v\nwant %+v", got, want)
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.toml")
	if err := os.WriteFile(good, []byte("hostname = \"mx.example.org\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load(good)
	if err != nil {
		t.Fatalf("Load(%s) error: %v", good, err)
	}
	if c.Hostname != "mx.example.org" {
		t.Errorf("Hostname = %q, want mx.example.org", c.Hostname)
	}

	bad := filepath.Join(dir, "bad.toml")
	if err := os.WriteFile(bad, []byte("[limits]\nrecipients = 0\nsize = 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = Load(bad)
	if keys := errorKeys(err); !slices.Equal(keys, []string{"limits.recipients", "limits.size"}) {
		t.Errorf("Load(bad) problems at %q, want limits.recipients and limits.size:\n%v", keys, err)
	}

	if _, err := Load(filepath.Join(dir, "missing.toml")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) error = %v, want fs.ErrNotExist", err)
	}
}

// mustAddr parses s as an Addr or fails the test.
func mustAddr(t *testing.T, s string) Addr {
	t.Helper()
	var a Addr
	if err := a.UnmarshalText([]byte(s)); err != nil {
		t.Fatal(err)
	}
	return a
}
