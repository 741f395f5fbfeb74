package main

import (
	"testing"
	"time"
)

func TestFormatting(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, got, want string
	}{
		{"group small", group(999), "999"},
		{"group thousands", group(100_000), "100,000"},
		{"group millions", group(1_234_567), "1,234,567"},
		{"group negative", group(-1234), "-1,234"},
		{"dur µs", dur(850 * time.Microsecond), "850 µs"},
		{"dur ms", dur(12300 * time.Microsecond), "12.3 ms"},
		{"dur hundreds of ms", dur(250 * time.Millisecond), "250 ms"},
		{"dur s", dur(1420 * time.Millisecond), "1.42 s"},
		{"bytesize B", bytesize(1000), "1000 B"},
		{"bytesize KiB", bytesize(1536), "1.5 KiB"},
		{"bytesize GiB", bytesize(3 << 30), "3.00 GiB"},
		{"mib", mib(150 << 10), "150.0 MiB"},
		{"plural one", plural(1, "connection"), "1 connection"},
		{"plural many", plural(16, "connection"), "16 connections"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.got != tc.want {
				t.Errorf("got %q, want %q", tc.got, tc.want)
			}
		})
	}
}

func TestTargetsNotMeasuredFail(t *testing.T) {
	t.Parallel()
	r := &benchReport{Opts: options{small: imapTargetSize}}
	for _, row := range r.targets() {
		if row.measured != "not measured" || row.verdict == verdict(true) {
			t.Errorf("%s: %q %q, want a failure when nothing ran", row.what, row.measured, row.verdict)
		}
	}
	r.MX = []mxResult{{mxCase: mxCase{4 << 10, 16}, Messages: 25_000, Elapsed: 10 * time.Second}}
	if row := r.targets()[0]; row.verdict != verdict(true) {
		t.Errorf("2,500 msgs/s at 16 connections: %q, want a pass", row.verdict)
	}
	r.MX[0].Errors = 1
	if row := r.targets()[0]; row.verdict == verdict(true) {
		t.Errorf("with an error: %q, want a failure", row.verdict)
	}
}
