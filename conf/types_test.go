package conf

import (
	"net/netip"
	"testing"
	"time"
)

func TestSizeUnmarshalText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    Size
		wantErr bool
	}{
		{in: "0", want: 0},
		{in: "26214400", want: 25 * MiB},
		{in: "25MiB", want: 25 * MiB},
		{in: "512KiB", want: 512 * KiB},
		{in: "1GiB", want: GiB},
		{in: "10MB", want: 10_000_000},
		{in: "2KB", want: 2000},
		{in: "3GB", want: 3_000_000_000},
		{in: "100B", want: 100},
		{in: "25 MiB", want: 25 * MiB},
		{in: "25mib", want: 25 * MiB},
		{in: "", wantErr: true},
		{in: "MiB", wantErr: true},
		{in: "-1", wantErr: true},
		{in: "+1", wantErr: true},
		{in: " 1", wantErr: true},
		{in: "1.5MiB", wantErr: true},
		{in: "25MiBs", wantErr: true},
		{in: "25TB", wantErr: true},
		{in: "1e6", wantErr: true},
		{in: "9223372036854775807", want: 1<<63 - 1},
		{in: "9223372036854775808", wantErr: true},
		{in: "9007199254740992KiB", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			var got Size
			err := got.UnmarshalText([]byte(tc.in))
			if tc.wantErr {
				if err == nil {
					t.Errorf("UnmarshalText(%q) = %d, want an error", tc.in, got)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("UnmarshalText(%q) = %d, %v; want %d", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestSizeString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   Size
		want string
	}{
		{0, "0"},
		{1, "1"},
		{1023, "1023"},
		{KiB, "1KiB"},
		{1000, "1KB"},
		{25 * MiB, "25MiB"},
		{GiB, "1GiB"},
		{10 * MB, "10MB"},
		{1536 * KiB, "1536KiB"},
		{-5, "-5"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			t.Parallel()
			if got := tc.in.String(); got != tc.want {
				t.Errorf("Size(%d).String() = %q, want %q", int64(tc.in), got, tc.want)
			}
			if tc.in < 0 {
				return
			}
			var back Size
			if err := back.UnmarshalText([]byte(tc.want)); err != nil || back != tc.in {
				t.Errorf("UnmarshalText(%q) = %d, %v; want %d", tc.want, back, err, tc.in)
			}
		})
	}
}

func TestDurationUnmarshalText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{in: "5m", want: 5 * time.Minute},
		{in: "1h30m", want: 90 * time.Minute},
		{in: "500ms", want: 500 * time.Millisecond},
		{in: "0s", want: 0},
		{in: "-1s", want: -time.Second}, // parses; Validate rejects it
		{in: "", wantErr: true},
		{in: "5", wantErr: true},
		{in: "5 minutes", wantErr: true},
		{in: "1d", wantErr: true},
		{in: "m5", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			var got Duration
			err := got.UnmarshalText([]byte(tc.in))
			if tc.wantErr {
				if err == nil {
					t.Errorf("UnmarshalText(%q) = %v, want an error", tc.in, got)
				}
				return
			}
			if err != nil || got.Duration != tc.want {
				t.Errorf("UnmarshalText(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestDurationString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"},
		{5 * time.Second, "5s"},
		{5 * time.Minute, "5m"},
		{time.Hour, "1h"},
		{90 * time.Minute, "1h30m"},
		{time.Hour + 10*time.Minute, "1h10m"},
		{2*time.Hour + 5*time.Second, "2h0m5s"},
		{1500 * time.Millisecond, "1.5s"},
		{-5 * time.Minute, "-5m"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			t.Parallel()
			d := Duration{tc.in}
			if got := d.String(); got != tc.want {
				t.Errorf("Duration(%v).String() = %q, want %q", tc.in, got, tc.want)
			}
			var back Duration
			if err := back.UnmarshalText([]byte(tc.want)); err != nil || back != d {
				t.Errorf("UnmarshalText(%q) = %v, %v; want %v", tc.want, back, err, d)
			}
		})
	}
}

func TestAddrUnmarshalText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    netip.AddrPort // zero: disabled
		wantErr bool
	}{
		{in: "127.0.0.1:2525", want: netip.MustParseAddrPort("127.0.0.1:2525")},
		{in: "[::1]:1993", want: netip.MustParseAddrPort("[::1]:1993")},
		{in: "0.0.0.0:25", want: netip.MustParseAddrPort("0.0.0.0:25")},
		{in: "[::]:25", want: netip.MustParseAddrPort("[::]:25")},
		{in: "127.0.0.1:0", want: netip.MustParseAddrPort("127.0.0.1:0")},
		{in: "[fe80::1%eth0]:25", want: netip.MustParseAddrPort("[fe80::1%eth0]:25")},
		{in: ""},
		{in: "localhost:25", wantErr: true},
		{in: "127.0.0.1", wantErr: true},
		{in: ":25", wantErr: true},
		{in: "::1:25", wantErr: true},
		{in: "127.0.0.1:65536", wantErr: true},
		{in: "127.0.0.1:-1", wantErr: true},
		{in: " 127.0.0.1:25", wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			t.Parallel()
			got := Addr{netip.MustParseAddrPort("192.0.2.1:1")} // must be overwritten
			err := got.UnmarshalText([]byte(tc.in))
			if tc.wantErr {
				if err == nil {
					t.Errorf("UnmarshalText(%q) = %v, want an error", tc.in, got)
				}
				return
			}
			if err != nil || got.AddrPort != tc.want {
				t.Fatalf("UnmarshalText(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
			}
			if got.IsSet() != tc.want.IsValid() {
				t.Errorf("IsSet() = %t, want %t", got.IsSet(), tc.want.IsValid())
			}
			text, err := got.MarshalText()
			if err != nil || string(text) != tc.in || got.String() != tc.in {
				t.Errorf("MarshalText() = %q, %v and String() = %q; want %q", text, err, got.String(), tc.in)
			}
		})
	}
}

func TestPrefixUnmarshalText(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"10.1.2.3/8": "10.0.0.0/8", "192.0.2.7": "192.0.2.7/32", "::1": "::1/128", "2001:db8::/32": "2001:db8::/32"} {
		var p Prefix
		if err := p.UnmarshalText([]byte(in)); err != nil || p.String() != want {
			t.Errorf("Prefix(%q) = %s, %v; want %s", in, p, err, want)
		}
	}
	for _, bad := range []string{"", "10.0.0.0/33", "host.example", "10.0.0.0/"} {
		var p Prefix
		if err := p.UnmarshalText([]byte(bad)); err == nil {
			t.Errorf("Prefix(%q) accepted as %s", bad, p)
		}
	}
}
