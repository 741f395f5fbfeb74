package main

import (
	"os"
	"testing"
	"time"
)

func TestParseProcStatCPU(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    time.Duration
		wantErr bool
	}{
		{"plain", "10485 (cat) R 10482 10482 661 0 -1 4194304 100 0 0 0 250 50 0 0 20 0 1 0 457707", 3 * time.Second, false},
		{"name with spaces and parentheses", "42 (my (odd) name) S 1 42 42 0 -1 0 0 0 0 0 7 3 0 0 20 0 1 0 1", 100 * time.Millisecond, false},
		{"no name", "42 S 1 42", 0, true},
		{"too short", "42 (x) S 1 2 3", 0, true},
		{"not a number", "42 (x) S 1 42 42 0 -1 0 0 0 0 0 x 3 0 0", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseProcStatCPU([]byte(tc.in))
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("parseProcStatCPU(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestParseProcIOWrites(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    int64
		wantErr bool
	}{
		{"full", "rchar: 6976\nwchar: 0\nsyscr: 10\nsyscw: 0\nread_bytes: 0\nwrite_bytes: 1048576\ncancelled_write_bytes: 0\n", 1 << 20, false},
		{"cancelled only", "cancelled_write_bytes: 5\n", 0, true},
		{"empty", "", 0, true},
		{"bad number", "write_bytes: lots\n", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseProcIOWrites([]byte(tc.in))
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Errorf("parseProcIOWrites(%q) = %v, %v; want %v, error %v", tc.in, got, err, tc.want, tc.wantErr)
			}
		})
	}
}

func TestReadCountersSelf(t *testing.T) {
	t.Parallel()
	c, err := readCounters(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if c.CPU < 0 || c.Written < -1 {
		t.Errorf("implausible counters: %+v", c)
	}
}
