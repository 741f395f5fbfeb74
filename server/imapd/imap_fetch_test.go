package imapd

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
)

// withAttachment builds a multipart message with a binary attachment.
func withAttachment(pdf []byte) string {
	var b strings.Builder
	b.WriteString("From: Jean Martin <jean.martin@example.org>\r\nTo: marie.dupont@mailnet.test\r\nSubject: =?UTF-8?Q?Attestation_employeur_=C3=A9t=C3=A9?=\r\n")
	b.WriteString("Date: Tue, 24 Nov 2026 09:30:00 +0100\r\nMessage-ID: <att@example.org>\r\nMIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n--b1\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nVoici l'attestation de l'=C3=A9t=C3=A9.\r\n")
	b.WriteString("--b1\r\nContent-Type: application/pdf; name=\"attestation.pdf\"\r\nContent-Disposition: attachment; filename=\"attestation.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	enc := base64.StdEncoding.EncodeToString(pdf)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--b1--\r\n")
	return b.String()
}

func TestFetchEnvelopeStructureAndAttachmentBytes(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	pdf := bytes.Repeat([]byte{0x25, 0x50, 0x44, 0x46, 0x00, 0xff, 0x10}, 300)
	raw := withAttachment(pdf)
	env.deliver(t, "INBOX", mail("premier", "bonjour"))
	env.deliver(t, "INBOX", raw)
	c := env.login(t, nil)
	sel, err := c.Select("INBOX", nil).Wait()
	if err != nil || sel.NumMessages != 2 || sel.UIDNext != 3 {
		t.Fatalf("SELECT = %+v, %v", sel, err)
	}
	msgs, err := c.Fetch(imap.SeqSetNum(2), &imap.FetchOptions{
		UID: true, Flags: true, RFC822Size: true, InternalDate: true, Envelope: true,
		BodyStructure: &imap.FetchItemBodyStructure{Extended: true},
		BodySection:   []*imap.FetchItemBodySection{{Peek: true}, {Part: []int{2}, Peek: true}},
		BinarySection: []*imap.FetchItemBinarySection{{Part: []int{2}, Peek: true}},
	}).Collect()
	if err != nil || len(msgs) != 1 {
		t.Fatalf("FETCH = %v, %v", msgs, err)
	}
	m := msgs[0]
	if m.UID != 2 || m.RFC822Size != int64(len(raw)) || m.InternalDate.IsZero() {
		t.Fatalf("UID/size/date = %d %d %v", m.UID, m.RFC822Size, m.InternalDate)
	}
	if m.Envelope.Subject != "Attestation employeur été" || m.Envelope.From[0].Addr() != "jean.martin@example.org" || m.Envelope.MessageID != "att@example.org" {
		t.Fatalf("envelope = %+v", m.Envelope)
	}
	mp, ok := m.BodyStructure.(*imap.BodyStructureMultiPart)
	if !ok || len(mp.Children) != 2 || mp.Subtype != "mixed" {
		t.Fatalf("bodystructure = %#v", m.BodyStructure)
	}
	if att := mp.Children[1].(*imap.BodyStructureSinglePart); att.Filename() != "attestation.pdf" {
		t.Fatalf("attachment part = %+v", att)
	}
	if got := string(m.FindBodySection(&imap.FetchItemBodySection{Peek: true})); got != raw {
		t.Fatal("BODY[] differs from the delivered message")
	}
	if got := m.FindBinarySection(&imap.FetchItemBinarySection{Part: []int{2}, Peek: true}); !bytes.Equal(got, pdf) {
		t.Fatalf("BINARY[2] = %d bytes, want the %d attachment bytes", len(got), len(pdf))
	}
	if len(m.Flags) != 0 {
		t.Fatalf("PEEK set flags: %v", m.Flags)
	}
	// A non-peek fetch sets \Seen and reports it.
	msgs, err = c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Specifier: imap.PartSpecifierText}}}).Collect()
	if err != nil || !hasIMAPFlag(msgs[0].Flags, imap.FlagSeen) {
		t.Fatalf("BODY[TEXT] did not set \\Seen: %+v, %v", msgs, err)
	}
}

func hasIMAPFlag(flags []imap.Flag, f imap.Flag) bool {
	for _, g := range flags {
		if g == f {
			return true
		}
	}
	return false
}

func TestFetchRangesAndStar(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	for i := range 5 {
		env.deliver(t, "INBOX", mail(fmt.Sprint("m", i), "x"))
	}
	c := env.login(t, nil)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		set  imap.NumSet
		want string
	}{
		{imap.SeqSetNum(1, 3), "1,3"},
		{seqRange(4, 0), "4,5"},
		{uidRange(2, 3), "2,3"},
		{uidRange(50, 60), ""},
	}
	for _, tc := range tests {
		var uids []string
		cmd := c.Fetch(tc.set, &imap.FetchOptions{UID: true})
		for {
			msg := cmd.Next()
			if msg == nil {
				break
			}
			buf, err := msg.Collect()
			if err != nil {
				t.Fatal(err)
			}
			uids = append(uids, fmt.Sprint(buf.UID))
		}
		if err := cmd.Close(); err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(uids, ","); got != tc.want {
			t.Errorf("FETCH %v = %s, want %s", tc.set, got, tc.want)
		}
	}
}

func seqRange(a, b uint32) imap.SeqSet {
	var s imap.SeqSet
	s.AddRange(a, b)
	return s
}

func uidRange(a, b imap.UID) imap.UIDSet {
	var s imap.UIDSet
	s.AddRange(a, b)
	return s
}

func TestAppendIsDurableAndReturnsAPPENDUID(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	c := env.login(t, nil)
	raw := mail("brouillon", "texte")
	when := time.Date(2026, 11, 20, 8, 0, 0, 0, time.UTC)
	cmd := c.Append("Drafts", int64(len(raw)), &imap.AppendOptions{Flags: []imap.Flag{imap.FlagDraft}, Time: when})
	if _, err := io.WriteString(cmd, raw); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Close(); err != nil {
		t.Fatal(err)
	}
	data, err := cmd.Wait()
	if err != nil || data.UID != 1 || data.UIDValidity == 0 {
		t.Fatalf("APPEND = %+v, %v", data, err)
	}
	// OK means committed: the store has it, with flags and date.
	box := mustBox(t, env, "Drafts")
	msgs, err := env.db.Messages(t.Context(), box.ID, []uint32{1}, storageWantRaw)
	if err != nil || len(msgs) != 1 || string(msgs[0].Raw) != raw || !msgs[0].InternalDate.Equal(when) || msgs[0].Flags[0] != `\Draft` {
		t.Fatalf("stored = %+v, %v", msgs, err)
	}
	// Into a missing mailbox: TRYCREATE, and the session goes on.
	cmd = c.Append("Nope", int64(len(raw)), nil)
	io.WriteString(cmd, raw)
	cmd.Close()
	if _, err := cmd.Wait(); err == nil || err.(*imap.Error).Code != imap.ResponseCodeTryCreate {
		t.Fatalf("APPEND to missing mailbox: %v", err)
	}
	if err := c.Noop().Wait(); err != nil {
		t.Fatal(err)
	}
}

func TestAppendTooLargeRefused(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	c := env.login(t, nil)
	big := mail("big", strings.Repeat("x", 2<<20))
	cmd := c.Append("INBOX", int64(len(big)), nil)
	io.WriteString(cmd, big)
	cmd.Close()
	if _, err := cmd.Wait(); err == nil {
		t.Fatal("APPEND over the limit accepted")
	}
	if st, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true}).Wait(); err == nil && *st.NumMessages != 0 {
		t.Fatal("oversized message stored")
	}
}

// TestStaticRange covers n:* with n above the highest number, which
// imapclient cannot show (it drops replies outside the set it sent).
func TestStaticRange(t *testing.T) {
	t.Parallel()
	tests := []struct{ start, stop, highest, wantStart, wantStop uint32 }{
		{9, 0, 5, 5, 9}, // 9:* → 5 (the caller clamps the stop to the highest)
		{0, 0, 5, 5, 5},
		{2, 4, 5, 2, 4},
		{4, 2, 5, 2, 4},
		{1, 0, 0, 0, 1},
	}
	for _, tc := range tests {
		a, b := staticRange(tc.start, tc.stop, tc.highest)
		if a != tc.wantStart || b != tc.wantStop {
			t.Errorf("staticRange(%d,%d,%d) = %d,%d", tc.start, tc.stop, tc.highest, a, b)
		}
	}
}

// TestFetchSectionsAreExactBytes checks BODY[], BODY[HEADER], BODY[TEXT]
// and partial fetches against the stored bytes, including a header go's
// textproto would rewrite (folded, odd spacing).
func TestFetchSectionsAreExactBytes(t *testing.T) {
	t.Parallel()
	env := newTestIMAP(t)
	header := "From:jean@example.org\r\nSubject:  folded\r\n   continued\r\nX-Odd :value\r\n\r\n"
	text := "line one\r\nline two\r\n"
	env.deliver(t, "INBOX", header+text)
	c := env.login(t, nil)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	items := []*imap.FetchItemBodySection{
		{Peek: true},
		{Peek: true, Specifier: imap.PartSpecifierHeader},
		{Peek: true, Specifier: imap.PartSpecifierText},
		{Peek: true, Partial: &imap.SectionPartial{Offset: 5, Size: 10}},
		{Peek: true, Specifier: imap.PartSpecifierText, Partial: &imap.SectionPartial{Offset: 9, Size: 100}},
		{Peek: true, Partial: &imap.SectionPartial{Offset: 10000, Size: 10}},
	}
	want := []string{header + text, header, text, (header + text)[5:15], text[9:], ""}
	msgs, err := c.Fetch(imap.SeqSetNum(1), &imap.FetchOptions{BodySection: items}).Collect()
	if err != nil || len(msgs) != 1 {
		t.Fatal(err)
	}
	for i, item := range items {
		if got := string(msgs[0].FindBodySection(item)); got != want[i] {
			t.Errorf("section %d = %q, want %q", i, got, want[i])
		}
	}
}
