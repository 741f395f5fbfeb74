package smtpd

import (
	"context"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"mailnet/dkimsign"
	"mailnet/routing/sla/texts"
	"mailnet/storage"
)

// startAckServer starts an MX that tracks answers and, with ack, sends
// acknowledgements signed for testDomain; marie is "Marie Dupont". The
// clock reads now; woken counts the queue's wake-ups.
func startAckServer(t *testing.T, ack bool, now *atomic.Int64, woken *atomic.Int32) *testServer {
	t.Helper()
	return startAckServerConfig(t, Config{Acknowledge: ack}, now, woken)
}

// startAckServerConfig is startAckServer with cfg.
func startAckServerConfig(t *testing.T, cfg Config, now *atomic.Int64, woken *atomic.Int32) *testServer {
	t.Helper()
	dir := t.TempDir()
	if _, err := dkimsign.Generate(dir, testDomain, "s1", dkimsign.Ed25519); err != nil {
		t.Fatal(err)
	}
	signer, err := dkimsign.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	ts := startServer(t, testOptions{mode: ModeMX, checker: verifyAll{}, calendar: newCalendar(t), signer: signer,
		cfg: cfg, queued: func() { woken.Add(1) },
		now: func() time.Time { return time.Unix(0, now.Load()).UTC() }})
	withCaseload(t, ts)
	if _, err := ts.db.UpdateAccount(context.Background(), marie, func(a *storage.Account) error {
		a.Name = "Marie Dupont"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ts
}

func queue(t *testing.T, db *storage.DB) []storage.QueueEntry {
	t.Helper()
	q, err := db.Queue(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestAckFirstMessage: a client's first message is acknowledged once,
// from the counsellor to the envelope sender, with the due date and the
// case reference; the second the same day is not, one 25 hours later is.
func TestAckFirstMessage(t *testing.T) {
	t.Parallel()
	var now atomic.Int64
	var woken atomic.Int32
	now.Store(convNow.UnixNano())
	ts := startAckServer(t, true, &now, &woken)
	c := dialGreeted(t, ts.addr)
	if _, err := send(c, "jean@example.org", []string{marie}, clientMail); err != nil {
		t.Fatal(err)
	}
	q := queue(t, ts.db)
	if len(q) != 1 || q[0].From != "" || len(q[0].Recipients) != 1 || q[0].Recipients[0].Address != "jean@example.org" || woken.Load() != 1 {
		t.Fatalf("queue %+v, woken %d: want one acknowledgement to jean", q, woken.Load())
	}
	raw, err := ts.db.QueueMessage(context.Background(), q[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	subject, err := new(mime.WordDecoder).DecodeHeader(h.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	from, err := h.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "Marie Dupont" || from[0].Address != marie {
		t.Fatalf("From %q: %v", h.Get("From"), err)
	}
	for name, got := range map[string]string{
		"Auto-Submitted": h.Get("Auto-Submitted"), "To": h.Get("To"), "Subject": subject,
		"In-Reply-To": h.Get("In-Reply-To"), "References": h.Get("References"),
		"Content-Transfer-Encoding": h.Get("Content-Transfer-Encoding"),
	} {
		want := map[string]string{
			"Auto-Submitted": "auto-replied", "To": "<jean@example.org>", "Subject": "Accusé de réception : Mon dossier",
			"In-Reply-To": "<q1@example.org>", "References": "<q1@example.org>", "Content-Transfer-Encoding": "quoted-printable",
		}[name]
		if got != want {
			t.Errorf("%s: %q, want %q", name, got, want)
		}
	}
	if h.Get("DKIM-Signature") == "" || h.Get("Message-ID") == "" || h.Get("Date") == "" {
		t.Errorf("header lacks DKIM-Signature, Message-ID or Date:\n%s", raw)
	}
	if strings.Contains(strings.ReplaceAll(string(raw), "\r\n", ""), "\n") {
		t.Errorf("bare LF in %q", raw)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"mardi 1er décembre 2026 à 11 h 00", "vendredi 4 décembre 2026 à 11 h 00", "Marie Dupont", "dossier : J1"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("body lacks %q:\n%s", want, body)
		}
	}

	now.Store(convNow.Add(5 * time.Hour).UnixNano())
	if _, err := send(c, "jean@example.org", []string{marie}, strings.Replace(clientMail, "q1@", "q2@", 1)); err != nil {
		t.Fatal(err)
	}
	if q := queue(t, ts.db); len(q) != 1 || woken.Load() != 1 {
		t.Fatalf("second message the same day: queue %+v, woken %d", q, woken.Load())
	}
	now.Store(convNow.Add(25 * time.Hour).UnixNano())
	if _, err := send(c, "jean@example.org", []string{marie}, strings.Replace(clientMail, "q1@", "q3@", 1)); err != nil {
		t.Fatal(err)
	}
	if q := queue(t, ts.db); len(q) != 2 || woken.Load() != 2 {
		t.Fatalf("message 25 hours later: queue %+v, woken %d", q, woken.Load())
	}
}

// TestAckNotSent: no acknowledgement to automatic or list mail, to a null
// sender, or when acknowledgements are off; the conversation opens all
// the same.
func TestAckNotSent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, from, field string
		ack               bool
	}{
		{"auto-replied", "jean@example.org", "Auto-Submitted: auto-replied\r\n", true},
		{"auto-generated with a comment", "jean@example.org", "Auto-Submitted: auto-generated (vacances)\r\n", true},
		{"list", "jean@example.org", "List-Id: <annonces.example.org>\r\n", true},
		{"list unsubscribe", "jean@example.org", "List-Unsubscribe: <mailto:u@example.org>\r\n", true},
		{"bulk", "jean@example.org", "Precedence: bulk\r\n", true},
		{"suppressed", "jean@example.org", "X-Auto-Response-Suppress: DR, AutoReply\r\n", true},
		{"null sender", "", "", true},
		{"our own domain", paul, "", true},
		{"off", "jean@example.org", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var now atomic.Int64
			var woken atomic.Int32
			now.Store(convNow.UnixNano())
			ts := startAckServer(t, tc.ack, &now, &woken)
			if _, err := send(dialGreeted(t, ts.addr), tc.from, []string{marie}, tc.field+clientMail); err != nil {
				t.Fatal(err)
			}
			if q := queue(t, ts.db); len(q) != 0 || woken.Load() != 0 {
				t.Fatalf("queue %+v, woken %d", q, woken.Load())
			}
			if cs := conversations(t, ts.db); len(cs) != 1 {
				t.Fatalf("conversations %+v", cs)
			}
		})
	}
}

// TestAckAutoSubmittedNo: "Auto-Submitted: no" is a person's message.
func TestAckAutoSubmittedNo(t *testing.T) {
	t.Parallel()
	var now atomic.Int64
	var woken atomic.Int32
	now.Store(convNow.UnixNano())
	ts := startAckServer(t, true, &now, &woken)
	if _, err := send(dialGreeted(t, ts.addr), "jean@example.org", []string{marie}, "Auto-Submitted: no\r\n"+clientMail); err != nil {
		t.Fatal(err)
	}
	if q := queue(t, ts.db); len(q) != 1 {
		t.Fatalf("queue %+v", q)
	}
}

// TestAckSubjectEncoding: a subject with line breaks or non-ASCII text
// stays one encoded field.
func TestAckSubjectEncoding(t *testing.T) {
	t.Parallel()
	raw, err := ackMessage(texts.Default().Ack, ackFields{from: mail.Address{Address: marie}, to: "jean@example.org", hostname: testHostname, id: "x",
		subject: "ligne\r\nInjected: oui", client: "J1", received: convNow, due: convNow, loc: time.UTC})
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("Injected") != "" {
		t.Fatalf("field injected:\n%s", raw)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != "Accusé de réception : ligne Injected: oui" {
		t.Fatalf("Subject %q: %v", subject, err)
	}
}

// TestAckTemplateOverride: an ack.txt in the templates directory replaces
// the default subject and body.
func TestAckTemplateOverride(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	src := "Subject: Bien reçu ({{.ClientID}})\n\nMerci. {{.CounsellorName}} répond avant le {{.Due}}.\n"
	if err := os.WriteFile(filepath.Join(dir, texts.AckFile), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	set, err := texts.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	var now atomic.Int64
	var woken atomic.Int32
	now.Store(convNow.UnixNano())
	ts := startAckServerConfig(t, Config{Acknowledge: true, AckText: set.Ack}, &now, &woken)
	c := dialGreeted(t, ts.addr)
	if _, err := send(c, "jean@example.org", []string{marie}, clientMail); err != nil {
		t.Fatal(err)
	}
	q := queue(t, ts.db)
	if len(q) != 1 {
		t.Fatalf("queue %+v", q)
	}
	raw, err := ts.db.QueueMessage(context.Background(), q[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatal(err)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != "Bien reçu (J1)" {
		t.Errorf("Subject %q: %v", subject, err)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Merci. Marie Dupont répond avant le vendredi 4 décembre 2026 à 11 h 00.\r\n"; string(body) != want {
		t.Errorf("body %q, want %q", body, want)
	}
}
