package conf

import (
	"testing"
	"time"
)

func TestPeriodUnmarshalText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"forever", 0, false},
		{"90d", 90 * 24 * time.Hour, false},
		{"10y", 10 * 365 * 24 * time.Hour, false},
		{"1d", 24 * time.Hour, false},
		{"0d", 0, true},
		{"-3d", 0, true},
		{"12h", 0, true},
		{"", 0, true},
		{"y", 0, true},
		{"1.5y", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			var p Period
			err := p.UnmarshalText([]byte(tc.in))
			if (err != nil) != tc.wantErr || (err == nil && p.Duration != tc.want) {
				t.Fatalf("UnmarshalText(%q) = %v, %v; want %v, error %v", tc.in, p.Duration, err, tc.want, tc.wantErr)
			}
			if err == nil {
				var back Period
				if err := back.UnmarshalText([]byte(p.String())); err != nil || back != p {
					t.Fatalf("%q → %s does not read back: %v", tc.in, p, err)
				}
			}
		})
	}
}

func TestArchiveRetentionParse(t *testing.T) {
	t.Parallel()
	for _, doc := range []string{
		"[archive.retention]\ndsn = \"365d\"\nack = \"2y\"\n",
		"[archive]\nretention = { dsn = \"365d\", ack = \"2y\" }\n",
	} {
		c, err := Parse([]byte(doc))
		if err != nil {
			t.Fatalf("%s: %v", doc, err)
		}
		got := c.Archive.Retention.ByCategory()
		if got["dsn"] != 365*24*time.Hour || got["ack"] != 730*24*time.Hour || got["in"] != 0 || len(got) != 6 {
			t.Fatalf("%s: retention %v", doc, got)
		}
	}
	if _, err := Parse([]byte("[archive.retention]\nspam = \"1d\"\n")); err == nil {
		t.Fatal("unknown category accepted")
	}
	if _, err := Parse([]byte("[archive.retention]\ndsn = \"soon\"\n")); err == nil {
		t.Fatal("bad period accepted")
	}
}
