package web

import (
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"mailnet/storage"
)

func TestReadingViewSanitisesAndAudits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.loggedIn(t, bossA)
	status, page := c.get("/conversations/1")
	if status != http.StatusOK {
		t.Fatalf("reading view: %d\n%s", status, page)
	}
	contains(t, "reading view", page, "<p>Bonjour <b>Marie</b></p>", "Je relance.", "cv.pdf", "Jean &lt;jean@example.org&gt;", "OVERDUE")
	lacks(t, "reading view", page, "<script>alert", "onerror", "x()")
	got := e.audit.all()
	if len(got) != 1 {
		t.Fatalf("audit entries %+v, want 1", got)
	}
	if a := got[0]; a.Actor != bossA || a.Action != "web-view" || a.Owner != marie || a.Mailbox != "Cases/J1 Jean" ||
		a.Client != "J1" || !slices.Equal(a.UIDs, []uint32{1, 5}) || a.Remote != "127.0.0.1" {
		t.Errorf("audit entry %+v", a)
	}

	link := regexp.MustCompile(`href="(/conversations/1/attachment\?[^"]+)"`).FindStringSubmatch(page)
	if link == nil {
		t.Fatal("no attachment link")
	}
	resp, err := c.http.Get(e.base + strings.ReplaceAll(link[1], "&amp;", "&"))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || string(body) != "%PDF-1.4 fake" ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("attachment: %s %q %q", resp.Status, body, resp.Header.Get("Content-Disposition"))
	}
	if got := e.audit.all(); len(got) != 2 || got[1].Action != "web-download" {
		t.Errorf("audit after download %+v", got)
	}
}

func TestReadingViewOwnMailNotAudited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	status, page := e.loggedIn(t, lucie).get("/conversations/3")
	// Both sides of the exchange, from the archive: the request and the
	// answer.
	if status != http.StatusOK || !strings.Contains(page, "Une offre.") || !strings.Contains(page, "Bien reçue.") {
		t.Fatalf("lucie's own conversation: %d\n%s", status, page)
	}
	if got := e.audit.all(); len(got) != 0 {
		t.Errorf("reading one's own mail audited: %+v", got)
	}
	status, page = e.loggedIn(t, bossB).get("/conversations/3")
	if status != http.StatusOK || !strings.Contains(page, "Bien reçue.") {
		t.Fatalf("manager of B: %d", status)
	}
	var boxes []string
	for _, a := range e.audit.all() {
		boxes = append(boxes, a.Mailbox)
	}
	slices.Sort(boxes)
	if !slices.Equal(boxes, []string{"Cases/E1 Dupain"}) {
		t.Errorf("audited views %v, want the client's case", boxes)
	}
}

func TestReadingViewScope(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, tc := range []struct {
		who, path string
		want      int
	}{
		{bossB, "/conversations/1", http.StatusForbidden},
		{karim, "/conversations/1", http.StatusForbidden},
		{bossB, "/conversations/1/attachment?uid=1&part=1", http.StatusForbidden},
		{bossA, "/conversations/42", http.StatusNotFound},
		{bossA, "/conversations/1/attachment?uid=999&part=1", http.StatusNotFound},
	} {
		if status, body := e.loggedIn(t, tc.who).get(tc.path); status != tc.want {
			t.Errorf("%s GET %s: %d, want %d", tc.who, tc.path, status, tc.want)
		} else if strings.Contains(body, "Bonjour") {
			t.Errorf("%s GET %s shows the message", tc.who, tc.path)
		}
	}
	if got := e.audit.all(); len(got) != 0 {
		t.Errorf("refused views audited: %+v", got)
	}
}

func TestReadingViewShowsNothingUnaudited(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.audit.fail = true
	status, page := e.loggedIn(t, bossA).get("/conversations/1")
	if status != http.StatusInternalServerError || strings.Contains(page, "Bonjour") {
		t.Errorf("with the audit log failing: %d, message shown: %v", status, strings.Contains(page, "Bonjour"))
	}
}

// TestReadingViewShowsExpungedMail: the reading view reads the archive,
// so a message the counsellor deleted from their mailbox is still shown.
func TestReadingViewShowsExpungedMail(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := t.Context()
	box, err := e.db.Mailbox(ctx, e.accts[marie].ID, "INBOX")
	if err != nil {
		t.Fatal(err)
	}
	uids, err := e.db.UIDs(ctx, box.ID)
	if err != nil || len(uids) == 0 {
		t.Fatalf("marie's INBOX: %v %v", uids, err)
	}
	if _, err := e.db.StoreFlags(ctx, box.ID, uids, storage.FlagsAdd, []string{`\Deleted`}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.ExpungeDeleted(ctx, box.ID, nil); err != nil {
		t.Fatal(err)
	}
	status, page := e.loggedIn(t, bossA).get("/conversations/1")
	if status != http.StatusOK {
		t.Fatalf("reading view: %d", status)
	}
	contains(t, "reading view after expunge", page, "<p>Bonjour <b>Marie</b></p>", "Je relance.")
}
