package imapd

import (
	"bytes"
	"errors"
	"io"
	"strings"

	gomessage "github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decode non-UTF-8 text parts
)

// maxSearchText bounds the decoded text one message contributes to BODY
// and TEXT searches, so a huge attachment cannot exhaust memory.
const maxSearchText = 4 << 20

// bodyText returns the decoded text of a message's text/* parts
// (transfer-encoding and charset undone), for BODY and TEXT searches: a
// search for "é" must match a quoted-printable "=C3=A9". When the MIME
// structure cannot be parsed, the raw body is used as it is.
func bodyText(raw []byte) string {
	e, err := gomessage.Read(bytes.NewReader(raw))
	if err != nil && !gomessage.IsUnknownCharset(err) && !gomessage.IsUnknownEncoding(err) {
		return rawBody(raw)
	}
	var b strings.Builder
	walkErr := e.Walk(func(_ []int, part *gomessage.Entity, err error) error {
		if err != nil || part.MultipartReader() != nil {
			return nil
		}
		mediaType, _, _ := part.Header.ContentType()
		if mediaType != "" && !strings.HasPrefix(mediaType, "text/") {
			return nil
		}
		_, err = io.Copy(&b, io.LimitReader(part.Body, int64(maxSearchText-b.Len())))
		b.WriteByte('\n')
		if b.Len() >= maxSearchText {
			return errEnough
		}
		return err
	})
	if walkErr != nil && !errors.Is(walkErr, errEnough) && b.Len() == 0 {
		return rawBody(raw)
	}
	return b.String()
}

var errEnough = errors.New("enough text")

func rawBody(raw []byte) string {
	if i := bytes.Index(raw, []byte("\r\n\r\n")); i >= 0 {
		return string(raw[i+4:])
	}
	return string(raw)
}
