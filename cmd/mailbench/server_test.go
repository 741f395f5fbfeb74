package main

import (
	"maps"
	"testing"
)

func TestLogfmtFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		line string
		want map[string]string
	}{
		{"plain", `time=2026-11-23T10:00:00.000+01:00 level=INFO msg=listening proto=smtp addr=127.0.0.1:40123`,
			map[string]string{"time": "2026-11-23T10:00:00.000+01:00", "level": "INFO", "msg": "listening", "proto": "smtp", "addr": "127.0.0.1:40123"}},
		{"quoted with escapes", `level=INFO msg="mailnet started" domains="[mailnet.test]" note="a \"b\" c"`,
			map[string]string{"level": "INFO", "msg": "mailnet started", "domains": "[mailnet.test]", "note": `a "b" c`}},
		{"empty value", `msg= level=WARN`, map[string]string{"msg": "", "level": "WARN"}},
		{"unterminated quote keeps what came before", `level=ERROR msg="oops`, map[string]string{"level": "ERROR"}},
		{"not logfmt", `panic: runtime error`, map[string]string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := logfmtFields(tc.line); !maps.Equal(got, tc.want) {
				t.Errorf("logfmtFields(%q) = %v, want %v", tc.line, got, tc.want)
			}
		})
	}
}

func TestParseListening(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		line     string
		wantName string
		wantAddr string
		wantOK   bool
	}{
		{"smtp", `time=2026-11-23T10:00:00.000+01:00 level=INFO msg=listening proto=smtp addr=127.0.0.1:40123`, "smtp", "127.0.0.1:40123", true},
		{"imaps", `level=INFO msg=listening proto=imaps addr=127.0.0.1:1993`, "imaps", "127.0.0.1:1993", true},
		{"IPv6", `level=INFO msg=listening proto=imap addr=[::1]:1143`, "imap", "[::1]:1143", true},
		{"quoted message", `level=INFO msg="listening" proto=submission addr=127.0.0.1:2587`, "submission", "127.0.0.1:2587", true},
		{"other message", `level=INFO msg="mailnet started" hostname=localhost`, "", "", false},
		{"port 0 is not bound", `level=INFO msg=listening proto=smtp addr=127.0.0.1:0`, "", "", false},
		{"host name instead of IP", `level=INFO msg=listening proto=smtp addr=localhost:25`, "", "", false},
		{"no proto", `level=INFO msg=listening addr=127.0.0.1:25`, "", "", false},
		{"listener error", `level=ERROR msg="listener stopped" proto=smtp err="accept: too many open files"`, "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			name, addr, ok := parseListening(logfmtFields(tc.line))
			if name != tc.wantName || addr != tc.wantAddr || ok != tc.wantOK {
				t.Errorf("parseListening(%q) = %q, %q, %v; want %q, %q, %v", tc.line, name, addr, ok, tc.wantName, tc.wantAddr, tc.wantOK)
			}
		})
	}
}
