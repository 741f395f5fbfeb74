package auth

import (
	"encoding/base64"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestHashVerifyRoundTrip(t *testing.T) {
	t.Parallel()
	for _, pw := range []string{"", "a", mariePassword, "pässwörd ✓", strings.Repeat("x", 1000), "with\x00nul"} {
		encoded, err := HashPasswordParams(pw, testParams)
		if err != nil {
			t.Fatalf("hash %q: %v", pw, err)
		}
		ok, err := VerifyPassword(encoded, pw)
		if err != nil || !ok {
			t.Errorf("verify %q = %v, %v; want true, nil", pw, ok, err)
		}
		ok, err = VerifyPassword(encoded, pw+"x")
		if err != nil || ok {
			t.Errorf("verify wrong password for %q = %v, %v; want false, nil", pw, ok, err)
		}
	}
}

func TestHashPasswordDefaultParams(t *testing.T) {
	t.Parallel()
	encoded, err := HashPassword(mariePassword)
	if err != nil {
		t.Fatal(err)
	}
	if want := "$argon2id$v=19$m=19456,t=2,p=1$"; !strings.HasPrefix(encoded, want) {
		t.Errorf("hash %q does not start with %q", encoded, want)
	}
	ok, err := VerifyPassword(encoded, mariePassword)
	if err != nil || !ok {
		t.Errorf("verify = %v, %v; want true, nil", ok, err)
	}
}

func TestHashPHCFormat(t *testing.T) {
	t.Parallel()
	p := Params{Memory: 72, Time: 3, Threads: 2, SaltLen: 12, KeyLen: 20}
	encoded, err := HashPasswordParams("pw", p)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 {
		t.Fatalf("hash %q has %d $-fields, want 6", encoded, len(parts))
	}
	if got, want := strings.Join(parts[:4], "$"), "$argon2id$v=19$m=72,t=3,p=2"; got != want {
		t.Errorf("head = %q, want %q", got, want)
	}
	for i, wantLen := range map[int]int{4: 12, 5: 20} {
		if strings.ContainsAny(parts[i], "=-_") {
			t.Errorf("field %d = %q: want unpadded standard base64", i, parts[i])
		}
		b, err := base64.RawStdEncoding.DecodeString(parts[i])
		if err != nil || len(b) != wantLen {
			t.Errorf("field %d decodes to %d bytes, %v; want %d", i, len(b), err, wantLen)
		}
	}
	h, err := parseHash(encoded)
	if err != nil {
		t.Fatal(err)
	}
	if h.params != p {
		t.Errorf("parsed params = %+v, want %+v", h.params, p)
	}
	if h.String() != encoded {
		t.Errorf("re-encoded = %q, want %q", h.String(), encoded)
	}
}

// TestVerifyReferenceVector checks interoperability with the argon2
// reference implementation's command-line tool:
// `echo -n password | argon2 somesalt -id -t 2 -m 16 -p 4 -l 32 -e`.
func TestVerifyReferenceVector(t *testing.T) {
	t.Parallel()
	const encoded = "$argon2id$v=19$m=65536,t=2,p=4$c29tZXNhbHQ$GpZ3sK/oH9p7VIiV56G/64Zo/8GaUw434IimaPqxwCo"
	ok, err := VerifyPassword(encoded, "password")
	if err != nil || !ok {
		t.Errorf("verify = %v, %v; want true, nil", ok, err)
	}
}

func TestHashDifferentSalts(t *testing.T) {
	t.Parallel()
	seen := make(map[string]bool)
	for range 20 {
		encoded, err := HashPasswordParams("same", testParams)
		if err != nil {
			t.Fatal(err)
		}
		h, err := parseHash(encoded)
		if err != nil {
			t.Fatal(err)
		}
		if seen[string(h.salt)] {
			t.Fatalf("salt %x used twice", h.salt)
		}
		seen[string(h.salt)] = true
	}
}

func TestVerifyMalformed(t *testing.T) {
	t.Parallel()
	good, err := HashPasswordParams("pw", testParams)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "$")
	salt, key := parts[4], parts[5]
	with := func(i int, v string) string {
		p := append([]string(nil), parts...)
		p[i] = v
		return strings.Join(p, "$")
	}
	tests := []struct {
		name, encoded string
	}{
		{"empty", ""},
		{"garbage", "not a hash"},
		{"dollars only", "$$$$$"},
		{"too many fields", good + "$x"},
		{"no leading dollar", strings.TrimPrefix(good, "$")},
		{"argon2i", with(1, "argon2i")},
		{"bcrypt", "$2a$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"},
		{"version 16", with(2, "v=16")},
		{"version missing", "$argon2id$m=64,t=1,p=1$" + salt + "$" + key},
		{"cost order", with(3, "t=1,m=64,p=1")},
		{"cost extra", with(3, "m=64,t=1,p=1,keyid=x")},
		{"cost missing", with(3, "m=64,t=1")},
		{"cost empty value", with(3, "m=,t=1,p=1")},
		{"cost leading zero", with(3, "m=064,t=1,p=1")},
		{"cost sign", with(3, "m=+64,t=1,p=1")},
		{"cost negative", with(3, "m=64,t=-1,p=1")},
		{"cost not number", with(3, "m=lots,t=1,p=1")},
		{"memory overflow", with(3, "m=4294967296,t=1,p=1")},
		{"memory too big", with(3, "m=4294967295,t=1,p=1")},
		{"memory below 8p", with(3, "m=8,t=1,p=2")},
		{"time zero", with(3, "m=64,t=0,p=1")},
		{"time too big", with(3, "m=64,t=1000000,p=1")},
		{"threads zero", with(3, "m=64,t=1,p=0")},
		{"threads overflow", with(3, "m=64,t=1,p=256")},
		{"threads too many", with(3, "m=1024,t=1,p=17")},
		{"salt empty", with(4, "")},
		{"salt short", with(4, "c2FsdA")},
		{"salt padded", with(4, salt+"==")},
		{"salt not base64", with(4, "!!!!!!!!!!!!!!!!!!!!!!")},
		{"salt url base64", with(4, strings.Repeat("-", 22))},
		{"salt non-canonical", with(4, salt[:len(salt)-1]+"B")},
		{"key empty", with(5, "")},
		{"key short", with(5, "a2V5")},
		{"key too long", with(5, base64.RawStdEncoding.EncodeToString(make([]byte, 65)))},
		{"key not base64", with(5, "*"+key[1:])},
		{"key with CR", with(5, key[:10]+"\r"+key[10:])},
		{"salt with LF", with(4, salt[:4]+"\n"+salt[4:])},
		{"too long", good + strings.Repeat("A", maxHashLen)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ok, err := VerifyPassword(tc.encoded, "pw")
			if ok || !errors.Is(err, ErrMalformedHash) {
				t.Errorf("VerifyPassword(%q) = %v, %v; want false, ErrMalformedHash", tc.encoded, ok, err)
			}
		})
	}
}

func TestParamsValidate(t *testing.T) {
	t.Parallel()
	if err := DefaultParams.Validate(); err != nil {
		t.Errorf("DefaultParams: %v", err)
	}
	if err := testParams.Validate(); err != nil {
		t.Errorf("testParams: %v", err)
	}
	bad := map[string]func(*Params){
		"zero threads":    func(p *Params) { p.Threads = 0 },
		"memory below":    func(p *Params) { p.Memory = 7 },
		"memory above":    func(p *Params) { p.Memory = maxMemory + 1 },
		"zero time":       func(p *Params) { p.Time = 0 },
		"short salt":      func(p *Params) { p.SaltLen = 7 },
		"long key":        func(p *Params) { p.KeyLen = 65 },
		"too many passes": func(p *Params) { p.Time = maxTime + 1 },
	}
	for name, mutate := range bad {
		p := testParams
		mutate(&p)
		if err := p.Validate(); !errors.Is(err, ErrInvalidParams) {
			t.Errorf("%s: Validate() = %v, want ErrInvalidParams", name, err)
		}
		if _, err := HashPasswordParams("pw", p); !errors.Is(err, ErrInvalidParams) {
			t.Errorf("%s: HashPasswordParams() = %v, want ErrInvalidParams", name, err)
		}
	}
}

func TestGeneratePassword(t *testing.T) {
	t.Parallel()
	if bits := generatedLen * math.Log2(float64(len(passwordAlphabet))); bits < 100 {
		t.Errorf("entropy %.1f bits, want ≥ 100", bits)
	}
	if len(passwordAlphabet) != 57 {
		t.Errorf("alphabet has %d symbols, want 57 (documented)", len(passwordAlphabet))
	}
	if strings.ContainsAny(passwordAlphabet, "0O1lI") {
		t.Errorf("alphabet %q holds an ambiguous symbol", passwordAlphabet)
	}
	for i, c := range passwordAlphabet {
		if strings.IndexRune(passwordAlphabet, c) != i {
			t.Errorf("alphabet repeats %q", c)
		}
	}
	seen := make(map[string]bool)
	used := make(map[rune]bool)
	for range 1000 {
		pw, err := GeneratePassword()
		if err != nil {
			t.Fatal(err)
		}
		if len(pw) < 20 {
			t.Fatalf("password %q shorter than 20", pw)
		}
		for _, c := range pw {
			if !strings.ContainsRune(passwordAlphabet, c) {
				t.Fatalf("password %q has %q, not in alphabet", pw, c)
			}
			used[c] = true
		}
		if seen[pw] {
			t.Fatalf("password %q generated twice", pw)
		}
		seen[pw] = true
	}
	// 20,000 draws miss a given symbol with probability (56/57)^20000 ≈ 0.
	if len(used) != len(passwordAlphabet) {
		t.Errorf("only %d of %d symbols used in 20,000 draws", len(used), len(passwordAlphabet))
	}
}

func FuzzVerifyPassword(f *testing.F) {
	good, err := HashPasswordParams("pw", testParams)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, "pw")
	f.Add("$argon2id$v=19$m=64,t=1,p=1$c29tZXNhbHRzb21lc2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "")
	f.Add("$argon2id$v=19$m=0,t=0,p=0$$", "x")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, encoded, password string) {
		h, err := parseHash(encoded)
		if err == nil && uint64(h.params.Memory)*uint64(h.params.Time) > 1<<14 {
			// Valid but costly (up to 16 GiB·passes): parsing is what is
			// fuzzed here, not argon2's speed.
			t.Skip()
		}
		ok, err := VerifyPassword(encoded, password)
		if err != nil && (ok || !errors.Is(err, ErrMalformedHash)) {
			t.Errorf("VerifyPassword = %v, %v; want false and ErrMalformedHash", ok, err)
		}
		if err == nil && h.String() != encoded {
			t.Errorf("accepted non-canonical %q (canonical %q)", encoded, h.String())
		}
	})
}

func BenchmarkHashPassword(b *testing.B) {
	for b.Loop() {
		if _, err := HashPassword(mariePassword); err != nil {
			b.Fatal(err)
		}
	}
}
