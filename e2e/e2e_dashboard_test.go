package e2e

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mailnet/auth"
	"mailnet/routing/sla"
	"mailnet/storage"
)

// TestDashboardInChromium prepares a store with a team and an overdue
// conversation, starts `mailnet serve` with the dashboard on, logs in as
// the team's manager through the login form in headless Chromium, and
// checks that the dashboard shows its charts (inline SVG) and the overdue
// conversation; a screenshot of it is saved and checked to be a PNG.
func TestDashboardInChromium(t *testing.T) {
	t.Parallel()
	ctx := testContext(t, testTimeout)
	s := newServer(t)
	conf, err := os.ReadFile(s.confPath)
	if err != nil {
		t.Fatal(err)
	}
	conf = bytes.Replace(conf, []byte(`http = ""`), []byte(`http = "127.0.0.1:0"`), 1)
	if err := os.WriteFile(s.confPath, conf, 0o600); err != nil {
		t.Fatal(err)
	}
	const manager, managerPW = "sophie.martin@" + testDomain, "sophie dashboard password"
	prepareDashboardStore(t, ctx, s.dataDir, manager, managerPW)
	b := startChromium(t, ctx) // before the server: a missing browser skips early
	s.launch(t)
	base := "http://" + s.addr("http")
	if s.addr("http") == "" {
		t.Fatalf("no http listener logged:\n%s", s.log)
	}

	b.navigate(ctx, base+"/login", "/login")
	var submitted bool
	b.eval(`(() => {
		document.querySelector('input[name=address]').value = `+jsString(manager)+`;
		document.querySelector('input[name=password]').value = `+jsString(managerPW)+`;
		document.querySelector('form[action="/login"]').submit();
		return true;
	})()`, &submitted)
	b.waitFor(ctx, "/dashboard")

	var page struct {
		Heading  string `json:"heading"`
		SVGs     int    `json:"svgs"`
		Bars     int    `json:"bars"`
		Overdue  string `json:"overdue"`
		LoggedIn string `json:"who"`
		Received string `json:"received"`
	}
	b.eval(`({
		heading: document.querySelector('h1').textContent,
		svgs: document.querySelectorAll('figure.chart svg').length,
		bars: document.querySelectorAll('#chart-volume svg rect').length,
		overdue: Array.from(document.querySelectorAll('#open-conversations tr.overdue')).map(r => r.textContent).join('|'),
		who: document.querySelector('header .who').textContent,
		received: document.querySelector('#summary b').textContent,
	})`, &page)
	if page.SVGs != 3 || page.Bars == 0 {
		t.Errorf("dashboard has %d charts with %d volume bars, want 3 charts and bars", page.SVGs, page.Bars)
	}
	if page.Received != "2" {
		t.Errorf("dashboard shows %q messages received, want 2", page.Received)
	}
	for _, want := range []string{"OVERDUE", "Dossier en retard", "marie.dupont@" + testDomain} {
		if !strings.Contains(page.Overdue, want) {
			t.Errorf("overdue rows %q lack %q", page.Overdue, want)
		}
	}
	if !strings.Contains(page.LoggedIn, manager) {
		t.Errorf("header shows %q, want the manager logged in", page.LoggedIn)
	}

	file := filepath.Join(t.TempDir(), "dashboard.png")
	data := b.screenshot(file)
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot %s is not a PNG: %v", file, err)
	}
	if r := img.Bounds(); r.Dx() < 800 || r.Dy() < 600 {
		t.Errorf("screenshot is %v, want at least 800×600", r)
	}
	t.Logf("dashboard screenshot: %s (%d bytes, %v)", file, len(data), img.Bounds().Size())
}

// prepareDashboardStore writes, before the server starts, a manager, two
// counsellors of her team, their clients and conversations: one received
// ten days ago and unanswered (overdue), one answered in time.
func prepareDashboardStore(t *testing.T, ctx context.Context, dataDir, manager, managerPW string) {
	t.Helper()
	db, err := storage.Open(filepath.Join(dataDir, "mailnet.db"), storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := db.Close(); err != nil {
			t.Error(err)
		}
	}()
	marie, paul := "marie.dupont@"+testDomain, "paul.martin@"+testDomain
	accts := map[string]storage.Account{}
	for addr, role := range map[string]storage.Role{manager: storage.RoleManager, marie: storage.RoleCounsellor, paul: storage.RoleCounsellor} {
		hash, err := auth.HashPassword(managerPW)
		if err != nil {
			t.Fatal(err)
		}
		if accts[addr], err = db.CreateAccount(ctx, storage.Account{Address: addr, Role: role, PasswordHash: hash}); err != nil {
			t.Fatal(err)
		}
	}
	_, err = db.ImportCaseload(ctx, storage.CaseloadBatch{
		Teams: []storage.Team{{ID: "T1", Name: "Emploi Lyon 3", Managers: []string{manager}}},
		Counsellors: []storage.Counsellor{{Address: marie, Kind: storage.ServesJobseekers, Team: "T1"},
			{Address: paul, Kind: storage.ServesJobseekers, Team: "T1"}},
		Clients: []storage.Client{
			{ID: "J1", Kind: storage.ClientJobseeker, Name: "Jean", Emails: []string{"jean@" + remoteDomain}, Counsellor: marie},
			{ID: "J2", Kind: storage.ClientJobseeker, Name: "Nadia", Emails: []string{"nadia@" + remoteDomain}, Counsellor: paul},
		},
	}, "e2e", false)
	if err != nil {
		t.Fatal(err)
	}
	cal, err := sla.New(sla.DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	deliver := func(owner, mailbox, raw string, ev storage.ConversationEvent) {
		if !ev.Answer {
			ev.Due, ev.NoticeAt = cal.Due(ev.At), cal.Notice(ev.At)
		}
		dir, counsellor := storage.DirectionIn, ev.Counsellor
		if ev.Answer {
			dir, counsellor = storage.DirectionOut, ev.By
		}
		in := storage.Incoming{Raw: []byte(strings.ReplaceAll(raw, "\n", "\r\n")), InternalDate: ev.At,
			Deliveries: []storage.Delivery{{Account: accts[owner].ID, Mailbox: mailbox}}, Conversation: &ev,
			Archive: &storage.ArchiveInfo{Direction: dir, Client: ev.Client, Counsellor: counsellor}}
		if _, err := db.Deliver(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	now := time.Now()
	deliver(marie, "INBOX", "From: jean@"+remoteDomain+"\nTo: "+marie+"\nSubject: Dossier en retard\nMessage-ID: <late@x>\n\nBonjour.\n",
		storage.ConversationEvent{Client: "J1", Counsellor: marie, Subject: "Dossier en retard", MessageID: "late@x", At: now.AddDate(0, 0, -10)})
	deliver(paul, "INBOX", "From: nadia@"+remoteDomain+"\nTo: "+paul+"\nSubject: Question\nMessage-ID: <q@x>\n\nBonjour.\n",
		storage.ConversationEvent{Client: "J2", Counsellor: paul, Subject: "Question", MessageID: "q@x", At: now.AddDate(0, 0, -3)})
	deliver(paul, "Sent", "From: "+paul+"\nTo: nadia@"+remoteDomain+"\nSubject: Re: Question\nMessage-ID: <a@x>\nIn-Reply-To: <q@x>\n\nVoici.\n",
		storage.ConversationEvent{Answer: true, Client: "J2", By: paul, MessageID: "a@x", Refs: []string{"q@x"}, At: now.AddDate(0, 0, -3).Add(2 * time.Hour)})
}
