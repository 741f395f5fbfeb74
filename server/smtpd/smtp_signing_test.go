package smtpd

import (
	"bytes"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-msgauth/dkim"

	"mailnet/dkimsign"
)

// TestSubmissionSignsAndWakesQueue submits one message to a local and a
// remote recipient: the stored copy carries our Ed25519 and RSA signatures,
// which verify against the records as published, and the delivery worker
// is woken once.
func TestSubmissionSignsAndWakesQueue(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	records := map[string]string{}
	for _, algo := range []dkimsign.Algorithm{dkimsign.Ed25519, dkimsign.RSA} {
		k, err := dkimsign.Generate(dir, testDomain, "s-"+string(algo), algo)
		if err != nil {
			t.Fatal(err)
		}
		name, value := dkimsign.DNSRecord(k)
		records[name] = value
	}
	signer, err := dkimsign.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var woken atomic.Int32
	ts := startServer(t, testOptions{mode: ModeSubmission, signer: signer, queued: func() { woken.Add(1) }})
	c := ts.dialAuthenticated(t, marie)
	msg := "From: Marie <" + marie + ">\r\nTo: " + paul + ", jean@example.org\r\nSubject: Votre rendez-vous\r\n\r\nBonjour,\r\n"
	if _, err := send(c, marie, []string{paul, "jean@example.org"}, msg); err != nil {
		t.Fatal(err)
	}
	if woken.Load() != 1 {
		t.Fatalf("queue woken %d times, want 1", woken.Load())
	}
	msgs := ts.inbox(t, paul)
	if len(msgs) != 1 {
		t.Fatalf("%d messages", len(msgs))
	}
	raw := msgs[0].Raw
	verifications, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{
		LookupTXT: func(name string) ([]string, error) { return []string{records[name]}, nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(verifications) != 2 {
		t.Fatalf("%d signatures, want 2", len(verifications))
	}
	for _, v := range verifications {
		if v.Err != nil || v.Domain != testDomain {
			t.Fatalf("signature %s: %v", v.Domain, v.Err)
		}
	}
	if !strings.Contains(string(raw[:bytes.Index(raw, []byte("\r\n\r\n"))]), "Message-ID:") {
		t.Fatal("Message-ID not added before signing")
	}
}
