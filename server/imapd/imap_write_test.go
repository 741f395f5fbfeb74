package imapd

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

func TestStoreCopyMoveExpunge(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	for i := range 4 {
		env.deliver(t, "INBOX", mail(fmt.Sprint("m", i), "x"))
	}
	c := env.login(t, nil)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	msgs, err := c.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen, "$Label1"}}, nil).Collect()
	if err != nil || len(msgs) != 1 || len(msgs[0].Flags) != 2 {
		t.Fatalf("STORE = %+v, %v", msgs, err)
	}
	cp, err := c.Copy(imap.SeqSetNum(1, 2), "Archive").Wait()
	if err != nil || cp.UIDValidity == 0 || cp.DestUIDs.String() != "1:2" {
		t.Fatalf("COPY = %+v, %v", cp, err)
	}
	if _, err := c.Copy(imap.SeqSetNum(1), "Missing").Wait(); err == nil || err.(*imap.Error).Code != imap.ResponseCodeTryCreate {
		t.Fatalf("COPY to missing: %v", err)
	}
	mv, err := c.Move(imap.SeqSetNum(2), "Trash").Wait()
	if err != nil || mv.DestUIDs.String() != "1" || mv.SourceUIDs.String() != "2" {
		t.Fatalf("MOVE = %+v, %v", mv, err)
	}
	// After MOVE, former 3 and 4 are now 2 and 3.
	if err := c.Store(imap.SeqSetNum(2), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}, Silent: true}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	exp, err := c.Expunge().Collect()
	if err != nil || fmt.Sprint(exp) != "[2]" {
		t.Fatalf("EXPUNGE = %v, %v", exp, err)
	}
	st, err := c.Status("Archive", &imap.StatusOptions{NumMessages: true, NumUnseen: true}).Wait()
	if err != nil || *st.NumMessages != 2 || *st.NumUnseen != 1 {
		t.Fatalf("Archive STATUS = %+v, %v", st, err)
	}
	data, err := c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
	if err != nil || data.AllUIDs()[len(data.AllUIDs())-1] != 4 || len(data.AllUIDs()) != 2 {
		t.Fatalf("remaining UIDs = %v, %v", data.AllUIDs(), err)
	}
	// A new message gets a new UID, never a reused one.
	env.deliver(t, "INBOX", mail("new", "y"))
	if err := c.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	data, err = c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
	if err != nil || fmt.Sprint(data.AllUIDs()) != "[1 4 5]" {
		t.Fatalf("UIDs after new delivery = %v, %v", data.AllUIDs(), err)
	}
}

func TestUIDExpungeOnlyNamedMessages(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	for i := range 3 {
		env.deliver(t, "INBOX", mail(fmt.Sprint("m", i), "x"))
	}
	c := env.login(t, nil)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.SeqSetNum(1, 2, 3), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}, Silent: true}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	exp, err := c.UIDExpunge(imap.UIDSetNum(2)).Collect()
	if err != nil || fmt.Sprint(exp) != "[2]" {
		t.Fatalf("UID EXPUNGE 2 = %v, %v", exp, err)
	}
}

func TestCloseAfterExamineDoesNotExpunge(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	env.deliver(t, "INBOX", mail("keep", "x"))
	c := env.login(t, nil)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}, Silent: true}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Select("INBOX", &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close(); err == nil {
		t.Fatal("STORE in EXAMINE mode succeeded")
	}
	if err := c.UnselectAndExpunge().Wait(); err != nil { // CLOSE
		t.Fatal(err)
	}
	if st, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true}).Wait(); err != nil || *st.NumMessages != 1 {
		t.Fatalf("CLOSE after EXAMINE expunged: %+v, %v", st, err)
	}
}

// TestTwoSessionsSeeEachOther checks unsolicited updates between sessions:
// a flag change and an expunge made in one reach the other on NOOP, with
// sequence numbers the other session can trust.
func TestTwoSessionsSeeEachOther(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	for i := range 3 {
		env.deliver(t, "INBOX", mail(fmt.Sprint("m", i), "x"))
	}
	// imapclient calls the handlers from its reader goroutines, the FETCH
	// one possibly after the command completed.
	expunged := make(chan uint32, 4)
	flagged := make(chan uint32, 4)
	b := env.login(t, &imapclient.Options{UnilateralDataHandler: &imapclient.UnilateralDataHandler{
		Expunge: func(seq uint32) { expunged <- seq },
		Fetch: func(msg *imapclient.FetchMessageData) {
			for msg.Next() != nil {
			}
			flagged <- msg.SeqNum
		},
	}})
	a := env.login(t, nil)
	for _, c := range []*imapclient.Client{a, b} {
		if _, err := c.Select("INBOX", nil).Wait(); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Store(imap.SeqSetNum(3), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagFlagged}, Silent: true}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if err := a.Store(imap.SeqSetNum(1), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagDeleted}, Silent: true}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Expunge().Collect(); err != nil {
		t.Fatal(err)
	}
	if err := b.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
	if got := receive(t, expunged, 1); fmt.Sprint(got) != "[1]" {
		t.Fatalf("session b saw expunges %v, want [1]", got)
	}
	if got := receive(t, flagged, 2); fmt.Sprint(got) != "[1 3]" {
		t.Fatalf("session b saw flag fetches for %v, want [1 3]", got)
	}
	// b now numbers the flagged message 2.
	msgs, err := b.Fetch(imap.SeqSetNum(2), &imap.FetchOptions{Flags: true, UID: true}).Collect()
	if err != nil || len(msgs) != 1 || msgs[0].UID != 3 || !hasIMAPFlag(msgs[0].Flags, imap.FlagFlagged) {
		t.Fatalf("b FETCH 2 = %+v, %v", msgs, err)
	}
}

// receive takes n values from ch, sorted, failing after five seconds.
func receive(t *testing.T, ch <-chan uint32, n int) []uint32 {
	t.Helper()
	var got []uint32
	for range n {
		select {
		case v := <-ch:
			got = append(got, v)
		case <-time.After(5 * time.Second):
			t.Fatalf("got %v, then nothing for 5s", got)
		}
	}
	slices.Sort(got)
	return got
}
