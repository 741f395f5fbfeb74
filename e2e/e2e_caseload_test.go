package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCaseloadRoutingEndToEnd imports a caseload with the CLI while the
// server runs, records an absence, and checks over IMAP that a client's
// mail to the absent counsellor reaches her INBOX and her substitute's
// Substitute folder, with the route recorded in the message.
func TestCaseloadRoutingEndToEnd(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, testTimeout)
	s := startServer(t)
	marie, paul, lea := "marie.dupont@"+testDomain, "paul.martin@"+testDomain, "lea.moreau@"+testDomain
	s.addUser(t, ctx, marie, "marie caseload pw")
	s.addUser(t, ctx, paul, "paul caseload pw")
	if _, err := s.mailnet(ctx, "lea caseload password\n", "user", "add", lea, "--role", "manager", "--password-stdin", "--data", s.dataDir); err != nil {
		t.Fatal(err)
	}

	csv := filepath.Join(t.TempDir(), "portefeuille.csv")
	contact := "contact@" + testDomain
	rows := "client_id;client_kind;client_name;client_emails;counsellor_email;counsellor_kind;team_id;team_name;manager_emails;team_service_addresses\n" +
		"J1;jobseeker;Jean Martin;jean@" + remoteDomain + ";" + marie + ";jobseekers;T1;Emploi Lyon 3;" + lea + ";" + contact + "\n" +
		"J2;jobseeker;Nadia Benali;nadia@" + remoteDomain + ";" + paul + ";jobseekers;T1;Emploi Lyon 3;" + lea + ";\n"
	if err := os.WriteFile(csv, []byte(rows), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := s.mailnet(ctx, "", "caseload", "import", csv, "--data", s.dataDir)
	if err != nil || !strings.Contains(out, "clients:     2 created") {
		t.Fatalf("caseload import: %v\n%s", err, out)
	}
	from := time.Now().Add(-time.Hour).Format(time.RFC3339)
	to := time.Now().Add(24 * time.Hour).Format(time.RFC3339)
	if out, err := s.mailnet(ctx, "", "absence", "set", marie, "--from", from, "--to", to, "--substitute", paul, "--data", s.dataDir); err != nil {
		t.Fatalf("absence set: %v\n%s", err, out)
	}
	out, err = s.mailnet(ctx, "", "caseload", "show", "jean@"+remoteDomain, "--data", s.dataDir)
	if err != nil || !strings.Contains(out, "substitute "+paul) {
		t.Fatalf("caseload show: %v\n%s", err, out)
	}

	msg := testMessage{From: "jean@" + remoteDomain, To: marie, Subject: "Question sur mon dossier", Text: "Bonjour Madame Dupont."}
	if err := s.deliverMX(t, ctx, "jean@"+remoteDomain, []string{marie}, msg.bytes()); err != nil {
		t.Fatal(err)
	}
	findBySubject(t, waitForMessages(t, ctx, s.imapLogin(t, ctx, marie, "marie caseload pw"), "INBOX", 1), msg.Subject)
	copy := findBySubject(t, waitForMessages(t, ctx, s.imapLogin(t, ctx, paul, "paul caseload pw"), "Substitute/marie.dupont", 1), msg.Subject)
	header := string(copy.Raw[:strings.Index(string(copy.Raw), "\r\n\r\n")])
	header = strings.NewReplacer("\r\n ", " ", "\r\n\t", " ").Replace(header) // unfold
	for _, want := range []string{"X-Mailnet-Route: ", marie + " INBOX", paul + " Substitute/marie.dupont"} {
		if !strings.Contains(header, want) {
			t.Fatalf("route field lacks %q:\n%s", want, header)
		}
	}

	// To the team's service address: remote.example publishes no DMARC
	// policy, so Jean is not a verified sender and the message goes to
	// the managers' dispatch folder, not to his counsellor.
	viaContact := testMessage{From: "jean@" + remoteDomain, To: contact, Subject: "Via le contact", Text: "Bonjour."}
	if err := s.deliverMX(t, ctx, "jean@"+remoteDomain, []string{contact}, viaContact.bytes()); err != nil {
		t.Fatal(err)
	}
	dispatched := findBySubject(t, waitForMessages(t, ctx, s.imapLogin(t, ctx, lea, "lea caseload password"), "Dispatch/T1", 1), viaContact.Subject)
	if !strings.Contains(string(dispatched.Raw), "not verified") {
		t.Fatalf("dispatch reason missing:\n%s", dispatched.Raw)
	}

	out, err = s.mailnet(ctx, "", "caseload", "log", "--data", s.dataDir)
	if err != nil || !strings.Contains(out, "absence") {
		t.Fatalf("caseload log: %v\n%s", err, out)
	}

	// Paul, of the same team, reads Marie's INBOX and Jean's case with
	// imaplib: read-only, and every read lands in the audit log.
	python := requireTool(t, "python3", "python3")
	cmd := exec.CommandContext(ctx, python, filepath.Join("testdata", "shared_check.py"), "read",
		"--port", s.port("imaps"), "--cafile", s.certFile(), "--user", paul, "--colleague", marie,
		"--case", "Cases/J1 Jean Martin", "--subject", msg.Subject)
	cmd.Env = append(os.Environ(), "IMAP_PASSWORD=paul caseload pw")
	cmd.WaitDelay = time.Second
	report, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(report), "ok case") {
		t.Fatalf("shared_check.py read: %v\n%s", err, report)
	}
	// Lea, the team's manager, assigns the dispatched message to Paul by
	// moving it, as a drag and drop in Thunderbird does.
	cmd = exec.CommandContext(ctx, python, filepath.Join("testdata", "shared_check.py"), "assign",
		"--port", s.port("imaps"), "--cafile", s.certFile(), "--user", lea, "--dispatch", "Dispatch/T1", "--colleague", paul)
	cmd.Env = append(os.Environ(), "IMAP_PASSWORD=lea caseload password")
	cmd.WaitDelay = time.Second
	if report, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(report), "ok arrived") {
		t.Fatalf("shared_check.py assign: %v\n%s", err, report)
	}
	assigned := findBySubject(t, waitForMessages(t, ctx, s.imapLogin(t, ctx, paul, "paul caseload pw"), "INBOX", 1), viaContact.Subject)
	if !strings.Contains(strings.NewReplacer("\r\n ", " ").Replace(string(assigned.Raw)), "reason=assigned from Dispatch/T1 by "+lea) {
		t.Fatalf("assigned message lacks its route:\n%s", assigned.Raw)
	}

	out, err = s.mailnet(ctx, "", "audit", "list", "--user", paul, "--data", s.dataDir)
	if err != nil || !strings.Contains(out, "Shared/"+marie+"/INBOX") || !strings.Contains(out, "Cases/J1 Jean Martin") {
		t.Fatalf("audit list: %v\n%s", err, out)
	}
}
