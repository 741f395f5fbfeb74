package smtpd

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"mailnet/storage"
)

// caseloadNow is inside marie's absence (paul substitutes).
var caseloadNow = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// withCaseload gives the test server's store a team (marie and paul
// counsellors, lea manager), a client of marie's, and marie's absence.
func withCaseload(t *testing.T, ts *testServer) {
	t.Helper()
	ctx := context.Background()
	batch := storage.CaseloadBatch{
		Teams: []storage.Team{{ID: "T1", Name: "Emploi", Managers: []string{lea}}},
		Counsellors: []storage.Counsellor{
			{Address: marie, Kind: storage.ServesJobseekers, Team: "T1"},
			{Address: paul, Kind: storage.ServesJobseekers, Team: "T1"},
		},
		Clients: []storage.Client{{ID: "J1", Kind: storage.ClientJobseeker, Name: "Jean", Emails: []string{"jean@example.org"}, Counsellor: marie}},
	}
	if _, err := ts.db.ImportCaseload(ctx, batch, "test", false); err != nil {
		t.Fatal(err)
	}
	if _, err := ts.db.SetAbsence(ctx, storage.Absence{Counsellor: marie, Substitute: paul, SetBy: lea,
		From: caseloadNow.Add(-24 * time.Hour), To: caseloadNow.Add(24 * time.Hour)}); err != nil {
		t.Fatal(err)
	}
}

// TestMXRoutesByCaseload: mail to an absent counsellor reaches her INBOX
// and her substitute's Substitute folder, with the reasons recorded.
func TestMXRoutesByCaseload(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{mode: ModeMX, now: func() time.Time { return caseloadNow }})
	withCaseload(t, ts)
	c := dialGreeted(t, ts.addr)
	if _, err := send(c, "jean@example.org", []string{marie}, testMessage); err != nil {
		t.Fatal(err)
	}
	if n := len(ts.inbox(t, marie)); n != 1 {
		t.Fatalf("marie's INBOX holds %d", n)
	}
	sub := folderMessages(t, ts.db, ts.accounts[paul].ID, "Substitute/marie")
	if len(sub) != 1 {
		t.Fatalf("paul's Substitute/marie holds %d", len(sub))
	}
	raw := string(sub[0].Raw)
	header := raw[:strings.Index(raw, "\r\n\r\n")]
	if !strings.Contains(header, "marie@mailnet.test INBOX") || !strings.Contains(header, "paul@mailnet.test Substitute/marie") {
		t.Fatalf("route field:\n%s", header)
	}
}

// TestSubmissionAsAbsentColleague: the substitute may write as marie,
// with Sender: naming him; another colleague may not.
func TestSubmissionAsAbsentColleague(t *testing.T) {
	t.Parallel()
	ts := startServer(t, testOptions{mode: ModeSubmission, now: func() time.Time { return caseloadNow }})
	withCaseload(t, ts)
	asMarie := strings.Replace(testMessage, "sender@example.org", marie, 1)

	c := ts.dialAuthenticated(t, paul)
	if _, err := send(c, marie, []string{lea}, asMarie); err != nil {
		t.Fatalf("substitute writing as marie: %v", err)
	}
	raw := string(ts.inbox(t, lea)[0].Raw)
	if !strings.Contains(raw, "Sender: "+paul+"\r\n") || !strings.Contains(raw, "From: "+marie+"\r\n") {
		t.Fatalf("stored:\n%s", raw)
	}

	c = ts.dialAuthenticated(t, lea)
	_, err := send(c, lea, []string{paul}, asMarie)
	var se *smtp.SMTPError
	if !errors.As(err, &se) || se.Code != 553 {
		t.Fatalf("lea writing as marie: %v, want 553", err)
	}
}
