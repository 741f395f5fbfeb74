package imapd

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

func TestSearch(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	env.deliver(t, "INBOX", mail("Rendez-vous mardi", "Bonjour, je confirme le rendez-vous."))
	env.deliver(t, "INBOX", mail("Attestation", "Voici mon attestation Pôle emploi."))
	env.deliver(t, "INBOX", withAttachment(bytes.Repeat([]byte("%PDF-1.4 binary"), 40)))
	env.deliver(t, "INBOX", "From: Employeur <rh@entreprise.fr>\r\nTo: marie.dupont@mailnet.test\r\nSubject: Offre\r\nX-Priority: 1\r\nDate: Fri, 20 Nov 2026 16:00:00 +0100\r\n\r\nUne offre de poste.\r\n")
	c := env.login(t, nil)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.SeqSetNum(2), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Flags: []imap.Flag{imap.FlagFlagged}, Silent: true}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		crit imap.SearchCriteria
		want string
	}{
		{"subject", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: "rendez"}}}, "[1]"},
		{"subject decoded", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: "été"}}}, "[3]"},
		{"from", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "From", Value: "entreprise.fr"}}}, "[4]"},
		{"other header present", imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "X-Priority"}}}, "[4]"},
		{"body", imap.SearchCriteria{Body: []string{"pôle"}}, "[2]"},
		{"body quoted-printable", imap.SearchCriteria{Body: []string{"L'ÉTÉ"}}, "[3]"},
		{"text in header", imap.SearchCriteria{Text: []string{"offre"}}, "[4]"},
		{"flag", imap.SearchCriteria{Flag: []imap.Flag{imap.FlagFlagged}}, "[2]"},
		{"not flag", imap.SearchCriteria{NotFlag: []imap.Flag{imap.FlagFlagged}}, "[1 3 4]"},
		{"larger", imap.SearchCriteria{Larger: 600}, "[3]"},
		{"sent before", imap.SearchCriteria{SentBefore: time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)}, "[4]"},
		{"since today", imap.SearchCriteria{Since: time.Now().Add(-24 * time.Hour)}, "[1 2 3 4]"},
		{"or", imap.SearchCriteria{Or: [][2]imap.SearchCriteria{{{Flag: []imap.Flag{imap.FlagFlagged}}, {Body: []string{"offre"}}}}}, "[2 4]"},
		{"not", imap.SearchCriteria{Not: []imap.SearchCriteria{{Body: []string{"bonjour"}}}}, "[2 3 4]"},
		{"uid set", imap.SearchCriteria{UID: []imap.UIDSet{uidRange(2, 3)}}, "[2 3]"},
		{"seq set and subject", imap.SearchCriteria{SeqNum: []imap.SeqSet{seqRange(1, 2)}, Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: "attest"}}}, "[2]"},
	}
	for _, tc := range tests {
		data, err := c.UIDSearch(&tc.crit, nil).Wait()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := fmt.Sprint(data.AllUIDs()); got != tc.want {
			t.Errorf("%s: UIDs %s, want %s", tc.name, got, tc.want)
		}
	}
	data, err := c.Search(&imap.SearchCriteria{Body: []string{"offre"}}, nil).Wait()
	if err != nil || fmt.Sprint(data.AllSeqNums()) != "[4]" {
		t.Fatalf("SEARCH by seq = %v, %v", data, err)
	}
}
