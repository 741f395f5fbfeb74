package smtpd

import (
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"mailnet/internal/testutil"
	"mailnet/routing"
	"mailnet/server/metrics"
	"mailnet/storage"
)

func TestRejectReason(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want string
	}{
		{routing.ErrUnknownRecipient, "unknown_user"},
		{fmt.Errorf("rcpt: %w", routing.ErrNotLocal), "relay_denied"},
		{routing.ErrBadAddress, "bad_address"},
		{errTooLarge, "size"},
		{fmt.Errorf("%w: %w", errDataAborted, smtp.ErrDataTooLarge), "size"},
		{storage.ErrMalformed, "malformed"},
		{errSenderUnverified, "dmarc_reject"},
		{errVerificationDeferred, "temporary"},
		{errSenderNotOwned, "sender_not_owned"},
		{errAuthRequired, "auth_required"},
		{errTooManyRecipients, "too_many_recipients"},
		{storage.ErrClosed, "temporary"},
		{withRef(errors.New("disk on fire"), "c1"), "temporary"},
	}
	for _, tc := range tests {
		t.Run(tc.err.Error(), func(t *testing.T) {
			t.Parallel()
			if got := rejectReason(smtpError(tc.err)); got != tc.want {
				t.Fatalf("rejectReason(smtpError(%v)) = %q, want %q", tc.err, got, tc.want)
			}
		})
	}
	if got := rejectReason(replyTooManyConnections); got != "rate" {
		t.Fatalf("connection limit: %q, want rate", got)
	}
}

// TestMXMetrics runs MX sessions over a real listener and checks that the
// scraped counters moved by exactly what the sessions did.
func TestMXMetrics(t *testing.T) {
	t.Parallel()
	m := metrics.New(metrics.Options{})
	ts := startServer(t, testOptions{observer: m.Protocol(metrics.ProtoMX),
		cfg: Config{MaxMessageBytes: 1024, MaxConnectionsPerIP: 2}})

	c := dialGreeted(t, ts.addr)
	if err := c.Mail("sender@example.org", nil); err != nil {
		t.Fatal(err)
	}
	wantReply(t, c.Rcpt("nobody@mailnet.test", nil), 550, smtp.EnhancedCode{5, 1, 1})
	wantReply(t, c.Rcpt("someone@elsewhere.example", nil), 554, smtp.EnhancedCode{5, 7, 1})
	wantReply(t, c.Rcpt("ghost@mailnet.test", nil), 550, smtp.EnhancedCode{5, 1, 1})
	if err := c.Rcpt(marie, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := sendData(c, testMessage); err != nil {
		t.Fatal(err)
	}
	_, err := send(c, "sender@example.org", []string{marie}, testMessage+strings.Repeat(strings.Repeat("x", 70)+"\r\n", 30))
	wantReply(t, err, 552, smtp.EnhancedCode{5, 3, 4})

	// With c still open, a second connection fits and a third is refused.
	other := dialRaw(t, ts.addr)
	refused, err := net.Dial("tcp", ts.addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := refused.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(refused); err != nil || !strings.HasPrefix(string(got), "421 ") {
		t.Fatalf("third connection: %q, %v", got, err)
	}
	refused.Close()

	s := testutil.Scrape(t, m.Handler())
	proto := []string{"proto", metrics.ProtoMX}
	if got := s.Value("mailnet_connections_open", proto...); got != 2 {
		t.Errorf("connections_open = %v with two sessions, want 2", got)
	}
	if err := c.Quit(); err != nil {
		t.Fatal(err)
	}
	other.expect("QUIT", "221")
	ts.waitNoConnections(t)

	s = testutil.Scrape(t, m.Handler())
	want := []struct {
		name   string
		labels []string
		value  float64
	}{
		{"mailnet_connections_total", proto, 2},
		{"mailnet_connections_open", proto, 0},
		{"mailnet_messages_accepted_total", proto, 1},
		{"mailnet_messages_rejected_total", append(proto, "reason", "unknown_user"), 2},
		{"mailnet_messages_rejected_total", append(proto, "reason", "relay_denied"), 1},
		{"mailnet_messages_rejected_total", append(proto, "reason", "size"), 1},
		{"mailnet_messages_rejected_total", append(proto, "reason", "rate"), 1},
		{"mailnet_messages_rejected_total", proto, 5},
		{"mailnet_logins_total", nil, 0},
	}
	for _, w := range want {
		if got := s.Value(w.name, w.labels...); got != w.value {
			t.Errorf("%s%v = %v, want %v", w.name, w.labels, got, w.value)
		}
	}
}

// TestSubmissionMetrics checks the AUTH counters and the refusal of a
// sender the account does not own.
func TestSubmissionMetrics(t *testing.T) {
	t.Parallel()
	m := metrics.New(metrics.Options{})
	ts := startServer(t, testOptions{mode: ModeSubmission, observer: m.Protocol(metrics.ProtoSubmission)})

	bad := ts.dialTLS(t, false)
	wantReply(t, bad.Auth(sasl.NewPlainClient("", marie, "wrong")), 535, smtp.EnhancedCode{5, 7, 8})
	c := ts.dialAuthenticated(t, marie)
	wantReply(t, c.Mail(paul, nil), 553, smtp.EnhancedCode{5, 7, 1})
	if _, err := send(c, marie, []string{paul}, submissionMessage); err != nil {
		t.Fatal(err)
	}

	s := testutil.Scrape(t, m.Handler())
	proto := []string{"proto", metrics.ProtoSubmission}
	want := []struct {
		name   string
		labels []string
		value  float64
	}{
		{"mailnet_logins_total", append(proto, "result", "ok"), 1},
		{"mailnet_logins_total", append(proto, "result", "failed"), 1},
		{"mailnet_messages_rejected_total", append(proto, "reason", "sender_not_owned"), 1},
		{"mailnet_messages_rejected_total", proto, 1},
		{"mailnet_messages_accepted_total", proto, 1},
		{"mailnet_connections_total", proto, 2},
		{"mailnet_connections_open", proto, 2},
		{"mailnet_connections_total", []string{"proto", metrics.ProtoMX}, 0},
	}
	for _, w := range want {
		if got := s.Value(w.name, w.labels...); got != w.value {
			t.Errorf("%s%v = %v, want %v", w.name, w.labels, got, w.value)
		}
	}
}

// sendData sends msg as the content of the transaction open on c.
func sendData(c *smtp.Client, msg string) (string, error) {
	w, err := c.Data()
	if err != nil {
		return "", err
	}
	if _, err := io.WriteString(w, msg); err != nil {
		return "", err
	}
	resp, err := w.CloseWithResponse()
	if err != nil {
		return "", err
	}
	return resp.StatusText, nil
}
