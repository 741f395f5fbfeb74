package smtpd

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-smtp"
	"github.com/foxcpp/go-mockdns"

	"mailnet/mailauth"
)

// senderZones publishes, for domains of the tests below, SPF, DKIM and
// DMARC records as a real sender would. The SMTP client connects from
// 127.0.0.1.
func senderZones(t *testing.T) (map[string]mockdns.Zone, ed25519.PrivateKey) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]mockdns.Zone{
		// Signs its mail, SPF for the loopback: DMARC passes.
		"signed.example.":                {TXT: []string{"v=spf1 ip4:127.0.0.1 -all"}},
		"sel._domainkey.signed.example.": {TXT: []string{"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)}},
		"_dmarc.signed.example.":         {TXT: []string{"v=DMARC1; p=reject"}},
		// Forged senders of these domains fail SPF and carry no signature.
		"bank.example.":                 {TXT: []string{"v=spf1 -all"}},
		"_dmarc.bank.example.":          {TXT: []string{"v=DMARC1; p=reject"}},
		"shop.example.":                 {TXT: []string{"v=spf1 -all"}},
		"_dmarc.shop.example.":          {TXT: []string{"v=DMARC1; p=quarantine"}},
		"relaxed.example.":              {TXT: []string{"v=spf1 -all"}},
		"_dmarc.relaxed.example.":       {TXT: []string{"v=DMARC1; p=none"}},
		"_dmarc.broken-dns.example.":    {Err: &net.DNSError{Err: "server misbehaving", IsTemporary: true}},
		"broken-dns.example.":           {Err: &net.DNSError{Err: "server misbehaving", IsTemporary: true}},
		"sel._domainkey.broken.example": {Err: &net.DNSError{Err: "server misbehaving", IsTemporary: true}},
	}, priv
}

func newVerifyingMX(t *testing.T, action DMARCAction) (*testServer, ed25519.PrivateKey) {
	t.Helper()
	zones, key := senderZones(t)
	checker := mailauth.New(&mockdns.Resolver{Zones: zones}, mailauth.Options{AuthServID: testHostname})
	ts := startServer(t, testOptions{mode: ModeMX, checker: checker, cfg: Config{DMARCReject: action}})
	return ts, key
}

func mailFrom(domain, subject string) string {
	return "From: Someone <someone@" + domain + ">\r\nTo: " + marie + "\r\nSubject: " + subject +
		"\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\nMessage-ID: <" + subject + "@" + domain + ">\r\n\r\nBonjour\r\n"
}

func signEd25519(t *testing.T, msg string, key ed25519.PrivateKey) string {
	t.Helper()
	var out bytes.Buffer
	err := dkim.Sign(&out, strings.NewReader(msg), &dkim.SignOptions{Domain: "signed.example", Selector: "sel", Signer: key,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed, BodyCanonicalization: dkim.CanonicalizationRelaxed})
	if err != nil {
		t.Fatal(err)
	}
	return out.String()
}

func TestMXSenderVerification(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		action    DMARCAction
		domain    string
		sign      bool
		wantCode  int
		wantInbox string // INBOX or Junk, when accepted
		wantDMARC string
		verified  string
	}{
		{"aligned DKIM passes", DMARCRefuse, "signed.example", true, 250, "INBOX", "dmarc=pass", "signed.example"},
		{"forged p=reject refused", DMARCRefuse, "bank.example", false, 550, "", "", ""},
		{"forged p=reject quarantined by config", DMARCQuarantine, "bank.example", false, 250, "Junk", "dmarc=fail", ""},
		{"forged p=reject only tagged by config", DMARCTag, "bank.example", false, 250, "INBOX", "dmarc=fail", ""},
		{"forged p=quarantine goes to Junk", DMARCRefuse, "shop.example", false, 250, "Junk", "dmarc=fail", ""},
		{"forged p=none delivered, not verified", DMARCRefuse, "relaxed.example", false, 250, "INBOX", "dmarc=fail", ""},
		{"DNS failure defers", DMARCRefuse, "broken-dns.example", false, 451, "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ts, key := newVerifyingMX(t, tc.action)
			msg := mailFrom(tc.domain, "t")
			if tc.sign {
				msg = signEd25519(t, msg, key)
			}
			c := dialGreeted(t, ts.addr)
			_, err := send(c, "someone@"+tc.domain, []string{marie}, msg)
			var se *smtp.SMTPError
			switch {
			case tc.wantCode == 250 && err != nil:
				t.Fatalf("refused: %v", err)
			case tc.wantCode != 250 && (!errors.As(err, &se) || se.Code != tc.wantCode):
				t.Fatalf("err = %v, want %d", err, tc.wantCode)
			}
			if tc.wantCode != 250 {
				if n := len(ts.inbox(t, marie)) + len(folderMessages(t, ts.db, ts.accounts[marie].ID, "Junk")); n != 0 {
					t.Fatalf("%d messages stored after refusal", n)
				}
				return
			}
			msgs := folderMessages(t, ts.db, ts.accounts[marie].ID, tc.wantInbox)
			if len(msgs) != 1 {
				t.Fatalf("%s holds %d messages, want 1", tc.wantInbox, len(msgs))
			}
			raw := withoutRoute(t, string(msgs[0].Raw))
			if !strings.HasPrefix(raw, "Authentication-Results: "+testHostname+";") || !strings.Contains(raw[:strings.Index(raw, "\r\n\r\n")], tc.wantDMARC) {
				t.Fatalf("header:\n%s", raw[:strings.Index(raw, "\r\n\r\n")])
			}
			mb, err := ts.db.Mailbox(context.Background(), ts.accounts[marie].ID, tc.wantInbox)
			if err != nil {
				t.Fatal(err)
			}
			data, err := ts.db.Verdict(context.Background(), mb.ID, msgs[0].UID)
			if err != nil {
				t.Fatal(err)
			}
			var v mailauth.Verdict
			if err := json.Unmarshal(data, &v); err != nil || v.VerifiedDomain != tc.verified {
				t.Fatalf("stored verdict %s (%v), want verified domain %q", data, err, tc.verified)
			}
		})
	}
}

// TestMXStripsForgedAuthenticationResults: a sender cannot bring its own
// "pass" under our name; another server's results are kept.
func TestMXStripsForgedAuthenticationResults(t *testing.T) {
	t.Parallel()
	ts, _ := newVerifyingMX(t, DMARCRefuse)
	forged := "Authentication-Results: " + strings.ToUpper(testHostname) + "; dmarc=pass header.from=bank.example\r\n" +
		"Authentication-Results: mx.other.example; spf=pass smtp.mailfrom=x@relaxed.example\r\n" +
		mailFrom("relaxed.example", "forged")
	c := dialGreeted(t, ts.addr)
	if _, err := send(c, "someone@relaxed.example", []string{marie}, forged); err != nil {
		t.Fatal(err)
	}
	raw := string(ts.inbox(t, marie)[0].Raw)
	header := raw[:strings.Index(raw, "\r\n\r\n")]
	if n := strings.Count(strings.ToLower(header), "authentication-results: "+testHostname); n != 1 {
		t.Fatalf("%d Authentication-Results under our name, want only ours:\n%s", n, header)
	}
	if strings.Contains(header, "header.from=bank.example") || !strings.Contains(header, "mx.other.example") {
		t.Fatalf("forged field kept or foreign one dropped:\n%s", header)
	}
}
