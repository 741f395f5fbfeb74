package auth

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeAddress(t *testing.T) {
	t.Parallel()
	local64 := strings.Repeat("a", 64)
	label63 := strings.Repeat("b", 63)
	// 253 octets: three labels of 63, one of 61.
	domain253 := label63 + "." + label63 + "." + label63 + "." + strings.Repeat("c", 61)
	tests := []struct {
		name, in, want string // want "" means ErrInvalidAddress
	}{
		{"simple", "marie@example.org", "marie@example.org"},
		{"lower-cased", "Marie.Dupont@Example.ORG", "marie.dupont@example.org"},
		{"trimmed", " \t marie@example.org\r\n", "marie@example.org"},
		{"atext specials", "a!#$%&'*+-/=?^_`{|}~z@example.org", "a!#$%&'*+-/=?^_`{|}~z@example.org"},
		{"dotted local", "a.b.c@example.org", "a.b.c@example.org"},
		{"single-label domain", "root@localhost", "root@localhost"},
		{"digits and hyphens", "x@123-abc.ex-ample.org", "x@123-abc.ex-ample.org"},
		{"numeric inner label", "x@1.2.3.example", "x@1.2.3.example"},
		{"punycode", "x@xn--caf-dma.fr", "x@xn--caf-dma.fr"},
		{"local 64", local64 + "@example.org", local64 + "@example.org"},
		{"label 63", "x@" + label63 + ".org", "x@" + label63 + ".org"},

		{"empty", "", ""},
		{"spaces only", "   ", ""},
		{"no at", "marie.example.org", ""},
		{"two ats", "marie@dupont@example.org", ""},
		{"empty local", "@example.org", ""},
		{"empty domain", "marie@", ""},
		{"inner space", "marie dupont@example.org", ""},
		{"space before at", "marie @example.org", ""},
		{"tab in domain", "marie@exa\tmple.org", ""},
		{"control char", "ma\x00rie@example.org", ""},
		{"del char", "ma\x7frie@example.org", ""},
		{"leading dot", ".marie@example.org", ""},
		{"trailing dot local", "marie.@example.org", ""},
		{"double dot local", "ma..rie@example.org", ""},
		{"quoted local", `"marie dupont"@example.org`, ""},
		{"specials", "ma(rie)@example.org", ""},
		{"comma", "a,b@example.org", ""},
		{"utf-8 local", "mårie@example.org", ""},
		{"kelvin sign", "\u212a@example.org", ""},
		{"utf-8 domain", "marie@exämple.org", ""},
		{"invalid utf-8", "ma\xffrie@example.org", ""},
		{"local 65", local64 + "a@example.org", ""},
		{"label 64", "x@" + label63 + "b.org", ""},
		{"domain 253 but address too long", "x@" + domain253, ""},
		{"domain leading dot", "x@.example.org", ""},
		{"domain trailing dot", "x@example.org.", ""},
		{"domain double dot", "x@example..org", ""},
		{"label leading hyphen", "x@-example.org", ""},
		{"label trailing hyphen", "x@example-.org", ""},
		{"underscore in domain", "x@ex_ample.org", ""},
		{"ipv4 literal", "x@[192.0.2.1]", ""},
		{"ipv4 as name", "x@192.0.2.1", ""},
		{"numeric tld", "x@example.123", ""},
		{"angle brackets", "<marie@example.org>", ""},
		{"display name", "Marie <marie@example.org>", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := NormalizeAddress(tc.in)
			if tc.want == "" {
				if !errors.Is(err, ErrInvalidAddress) {
					t.Errorf("NormalizeAddress(%q) = %q, %v; want ErrInvalidAddress", tc.in, got, err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("NormalizeAddress(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestNormalizeAddressLengthLimit(t *testing.T) {
	t.Parallel()
	// 64 + 1 + 189 = 254 octets: accepted; one more is not.
	local := strings.Repeat("l", 64)
	domain := strings.Repeat("d", 63) + "." + strings.Repeat("d", 63) + "." + strings.Repeat("d", 61)
	if _, err := NormalizeAddress(local + "@" + domain); err != nil {
		t.Errorf("254 octets: %v", err)
	}
	if _, err := NormalizeAddress(local + "@x" + domain); !errors.Is(err, ErrInvalidAddress) {
		t.Errorf("255 octets: %v, want ErrInvalidAddress", err)
	}
	domain253 := domain + "." + strings.Repeat("e", 63)
	if len(domain253) != 253 || !validDomain(domain253) || validDomain(domain253+"e") {
		t.Errorf("domain of %d octets: want 253 accepted, 254 refused", len(domain253))
	}
}

func FuzzNormalizeAddress(f *testing.F) {
	for _, s := range []string{"marie@example.org", " A.B@C.D ", "x@[1.2.3.4]", "@", "a@b@c", "\u212a@k.org", "x@1.2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := NormalizeAddress(s)
		if err != nil {
			if !errors.Is(err, ErrInvalidAddress) || got != "" {
				t.Fatalf("NormalizeAddress(%q) = %q, %v; want \"\" and ErrInvalidAddress", s, got, err)
			}
			return
		}
		if len(got) > maxAddressLen || strings.Count(got, "@") != 1 {
			t.Fatalf("NormalizeAddress(%q) = %q: too long or not one @", s, got)
		}
		for i := 0; i < len(got); i++ {
			if c := got[i]; c <= ' ' || c >= 0x7f || ('A' <= c && c <= 'Z') {
				t.Fatalf("NormalizeAddress(%q) = %q holds %q", s, got, c)
			}
		}
		if !strings.EqualFold(got, strings.TrimSpace(s)) {
			t.Fatalf("NormalizeAddress(%q) = %q: not the input up to case and space", s, got)
		}
		if again, err := NormalizeAddress(got); err != nil || again != got {
			t.Fatalf("NormalizeAddress(%q) = %q, %v; not idempotent", got, again, err)
		}
	})
}
