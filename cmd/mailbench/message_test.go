package main

import (
	"bytes"
	"io"
	"mime"
	"net/mail"
	"strings"
	"testing"

	gomessage "github.com/emersion/go-message"
)

func TestMailboxMessageTokens(t *testing.T) {
	t.Parallel()
	tmpl := newMailboxTemplate()
	for _, n := range []int{4242, 42420, 4244} { // 4244 is multipart/alternative
		var buf bytes.Buffer
		if err := tmpl.write(&buf, n, accountLarge); err != nil {
			t.Fatal(err)
		}
		if size := buf.Len(); size < 3<<10 || size > 5<<10 {
			t.Errorf("message %d: %d bytes, want about 4 KiB", n, size)
		}
		msg, err := mail.ReadMessage(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatalf("message %d: %v", n, err)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(subject, subjectToken(n)) {
			t.Errorf("message %d: subject %q lacks %q", n, subject, subjectToken(n))
		}
		if n != 4242 && strings.Contains(subject, subjectToken(4242)) {
			t.Errorf("message %d: subject %q matches the search for message 4242", n, subject)
		}
		text := decodedText(t, buf.Bytes())
		if !strings.Contains(text, textToken(n)) {
			t.Errorf("message %d: text lacks %q", n, textToken(n))
		}
		if n != 4242 && strings.Contains(text, textToken(4242)) {
			t.Errorf("message %d: text matches the search for message 4242", n)
		}
	}
}

func TestMXTemplateSize(t *testing.T) {
	t.Parallel()
	for _, size := range []int{4 << 10, 200 << 10} {
		tmpl, err := newMXTemplate(size)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := tmpl.write(&buf, 3, 7, accountMX); err != nil {
			t.Fatal(err)
		}
		if got := buf.Len(); got < size*9/10 || got > size*11/10 {
			t.Errorf("size %d: message of %d bytes, want within 10 %%", size, got)
		}
		if text := decodedText(t, buf.Bytes()); !strings.Contains(text, "demandeur d'emploi") {
			t.Errorf("size %d: text not decodable: %.80q", size, text)
		}
	}
}

// decodedText returns the decoded text/* parts of a raw message.
func decodedText(t *testing.T, raw []byte) string {
	t.Helper()
	e, err := gomessage.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	err = e.Walk(func(_ []int, part *gomessage.Entity, err error) error {
		if err != nil {
			return err
		}
		if mt, _, _ := part.Header.ContentType(); strings.HasPrefix(mt, "text/") {
			_, err = io.Copy(&b, part.Body)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}
