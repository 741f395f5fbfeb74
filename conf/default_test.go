package conf

import (
	"bufio"
	"bytes"
	"reflect"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func TestDefaultValidates(t *testing.T) {
	t.Parallel()
	if err := Default().Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
}

func TestDefaultIsFresh(t *testing.T) {
	t.Parallel()
	a := Default()
	a.Domains[0] = "changed.test"
	if got := Default().Domains[0]; got != "mailnet.test" {
		t.Fatalf("Default() shares state: Domains[0] = %q after changing another Default()", got)
	}
}

func TestDefaultTOMLRoundTrip(t *testing.T) {
	t.Parallel()
	got, err := Parse(DefaultTOML())
	if err != nil {
		t.Fatalf("Parse(DefaultTOML()) error:\n%v", err)
	}
	if want := Default(); !reflect.DeepEqual(got, want) {
		t.Fatalf("Parse(DefaultTOML()) differs from Default():\ngot  %+v\nwant %+v", got, want)
	}
}

// TestDefaultTOMLSetsEveryKey guards against an option being added to Config
// and Default but not to default.toml: the round trip alone would not see
// it, since Parse decodes over Default.
func TestDefaultTOMLSetsEveryKey(t *testing.T) {
	t.Parallel()
	var m map[string]any
	md, err := toml.Decode(string(DefaultTOML()), &m)
	if err != nil {
		t.Fatal(err)
	}
	for key := range knownKeys(reflect.TypeFor[Config]()) {
		if !md.IsDefined(strings.Split(key, ".")...) {
			t.Errorf("default.toml does not set %s", key)
		}
	}
}

// TestDefaultTOMLCommentsEveryKey checks that a comment precedes each option
// in default.toml.
func TestDefaultTOMLCommentsEveryKey(t *testing.T) {
	t.Parallel()
	sc := bufio.NewScanner(bytes.NewReader(DefaultTOML()))
	prev := ""
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if strings.Contains(line, "=") && !strings.HasPrefix(line, "#") && !strings.HasPrefix(prev, "#") {
			t.Errorf("default.toml:%d: %q has no comment above it", n, line)
		}
		prev = line
	}
}

// TestDefaultEncodeRoundTrip checks that Default, written by a TOML encoder
// through the MarshalText methods, reads back unchanged.
func TestDefaultEncodeRoundTrip(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := toml.NewEncoder(&buf).Encode(Default()); err != nil {
		t.Fatalf("encode: %v", err)
	}
	got, err := Parse(buf.Bytes())
	if err != nil {
		t.Fatalf("Parse(encoded Default()) error:\n%v\ninput:\n%s", err, buf.String())
	}
	if want := Default(); !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip differs:\ngot  %+v\nwant %+v\ninput:\n%s", got, want, buf.String())
	}
}
