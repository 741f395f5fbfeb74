package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"net/smtp"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// This file has the Go clients the tests use around the real ones: an SMTP
// client to deliver mail, an IMAP client to check mailboxes, and the
// building and parsing of test messages.

// ioTimeout bounds one whole Go client connection.
const ioTimeout = time.Minute

// tlsConfig trusts only s's self-signed certificate, for host name
// "localhost" (which the certificate also holds as 127.0.0.1).
func (s *server) tlsConfig(t *testing.T) *tls.Config {
	t.Helper()
	pem, err := os.ReadFile(s.certFile())
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", s.certFile())
	}
	return &tls.Config{RootCAs: pool, ServerName: testHostname, MinVersion: tls.VersionTLS12}
}

// dial connects to a listener of s with a deadline for the whole
// connection: ctx's, or ioTimeout from now if that is sooner.
func (s *server) dial(ctx context.Context, proto string) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", s.addr(proto))
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(ioTimeout)
	if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
		deadline = dl
	}
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// deliverMX sends msg through the MX port, as another mail server would:
// EHLO, STARTTLS when offered, MAIL, RCPT, DATA.
func (s *server) deliverMX(t *testing.T, ctx context.Context, from string, to []string, msg []byte) error {
	t.Helper()
	conn, err := s.dial(ctx, "smtp")
	if err != nil {
		return err
	}
	c, err := smtp.NewClient(conn, testHostname)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if err := c.Hello("sender.example"); err != nil {
		return err
	}
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(s.tlsConfig(t)); err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("mail from: %w", err)
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt); err != nil {
			return fmt.Errorf("rcpt to %s: %w", rcpt, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("end of data: %w", err)
	}
	return c.Quit()
}

// imapLogin opens an implicit-TLS IMAP connection of address, closed when
// the test ends.
func (s *server) imapLogin(t *testing.T, ctx context.Context, address, password string) *imapclient.Client {
	t.Helper()
	conn, err := s.dial(ctx, "imaps")
	if err != nil {
		t.Fatal(err)
	}
	c := imapclient.New(tls.Client(conn, s.tlsConfig(t)), nil)
	t.Cleanup(func() {
		if err := c.Close(); err != nil {
			t.Logf("close IMAP connection: %v", err)
		}
	})
	if err := c.Login(address, password).Wait(); err != nil {
		t.Fatalf("IMAP login %s: %v", address, err)
	}
	return c
}

// storedMessage is one message as an IMAP FETCH returned it.
type storedMessage struct {
	UID   imap.UID
	Flags []imap.Flag
	Raw   []byte // BODY[]
}

// hasFlag reports whether m has flag f.
func (m storedMessage) hasFlag(f imap.Flag) bool {
	for _, g := range m.Flags {
		if strings.EqualFold(string(g), string(f)) {
			return true
		}
	}
	return false
}

// fetchAll selects mailbox read-only and returns all its messages in UID
// order, without setting \Seen.
func fetchAll(t *testing.T, c *imapclient.Client, mailbox string) []storedMessage {
	t.Helper()
	sel, err := c.Select(mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
	if err != nil {
		t.Fatalf("select %s: %v", mailbox, err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	section := &imap.FetchItemBodySection{Peek: true}
	var all imap.SeqSet
	all.AddRange(1, 0) // 1:*
	msgs, err := c.Fetch(all, &imap.FetchOptions{UID: true, Flags: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		t.Fatalf("fetch %s: %v", mailbox, err)
	}
	out := make([]storedMessage, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, storedMessage{UID: m.UID, Flags: m.Flags, Raw: m.FindBodySection(section)})
	}
	return out
}

// deliveryTimeout bounds waitForMessages.
const deliveryTimeout = 10 * time.Second

// waitForMessages polls mailbox until it holds at least n messages, and
// returns them; delivery is durable before the SMTP reply, so this is a
// check rather than a wait in practice.
func waitForMessages(t *testing.T, ctx context.Context, c *imapclient.Client, mailbox string, n int) []storedMessage {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, deliveryTimeout)
	defer cancel()
	for {
		msgs := fetchAll(t, c, mailbox)
		if len(msgs) >= n {
			return msgs
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s holds %d messages, want %d: %v", mailbox, len(msgs), n, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// findBySubject returns the one message of msgs whose Subject is subject.
func findBySubject(t *testing.T, msgs []storedMessage, subject string) storedMessage {
	t.Helper()
	var found []storedMessage
	for _, m := range msgs {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Raw))
		if err != nil {
			t.Fatalf("message UID %d does not parse: %v", m.UID, err)
		}
		if msg.Header.Get("Subject") == subject {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d messages with subject %q, want 1", len(found), subject)
	}
	return found[0]
}

// testMessage describes a message to build.
type testMessage struct {
	From, To, Subject string
	Text              string // plain text body, ASCII
	AttachmentName    string // with Attachment: makes a multipart/mixed message
	Attachment        []byte
}

// bytes returns the message in RFC 5322 form with CRLF line ends.
func (m testMessage) bytes() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\n", m.From, m.To, m.Subject)
	fmt.Fprintf(&b, "Date: %s\r\n", time.Now().Format(time.RFC1123Z))
	fmt.Fprintf(&b, "Message-ID: <%d.e2e@sender.example>\r\nMIME-Version: 1.0\r\n", rand.Uint64())
	text := strings.ReplaceAll(m.Text, "\n", "\r\n")
	if m.Attachment == nil {
		fmt.Fprintf(&b, "Content-Type: text/plain; charset=us-ascii\r\n\r\n%s\r\n", text)
		return b.Bytes()
	}
	boundary := fmt.Sprintf("e2e-boundary-%016x", rand.Uint64())
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=%q\r\n\r\n", boundary)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n%s\r\n", boundary, text)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n", boundary)
	fmt.Fprintf(&b, "Content-Disposition: %s\r\n\r\n", mime.FormatMediaType("attachment", map[string]string{"filename": m.AttachmentName}))
	enc := base64.StdEncoding.EncodeToString(m.Attachment)
	for len(enc) > 76 { // RFC 2045 §6.8
		fmt.Fprintf(&b, "%s\r\n", enc[:76])
		enc = enc[76:]
	}
	fmt.Fprintf(&b, "%s\r\n--%s--\r\n", enc, boundary)
	return b.Bytes()
}

// attachmentOf returns the file name and decoded content of the first
// attachment of a raw message.
func attachmentOf(t *testing.T, raw []byte) (name string, data []byte) {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("message does not parse: %v", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || !strings.HasPrefix(mt, "multipart/") {
		t.Fatalf("message is %q (%v), want multipart", msg.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			t.Fatal("message has no attachment")
		}
		if err != nil {
			t.Fatalf("multipart: %v", err)
		}
		disp, dparams, _ := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
		if disp != "attachment" {
			continue
		}
		if cte := p.Header.Get("Content-Transfer-Encoding"); !strings.EqualFold(cte, "base64") {
			t.Fatalf("attachment transfer encoding %q, want base64", cte)
		}
		data, err := io.ReadAll(base64.NewDecoder(base64.StdEncoding, p))
		if err != nil {
			t.Fatalf("decode attachment: %v", err)
		}
		return dparams["filename"], data
	}
}

// binaryFile returns n reproducible pseudo-random bytes, every byte value
// included, so that any transformation of the content shows.
func binaryFile(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		if i < 256 {
			b[i] = byte(i)
		} else {
			b[i] = byte(r.Uint32())
		}
	}
	return b
}
