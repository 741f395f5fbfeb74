package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailnet/server/control"
	"mailnet/storage"
)

const caseloadCSV = `client_id;client_kind;client_name;client_emails;employer_domains;counsellor_email;counsellor_kind;team_id;team_name;agency;manager_emails;expertise
J1;jobseeker;Jean Martin;jean@example.org;;marie@mailnet.test;jobseekers;T1;Emploi;Lyon;boss@mailnet.test;benefits
E1;employer;ACME;rh@acme.fr;acme.fr;paul@mailnet.test;employers;T1;;;;
J2;jobseeker;Zoé;zoe@example.org;;lea@mailnet.test;jobseekers;T2;Jeunes;Lyon;;youth
`

// serveControl opens the store of data and serves its control socket,
// as `mailnet serve` does, until the end of the test.
func serveControl(t *testing.T, data string) *storage.DB {
	t.Helper()
	db, err := storage.Open(filepath.Join(data, dbFile), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	srv, err := control.Listen(control.SocketPath(data), &control.Local{DB: db}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Serve() }()
	t.Cleanup(func() {
		srv.Close()
		<-done
	})
	return db
}

// newCaseloadData returns a data directory with the counsellors' and
// manager's accounts and the caseload file, not yet imported.
func newCaseloadData(t *testing.T) (data, csvPath string) {
	t.Helper()
	data = t.TempDir()
	for _, a := range []string{"marie@mailnet.test", "paul@mailnet.test", "lea@mailnet.test", "boss@mailnet.test"} {
		if _, err := runCLI(t, "", "user", "add", a, "--data", data); err != nil {
			t.Fatal(err)
		}
	}
	csvPath = filepath.Join(t.TempDir(), "caseload.csv")
	if err := os.WriteFile(csvPath, []byte(caseloadCSV), 0o600); err != nil {
		t.Fatal(err)
	}
	return data, csvPath
}

func TestCaseloadImport(t *testing.T) {
	t.Parallel()
	data, file := newCaseloadData(t)
	out, err := runCLI(t, "", "caseload", "import", file, "--dry-run", "--data", data)
	if err != nil || !strings.Contains(out, "clients:     3 created") || !strings.Contains(out, "dry run: nothing written; 8 changes would be made") ||
		!strings.Contains(out, "  client.create J1: created by import") {
		t.Fatalf("dry run:\n%s%v", out, err)
	}
	if _, err := runCLI(t, "", "caseload", "show", "J1", "--data", data); !errors.Is(err, control.ErrNoSuchClient) {
		t.Fatalf("dry run wrote: %v", err)
	}
	out, err = runCLI(t, "", "caseload", "import", file, "--data", data)
	if err != nil || !strings.Contains(out, "teams:       2 created, 0 updated, 0 unchanged") || !strings.Contains(out, "8 changes recorded") {
		t.Fatalf("import:\n%s%v", out, err)
	}
	out, err = runCLI(t, "", "caseload", "import", file, "--data", data)
	if err != nil || !strings.Contains(out, "clients:     0 created, 0 updated, 3 unchanged") || !strings.Contains(out, "0 changes recorded") {
		t.Fatalf("second import:\n%s%v", out, err)
	}

	bad := filepath.Join(t.TempDir(), "bad.csv")
	lines := strings.Split(caseloadCSV, "\n")
	lines[1] = strings.Replace(lines[1], "jobseeker;", "robot;", 1)
	lines[3] = strings.Replace(lines[3], "lea@mailnet.test", "not-an-address", 1)
	os.WriteFile(bad, []byte(strings.Join(lines, "\n")), 0o600)
	_, err = runCLI(t, "", "caseload", "import", bad, "--data", data)
	if err == nil || !strings.Contains(err.Error(), "2 bad rows, nothing imported") ||
		!strings.Contains(err.Error(), "\nline 2: ") || !strings.Contains(err.Error(), "\nline 4: ") {
		t.Fatalf("bad rows: %v", err)
	}

	// Parsed fine, refused by the store: a counsellor without an account.
	noAccount := filepath.Join(t.TempDir(), "noaccount.csv")
	os.WriteFile(noAccount, []byte(strings.ReplaceAll(caseloadCSV, "lea@", "max@")), 0o600)
	if _, err := runCLI(t, "", "caseload", "import", noAccount, "--data", data); !errors.Is(err, control.ErrInvalidCaseload) {
		t.Fatalf("import with a missing account: %v", err)
	}
	if out, err := runCLI(t, "", "caseload", "show", "J2", "--data", data); err != nil || !strings.Contains(out, "lea@mailnet.test") {
		t.Fatalf("refused import changed J2:\n%s%v", out, err)
	}
}

func TestCaseloadShowAssignLog(t *testing.T) {
	t.Parallel()
	data, file := newCaseloadData(t)
	if _, err := runCLI(t, "", "caseload", "import", file, "--data", data); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"J1", "Jean@Example.org"} {
		out, err := runCLI(t, "", "caseload", "show", key, "--data", data)
		if err != nil || !strings.Contains(out, "client:     J1 (jobseeker)") || !strings.Contains(out, "emails:     jean@example.org") ||
			!strings.Contains(out, "counsellor: marie@mailnet.test (team T1 Emploi, Lyon)") {
			t.Fatalf("show %s:\n%s%v", key, out, err)
		}
	}
	if out, err := runCLI(t, "", "caseload", "show", "acme.fr", "--data", data); err != nil || !strings.Contains(out, "domains:    acme.fr") {
		t.Fatalf("show by domain:\n%s%v", out, err)
	}
	if out, err := runCLI(t, "", "caseload", "assign", "J1", "Lea@mailnet.test", "--data", data); err != nil || out != "client J1 assigned to lea@mailnet.test\n" {
		t.Fatalf("assign: %q, %v", out, err)
	}
	if out, err := runCLI(t, "", "caseload", "show", "J1", "--data", data); err != nil || !strings.Contains(out, "counsellor: lea@mailnet.test (team T2 Jeunes") {
		t.Fatalf("show after assign:\n%s%v", out, err)
	}
	if _, err := runCLI(t, "", "caseload", "assign", "J1", "boss@mailnet.test", "--data", data); !errors.Is(err, control.ErrNoSuchCounsellor) {
		t.Fatalf("assign to a manager who is no counsellor: %v", err)
	}
	out, err := runCLI(t, "", "caseload", "log", "--since", "8", "--data", data)
	if err != nil || !strings.Contains(out, "client.assign") || !strings.Contains(out, "cli:") ||
		!strings.Contains(out, "counsellor marie@mailnet.test → lea@mailnet.test") || strings.Contains(out, "client.create") {
		t.Fatalf("log --since 8:\n%s%v", out, err)
	}
	if out, err := runCLI(t, "", "caseload", "log", "--limit", "2", "--data", data); err != nil || !strings.Contains(out, "… more: mailnet caseload log --since 2") {
		t.Fatalf("log --limit 2:\n%s%v", out, err)
	}
}

func TestAbsenceCommands(t *testing.T) {
	t.Parallel()
	data, file := newCaseloadData(t)
	if _, err := runCLI(t, "", "caseload", "import", file, "--data", data); err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	from, to := now.Add(-time.Hour).Format(time.RFC3339), now.AddDate(0, 0, 3).Format("2006-01-02")
	if _, err := runCLI(t, "", "absence", "set", "marie@mailnet.test", "--from", from, "--to", to, "--substitute", "lea@mailnet.test", "--data", data); !errors.Is(err, control.ErrWrongTeam) {
		t.Fatalf("substitute from another team: %v", err)
	}
	out, err := runCLI(t, "", "absence", "set", "marie@mailnet.test", "--from", from, "--to", to, "--substitute", "paul@mailnet.test", "--data", data)
	if err != nil || !strings.HasPrefix(out, "absence 1: marie@mailnet.test from ") || !strings.Contains(out, to+" 00:00 CE") {
		t.Fatalf("absence set: %q, %v", out, err)
	}
	if out, err := runCLI(t, "", "caseload", "show", "jean@example.org", "--data", data); err != nil || !strings.Contains(out, "(absence 1), substitute paul@mailnet.test") {
		t.Fatalf("show during absence:\n%s%v", out, err)
	}
	out, err = runCLI(t, "", "absence", "list", "--data", data)
	if err != nil || !strings.Contains(out, "paul@mailnet.test  active") || !strings.Contains(out, "cli:") {
		t.Fatalf("absence list:\n%s%v", out, err)
	}
	if out, err := runCLI(t, "", "absence", "end", "1", "--data", data); err != nil || out != "absence 1 ended\n" {
		t.Fatalf("absence end: %q, %v", out, err)
	}
	if _, err := runCLI(t, "", "absence", "end", "7", "--data", data); !errors.Is(err, control.ErrNoSuchAbsence) {
		t.Fatalf("end unknown absence: %v", err)
	}
	if out, err := runCLI(t, "", "absence", "list", "paul@mailnet.test", "--data", data); err != nil || out != "no absences\n" {
		t.Fatalf("absence list paul: %q, %v", out, err)
	}
	if out, err := runCLI(t, "", "absence", "list", "marie@mailnet.test", "--data", data); err != nil || !strings.Contains(out, "past") {
		t.Fatalf("absence list after end:\n%s%v", out, err)
	}
	if _, err := runCLI(t, "", "absence", "set", "marie@mailnet.test", "--from", "tomorrow", "--to", to, "--substitute", "paul@mailnet.test", "--data", data); !errors.Is(err, errUsage) {
		t.Fatalf("bad date: %v", err)
	}
}

func TestCaseLinkCommands(t *testing.T) {
	t.Parallel()
	data, file := newCaseloadData(t)
	if _, err := runCLI(t, "", "caseload", "import", file, "--data", data); err != nil {
		t.Fatal(err)
	}
	if _, err := runCLI(t, "", "case", "link", "J1", "lea@mailnet.test", "--data", data); !errors.Is(err, errUsage) {
		t.Fatalf("link without reason: %v", err)
	}
	if out, err := runCLI(t, "", "case", "link", "J1", "Lea@mailnet.test", "--reason", "youth guarantee", "--data", data); err != nil || out != "lea@mailnet.test linked to client J1\n" {
		t.Fatalf("case link: %q, %v", out, err)
	}
	if out, err := runCLI(t, "", "caseload", "show", "J1", "--data", data); err != nil || !strings.Contains(out, "linked expert: lea@mailnet.test: youth guarantee") {
		t.Fatalf("show with link:\n%s%v", out, err)
	}
	if _, err := runCLI(t, "", "case", "link", "J9", "lea@mailnet.test", "--reason", "x", "--data", data); !errors.Is(err, control.ErrNoSuchClient) {
		t.Fatalf("link unknown client: %v", err)
	}
	if out, err := runCLI(t, "", "case", "unlink", "J1", "lea@mailnet.test", "--data", data); err != nil || out != "lea@mailnet.test unlinked from client J1\n" {
		t.Fatalf("case unlink: %q, %v", out, err)
	}
	if _, err := runCLI(t, "", "case", "unlink", "J1", "lea@mailnet.test", "--data", data); !errors.Is(err, control.ErrNoSuchCaseLink) {
		t.Fatalf("second unlink: %v", err)
	}
	if out, err := runCLI(t, "", "caseload", "log", "--data", data); err != nil || !strings.Contains(out, "case.link") || !strings.Contains(out, "case.unlink") {
		t.Fatalf("log:\n%s%v", out, err)
	}
}

func TestParseWhen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want string // UTC, RFC 3339
	}{
		{"2026-12-01", "2026-11-30T23:00:00Z"},
		{"2026-07-01", "2026-06-30T22:00:00Z"},
		{"2026-12-01T09:30", "2026-12-01T08:30:00Z"},
		{"2026-12-01T09:30:00Z", "2026-12-01T09:30:00Z"},
		{"2026-12-01T09:30:00+02:00", "2026-12-01T07:30:00Z"},
		{"01/12/2026", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := parseWhen(tc.in)
			if tc.want == "" {
				if !errors.Is(err, errUsage) {
					t.Fatalf("parseWhen(%q) = %v, %v; want errUsage", tc.in, got, err)
				}
				return
			}
			if err != nil || got.UTC().Format(time.RFC3339) != tc.want {
				t.Fatalf("parseWhen(%q) = %v, %v; want %s", tc.in, got.UTC(), err, tc.want)
			}
		})
	}
}

// TestCaseloadCommandsWhileServing runs the commands against a store held
// open by a control socket server, as when `mailnet serve` runs.
func TestCaseloadCommandsWhileServing(t *testing.T) {
	t.Parallel()
	data, file := newCaseloadData(t)
	db := serveControl(t, data)
	if out, err := runCLI(t, "", "caseload", "import", file, "--data", data); err != nil || !strings.Contains(out, "8 changes recorded") {
		t.Fatalf("import through the socket:\n%s%v", out, err)
	}
	if _, err := runCLI(t, "", "absence", "set", "marie@mailnet.test", "--from", "2026-12-01", "--to", "2026-12-02", "--substitute", "lea@mailnet.test", "--data", data); !errors.Is(err, control.ErrWrongTeam) {
		t.Fatalf("wrong team through the socket: %v", err)
	}
	if _, err := runCLI(t, "", "caseload", "show", "nobody@example.org", "--data", data); !errors.Is(err, control.ErrNoSuchClient) {
		t.Fatalf("unknown client through the socket: %v", err)
	}
	if c, err := db.Client(context.Background(), "E1"); err != nil || c.Counsellor != "paul@mailnet.test" {
		t.Fatalf("stored E1 = %+v, %v", c, err)
	}
}
