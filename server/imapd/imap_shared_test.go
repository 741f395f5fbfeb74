package imapd

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailnet/auth"
	"mailnet/storage"
)

// sharedEnv is a team LYON3 (agency LYON) with counsellors marie (the
// default test account) and bob and manager chef, a counsellor carl in
// PARIS1 (agency PARIS), one message in bob's INBOX and one in chef's
// dispatch folder of LYON3, and an answer repository.
type sharedEnv struct {
	*testEnv
	bob, chef, carl storage.Account
	answers         uint64
}

const (
	bobAddr  = "bob@mailnet.test"
	chefAddr = "chef@mailnet.test"
	carlAddr = "carl@mailnet.test"
)

func newSharedEnv(t *testing.T, scope auth.Scope) *sharedEnv {
	t.Helper()
	se := &sharedEnv{}
	ctx := context.Background()
	se.testEnv = newTestIMAPWith(t, func(db *storage.DB) Config {
		acc, err := db.CreateAccount(ctx, storage.Account{Address: "answers@answers.invalid", Role: storage.RoleCounsellor, Disabled: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateMailbox(ctx, acc.ID, "General", ""); err != nil {
			t.Fatal(err)
		}
		se.answers = acc.ID
		return Config{ShareScope: scope, AnswersAccount: acc.ID}
	})
	se.bob = se.addAccount(t, bobAddr)
	se.carl = se.addAccount(t, carlAddr)
	se.chef = se.addAccount(t, chefAddr)
	if _, err := se.db.UpdateAccount(ctx, chefAddr, func(a *storage.Account) error { a.Role = storage.RoleManager; return nil }); err != nil {
		t.Fatal(err)
	}
	batch := storage.CaseloadBatch{
		Teams: []storage.Team{{ID: "LYON3", Agency: "LYON", Managers: []string{chefAddr}}, {ID: "PARIS1", Agency: "PARIS"}},
		Counsellors: []storage.Counsellor{
			{Address: se.account.Address, Kind: storage.ServesJobseekers, Team: "LYON3"},
			{Address: bobAddr, Kind: storage.ServesJobseekers, Team: "LYON3"},
			{Address: carlAddr, Kind: storage.ServesJobseekers, Team: "PARIS1"},
		},
		Clients: []storage.Client{{ID: "J1", Kind: storage.ClientJobseeker, Name: "Jean Martin", Emails: []string{"jean.martin@example.org"}, Counsellor: bobAddr}},
	}
	if _, err := se.db.ImportCaseload(ctx, batch, "test", false); err != nil {
		t.Fatal(err)
	}
	for _, d := range []storage.Delivery{{Account: se.bob.ID, Mailbox: "INBOX"}, {Account: se.chef.ID, Mailbox: "Dispatch/LYON3"}} {
		raw := mail("for-"+strings.Split(d.Mailbox, "/")[0], "Bonjour")
		if _, err := se.db.Deliver(ctx, storage.Incoming{Raw: []byte(raw), Deliveries: []storage.Delivery{d}}); err != nil {
			t.Fatal(err)
		}
	}
	return se
}

// loginAs returns a STARTTLS client logged in as addr.
func (e *testEnv) loginAs(t *testing.T, addr string) *imapclient.Client {
	t.Helper()
	c := e.dial(t, nil)
	if err := c.Login(addr, testPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	return c
}

func listNames(t *testing.T, c *imapclient.Client, pattern string) []string {
	t.Helper()
	items, err := c.List("", pattern, nil).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		out = append(out, it.Mailbox)
	}
	return out
}

func wantCode(t *testing.T, what string, err error, code imap.ResponseCode) {
	t.Helper()
	var ie *imap.Error
	if !errors.As(err, &ie) || ie.Code != code {
		t.Fatalf("%s: %v, want NO [%s]", what, err, code)
	}
}

func TestSharedViewsListedByScope(t *testing.T) {
	t.Parallel()
	se := newSharedEnv(t, auth.ScopeTeam)
	c := se.login(t, nil)
	names := listNames(t, c, "*")
	for _, want := range []string{"Shared/" + bobAddr + "/INBOX", "Shared/" + bobAddr + "/Sent", "Dispatch/LYON3", "Answers/General"} {
		if !slices.Contains(names, want) {
			t.Errorf("LIST * lacks %s: %v", want, names)
		}
	}
	for _, name := range names {
		if strings.Contains(name, carlAddr) || strings.Contains(name, se.account.Address) || name == "Answers/INBOX" {
			t.Errorf("LIST * shows %s", name)
		}
	}
	ns, err := c.Namespace().Wait()
	if err != nil || len(ns.Other) != 1 || ns.Other[0].Prefix != "Shared/" || len(ns.Shared) != 2 {
		t.Fatalf("NAMESPACE = %+v, %v", ns, err)
	}
	if _, err := c.Select("Shared/"+carlAddr+"/INBOX", nil).Wait(); err == nil {
		t.Fatal("marie selected the INBOX of carl, out of her team")
	}
	// With the agency scope, carl (another agency) stays out of reach.
	se2 := newSharedEnv(t, auth.ScopeAll)
	c2 := se2.login(t, nil)
	if got := listNames(t, c2, "Shared/carl*"); !slices.Contains(got, "Shared/"+carlAddr+"/INBOX") {
		t.Fatalf("scope all, LIST Shared/carl* = %v", got)
	}
	if got := listNames(t, c2, "*"); slices.Contains(got, "Shared/"+carlAddr+"/INBOX") {
		t.Fatalf("scope all lists other teams by default: %v", got)
	}
}

func TestSharedInboxIsReadOnlyWithOwnSeen(t *testing.T) {
	t.Parallel()
	se := newSharedEnv(t, auth.ScopeTeam)
	ctx := context.Background()
	c := se.login(t, nil)
	name := "Shared/" + bobAddr + "/INBOX"
	sel, err := c.Select(name, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages != 1 || len(sel.PermanentFlags) != 1 || sel.PermanentFlags[0] != imap.FlagSeen {
		t.Fatalf("SELECT = %+v", sel)
	}
	msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Flags: true, BodySection: []*imap.FetchItemBodySection{{}}}).Collect()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("FETCH: %v %v", msgs, err)
	}
	if !strings.Contains(string(msgs[0].FindBodySection(&imap.FetchItemBodySection{})), "Bonjour") {
		t.Fatal("body not read")
	}
	if !slices.Contains(msgs[0].Flags, imap.FlagSeen) {
		t.Fatalf("reader's flags after reading = %v, want \\Seen", msgs[0].Flags)
	}
	bobBox, _ := se.db.Mailbox(ctx, se.bob.ID, "INBOX")
	owner, _ := se.db.Messages(ctx, bobBox.ID, []uint32{1}, storage.Want{})
	if len(owner) != 1 || slices.Contains(owner[0].Flags, storage.FlagSeen) {
		t.Fatalf("bob's own flags changed: %+v", owner)
	}
	wantCode(t, "STORE \\Flagged", c.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagFlagged}}, nil).Close(), imap.ResponseCodeNoPerm)
	wantCode(t, "STORE \\Deleted", c.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}}, nil).Close(), imap.ResponseCodeNoPerm)
	if err := c.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsDel, Flags: []imap.Flag{imap.FlagSeen}, Silent: true}, nil).Close(); err != nil {
		t.Fatalf("STORE -\\Seen: %v", err)
	}
	_, err = c.Expunge().Collect()
	wantCode(t, "EXPUNGE", err, imap.ResponseCodeNoPerm)
	_, err = c.Move(imap.SeqSetNum(1), "INBOX").Wait()
	wantCode(t, "MOVE out", err, imap.ResponseCodeNoPerm)
	if _, err := c.Copy(imap.SeqSetNum(1), "INBOX").Wait(); err != nil {
		t.Fatalf("COPY to one's own INBOX: %v", err)
	}
	app := c.Append(name, 5, nil)
	app.Write([]byte("a: b\r"))
	app.Close()
	_, err = app.Wait()
	wantCode(t, "APPEND", err, imap.ResponseCodeNoPerm)
	wantCode(t, "DELETE", c.Delete(name).Wait(), imap.ResponseCodeNoPerm)
	wantCode(t, "CREATE", c.Create("Shared/x", nil).Wait(), imap.ResponseCodeNoPerm)
	wantCode(t, "RENAME", c.Rename(name, "Mine", nil).Wait(), imap.ResponseCodeNoPerm)
	if err := c.Unselect().Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	_, err = c.Copy(imap.SeqSetNum(1), name).Wait()
	wantCode(t, "COPY into", err, imap.ResponseCodeNoPerm)
	// CLOSE on the shared view leaves it as it was.
	if _, err := c.Select(name, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.UnselectAndExpunge().Wait(); err != nil { // CLOSE
		t.Fatalf("CLOSE: %v", err)
	}
	if n, _ := se.db.UIDs(ctx, bobBox.ID); len(n) != 1 {
		t.Fatalf("bob's INBOX after colleague's session: %v", n)
	}
	st, err := c.Status(name, &imap.StatusOptions{NumMessages: true, NumUnseen: true}).Wait()
	if err != nil || *st.NumMessages != 1 || *st.NumUnseen != 1 {
		t.Fatalf("STATUS = %+v, %v", st, err)
	}
	entries, err := se.db.AuditEntries(ctx, storage.AuditFilter{Actor: se.account.Address})
	if err != nil || len(entries) < 2 || entries[0].Action != "select" || entries[1].Action != "fetch" ||
		entries[1].Owner != bobAddr || entries[1].Mailbox != name || !slices.Equal(entries[1].UIDs, []uint32{1}) {
		t.Fatalf("audit log = %+v, %v", entries, err)
	}
}

func TestACLCommands(t *testing.T) {
	t.Parallel()
	se := newSharedEnv(t, auth.ScopeTeam)
	c := se.login(t, nil)
	rights := func(c *imapclient.Client, name string) string {
		t.Helper()
		d, err := c.MyRights(name).Wait()
		if err != nil {
			t.Fatalf("MYRIGHTS %s: %v", name, err)
		}
		return string(d.Rights)
	}
	caps, err := c.Capability().Wait()
	if err != nil || !caps.Has(imap.CapACL) || !caps.Has("RIGHTS=TEXK") || !caps.Has(imap.CapMove) {
		t.Fatalf("CAPABILITY = %v, %v; want ACL and RIGHTS=texk added to go-imap's", caps, err)
	}
	if got := rights(c, "INBOX"); got != string(auth.RightsOwner) {
		t.Errorf("MYRIGHTS INBOX = %q", got)
	}
	if got := rights(c, "Shared/"+bobAddr+"/INBOX"); got != "lrs" {
		t.Errorf("MYRIGHTS shared = %q", got)
	}
	if got := rights(c, "Answers/General"); got != "lrs" {
		t.Errorf("counsellor MYRIGHTS Answers/General = %q", got)
	}
	if _, err := c.MyRights("Shared/" + carlAddr + "/INBOX").Wait(); err == nil {
		t.Error("MYRIGHTS on an out-of-scope mailbox succeeded")
	}
	acl, err := c.GetACL("Shared/" + bobAddr + "/INBOX").Wait()
	if err != nil || string(acl.Rights[imap.RightsIdentifier(se.account.Address)]) != "lrs" {
		t.Fatalf("GETACL = %+v, %v", acl, err)
	}
	err = c.SetACL("INBOX", "bob@mailnet.test", imap.RightModificationReplace, imap.RightSet("lr")).Wait()
	wantCode(t, "SETACL", err, imap.ResponseCodeNoPerm)
	chef := se.loginAs(t, chefAddr)
	if got := rights(chef, "Shared/"+bobAddr+"/INBOX"); got != "lrsi" {
		t.Errorf("manager MYRIGHTS shared INBOX = %q", got)
	}
	if got := rights(chef, "Answers/General"); got != string(auth.RightsEdit) {
		t.Errorf("manager MYRIGHTS Answers/General = %q", got)
	}
	// The session goes on normally after the commands go-imap never saw.
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestDispatchAssignedByManagerMove(t *testing.T) {
	t.Parallel()
	se := newSharedEnv(t, auth.ScopeTeam)
	ctx := context.Background()
	marie := se.login(t, nil)
	if sel, err := marie.Select("Dispatch/LYON3", nil).Wait(); err != nil || sel.NumMessages != 1 {
		t.Fatalf("counsellor SELECT Dispatch/LYON3 = %+v, %v", sel, err)
	}
	_, err := marie.Move(imap.SeqSetNum(1), "Shared/"+bobAddr+"/INBOX").Wait()
	wantCode(t, "counsellor MOVE from dispatch", err, imap.ResponseCodeNoPerm)

	chef := se.loginAs(t, chefAddr)
	if _, err := chef.Select("Dispatch/LYON3", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	data, err := chef.Move(imap.SeqSetNum(1), "Shared/"+bobAddr+"/INBOX").Wait()
	if err != nil {
		t.Fatalf("manager MOVE into bob's INBOX: %v", err)
	}
	if data == nil || data.DestUIDs.String() != "2" {
		t.Fatalf("COPYUID = %+v", data)
	}
	bobBox, _ := se.db.Mailbox(ctx, se.bob.ID, "INBOX")
	msgs, err := se.db.Messages(ctx, bobBox.ID, []uint32{2}, storage.Want{Raw: true})
	if err != nil || len(msgs) != 1 {
		t.Fatalf("bob's new message: %v %v", msgs, err)
	}
	if unfolded := strings.ReplaceAll(string(msgs[0].Raw), "\r\n ", " "); !strings.HasPrefix(unfolded, "X-Mailnet-Route: bob@mailnet.test INBOX; reason=assigned from Dispatch/LYON3 by chef@mailnet.test") {
		t.Fatalf("assigned message starts %q", string(msgs[0].Raw)[:120])
	}
	dispatch, _ := se.db.Mailbox(ctx, se.chef.ID, "Dispatch/LYON3")
	if uids, _ := se.db.UIDs(ctx, dispatch.ID); len(uids) != 0 {
		t.Fatalf("dispatch still holds %v", uids)
	}
	// A counsellor cannot be assigned mail through APPEND.
	app := chef.Append("Shared/"+bobAddr+"/INBOX", 5, nil)
	app.Write([]byte("a: b\r"))
	app.Close()
	_, err = app.Wait()
	wantCode(t, "APPEND to a counsellor's INBOX", err, imap.ResponseCodeNoPerm)
}

func TestAnswersWrittenByManagersOnly(t *testing.T) {
	t.Parallel()
	se := newSharedEnv(t, auth.ScopeTeam)
	raw := mail("modele-indemnisation", "Madame, Monsieur, ...")
	chef := se.loginAs(t, chefAddr)
	if err := chef.Create("Answers/Indemnisation", nil).Wait(); err != nil {
		t.Fatalf("manager CREATE Answers/Indemnisation: %v", err)
	}
	app := chef.Append("Answers/Indemnisation", int64(len(raw)), nil)
	app.Write([]byte(raw))
	app.Close()
	if _, err := app.Wait(); err != nil {
		t.Fatalf("manager APPEND: %v", err)
	}
	marie := se.login(t, nil)
	if got := listNames(t, marie, "Answers/*"); !slices.Contains(got, "Answers/Indemnisation") {
		t.Fatalf("LIST Answers/* = %v", got)
	}
	app = marie.Append("Answers/Indemnisation", int64(len(raw)), nil)
	app.Write([]byte(raw))
	app.Close()
	_, err := app.Wait()
	wantCode(t, "counsellor APPEND", err, imap.ResponseCodeNoPerm)
	wantCode(t, "counsellor CREATE", marie.Create("Answers/Mine", nil).Wait(), imap.ResponseCodeNoPerm)
	if _, err := marie.Select("Answers/Indemnisation", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := marie.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Envelope: true}).Collect()
	if err != nil || len(msgs) != 1 || msgs[0].Envelope.Subject != "modele-indemnisation" {
		t.Fatalf("counsellor FETCH answer: %v %v", msgs, err)
	}
}

// TestOwnerFlagsDoNotReachReaders: while a colleague has bob's INBOX
// open, bob reading his mail must not show up as \Seen for the colleague,
// but new mail does arrive.
func TestOwnerFlagsDoNotReachReaders(t *testing.T) {
	t.Parallel()
	se := newSharedEnv(t, auth.ScopeTeam)
	var updates atomic.Int32
	marie := se.dial(t, &imapclient.Options{UnilateralDataHandler: &imapclient.UnilateralDataHandler{
		Fetch: func(*imapclient.FetchMessageData) { updates.Add(1) },
	}})
	if err := marie.Login(se.account.Address, testPassword).Wait(); err != nil {
		t.Fatal(err)
	}
	if _, err := marie.Select("Shared/"+bobAddr+"/INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	bob := se.loginAs(t, bobAddr)
	if _, err := bob.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := bob.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	raw := mail("nouveau", "Encore une question")
	app := bob.Append("INBOX", int64(len(raw)), nil)
	app.Write([]byte(raw))
	app.Close()
	if _, err := app.Wait(); err != nil {
		t.Fatal(err)
	}
	if err := marie.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	if n := marie.Mailbox().NumMessages; n != 2 {
		t.Fatalf("reader's EXISTS = %d, want 2", n)
	}
	msgs, err := marie.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{Flags: true}).Collect()
	if err != nil || len(msgs) != 1 || slices.Contains(msgs[0].Flags, imap.FlagSeen) {
		t.Fatalf("reader's flags = %+v, %v; the owner's \\Seen must not show", msgs, err)
	}
	if err := marie.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	if n := updates.Load(); n != 0 {
		t.Fatalf("reader got %d flag updates from the owner's changes", n)
	}
}

// TestViewSubscriptions: the views a reader works with are subscribed by
// default (Thunderbird shows only subscribed folders); an UNSUBSCRIBE
// sticks, and a SUBSCRIBE brings a view out of the default listing.
func TestViewSubscriptions(t *testing.T) {
	t.Parallel()
	se := newSharedEnv(t, auth.ScopeAll)
	c := se.login(t, nil)
	subscribed := func() []string {
		t.Helper()
		items, err := c.List("", "*", &imap.ListOptions{SelectSubscribed: true}).Collect()
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, it := range items {
			out = append(out, it.Mailbox)
		}
		return out
	}
	bobInbox, carlInbox := "Shared/"+bobAddr+"/INBOX", "Shared/"+carlAddr+"/INBOX"
	if got := subscribed(); !slices.Contains(got, bobInbox) || !slices.Contains(got, "Answers/General") || slices.Contains(got, carlInbox) {
		t.Fatalf("subscribed by default: %v", got)
	}
	if err := c.Unsubscribe(bobInbox).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Subscribe(carlInbox).Wait(); err != nil {
		t.Fatal(err)
	}
	got := subscribed()
	if slices.Contains(got, bobInbox) || !slices.Contains(got, carlInbox) {
		t.Fatalf("after UNSUBSCRIBE bob and SUBSCRIBE carl: %v", got)
	}
	if all := listNames(t, c, "*"); !slices.Contains(all, carlInbox) || !slices.Contains(all, bobInbox) {
		t.Fatalf("LIST * after the choices: %v", all)
	}
	if err := c.Subscribe("Shared/nobody@mailnet.test/INBOX").Wait(); err == nil {
		t.Fatal("SUBSCRIBE to a view that does not exist succeeded")
	}
}

// TestAuditOneEntryPerCommand: a FETCH of bodies over more messages than
// one storage chunk writes one audit entry naming them all; a SEARCH of
// bodies writes one too; a FETCH of envelopes only writes none.
func TestAuditOneEntryPerCommand(t *testing.T) {
	t.Parallel()
	se := newSharedEnv(t, auth.ScopeTeam)
	ctx := context.Background()
	for i := range fetchChunk + 43 { // bob already has 1
		raw := mail(fmt.Sprint("m", i), "corps")
		if _, err := se.db.Deliver(ctx, storage.Incoming{Raw: []byte(raw), Deliveries: []storage.Delivery{{Account: se.bob.ID, Mailbox: "INBOX"}}}); err != nil {
			t.Fatal(err)
		}
	}
	c := se.login(t, nil)
	if _, err := c.Select("Shared/"+bobAddr+"/INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	all := imap.SeqSet{}
	all.AddRange(1, 0)
	if _, err := c.Fetch(all, &imap.FetchOptions{Envelope: true}).Collect(); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Fetch(all, &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
	if err != nil || len(msgs) != fetchChunk+44 {
		t.Fatalf("FETCH: %d messages, %v", len(msgs), err)
	}
	if _, err := c.Search(&imap.SearchCriteria{Body: []string{"corps"}}, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	entries, err := se.db.AuditEntries(ctx, storage.AuditFilter{Actor: se.account.Address})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, fmt.Sprintf("%s:%d", e.Action, len(e.UIDs)))
	}
	if want := []string{"select:0", fmt.Sprintf("fetch:%d", fetchChunk+44), fmt.Sprintf("search:%d", fetchChunk+44)}; !slices.Equal(got, want) {
		t.Fatalf("audit entries %v, want %v", got, want)
	}
}

// TestReaderUnseenAfterExpunge: the reader's UNSEEN counts the messages
// there now, not marks left on expunged ones.
func TestReaderUnseenAfterExpunge(t *testing.T) {
	t.Parallel()
	se := newSharedEnv(t, auth.ScopeTeam)
	ctx := context.Background()
	raw := mail("second", "corps")
	if _, err := se.db.Deliver(ctx, storage.Incoming{Raw: []byte(raw), Deliveries: []storage.Delivery{{Account: se.bob.ID, Mailbox: "INBOX"}}}); err != nil {
		t.Fatal(err)
	}
	c := se.login(t, nil)
	name := "Shared/" + bobAddr + "/INBOX"
	if _, err := c.Select(name, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}, Silent: true}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Unselect().Wait(); err != nil {
		t.Fatal(err)
	}
	box, _ := se.db.Mailbox(ctx, se.bob.ID, "INBOX")
	if _, err := se.db.StoreFlags(ctx, box.ID, []uint32{1}, storage.FlagsAdd, []string{`\Deleted`}); err != nil {
		t.Fatal(err)
	}
	if _, err := se.db.ExpungeDeleted(ctx, box.ID, []uint32{1}); err != nil {
		t.Fatal(err)
	}
	st, err := c.Status(name, &imap.StatusOptions{NumMessages: true, NumUnseen: true}).Wait()
	if err != nil || *st.NumMessages != 1 || *st.NumUnseen != 1 {
		t.Fatalf("STATUS after bob expunged the message marie had read = %d messages, %d unseen, %v; want 1, 1",
			*st.NumMessages, *st.NumUnseen, err)
	}
	// Opening the view again drops the mark left on the expunged message.
	if _, err := c.Select(name, nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if n, err := se.db.PruneSeenBy(ctx, se.account.ID, "m/"+fmt.Sprint(box.ID), []uint32{2}); err != nil || n != 0 {
		t.Fatalf("marks left after SELECT: %d, %v", n, err)
	}
}
