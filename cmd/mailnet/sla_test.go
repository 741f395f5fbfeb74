package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSLADue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, received string
		want           []string
	}{
		{"monday", "2027-01-11T10:00:00+01:00", []string{
			"due:    2027-01-14T10:00:00+01:00", "notice: 2027-01-13T10:00:00+01:00"}},
		{"friday", "2027-01-15T15:00:00Z", []string{
			"due:    2027-01-20T16:00:00+01:00", "notice: 2027-01-19T16:00:00+01:00", "Sat 2027-01-16  closed: weekend"}},
		{"saturday", "2027-01-16T11:00:00+01:00", []string{
			"due:    2027-01-21T00:00:00+01:00", "notice: 2027-01-20T00:00:00+01:00", "clock starts Mon 2027-01-18 00:00 CET"}},
		{"christmas", "2026-12-24T15:00:00+01:00", []string{
			"due:    2026-12-30T15:00:00+01:00", "closed: public holiday Noël"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := runCLI(t, "", "sla", "due", "--received", tc.received)
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range tc.want {
				if !strings.Contains(out, want) {
					t.Errorf("sla due --received %s lacks %q:\n%s", tc.received, want, out)
				}
			}
		})
	}
}

func TestSLADueConfig(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "mailnet.toml")
	cfg := "[sla]\nrule = \"office_hours\"\nhours = 8\nextra_closed = [\"2027-01-12\"]\n"
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, "", "sla", "due", "--received", "2027-01-11T16:30:00+01:00", "--config", path)
	if err != nil || !strings.Contains(out, "due:    2027-01-13T16:30:00+01:00") || !strings.Contains(out, "closed day (configured)") {
		t.Fatalf("sla due with office hours: %v\n%s", err, out)
	}
}

func TestSLADueUsage(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"sla"}, {"sla", "list", "extra"}, {"sla", "due"}, {"sla", "due", "--received", "x", "extra"}} {
		if _, err := runCLI(t, "", args...); !errors.Is(err, errUsage) {
			t.Errorf("%q: %v, want errUsage", args, err)
		}
	}
	if _, err := runCLI(t, "", "sla", "due", "--received", "2027-01-11 10:00"); err == nil || errors.Is(err, errUsage) {
		t.Errorf("bad time: %v", err)
	}
}
