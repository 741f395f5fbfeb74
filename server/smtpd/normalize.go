package smtpd

import (
	"bytes"
	"io"
)

// crlfWriter rewrites line endings on their way to w: CRLF is kept, and a
// bare LF or a bare CR becomes CRLF, so what reaches w never holds a CR or
// an LF outside a CRLF pair. Input already in CRLF form passes unchanged.
//
// This is our defence against SMTP smuggling (CVE-2023-51764 and kin).
// go-smtp ends DATA only on CRLF.CRLF, but lets bare CR and LF through
// into the message; stored as they are, a later relay or a client that
// reads "<LF>.<CR><LF>" as the end of data would see the rest as commands
// or as a second message. Normalised, they are ordinary line breaks inside
// this one message. (When the queue relays the message, go-smtp's client
// dot-stuffs every line, these included.)
//
// A CR at the end of one Write is held until the next Write or Close shows
// whether an LF follows, so the output does not depend on how the input is
// split. Close must be called after the last Write. Not safe for
// concurrent use.
type crlfWriter struct {
	w   io.Writer
	cr  bool   // the last byte written was a CR not yet emitted
	out []byte // scratch, reused between writes
}

// newCRLFWriter returns a crlfWriter that writes to w.
func newCRLFWriter(w io.Writer) *crlfWriter {
	return &crlfWriter{w: w}
}

// Write normalises p and writes it to w. It returns len(p) on success.
func (n *crlfWriter) Write(p []byte) (int, error) {
	size := len(p)
	out := n.out[:0]
	for len(p) > 0 {
		if n.cr {
			n.cr = false
			out = append(out, '\r', '\n')
			if p[0] == '\n' {
				p = p[1:]
				continue
			}
		}
		i := bytes.IndexAny(p, "\r\n")
		if i < 0 {
			out = append(out, p...)
			break
		}
		out = append(out, p[:i]...)
		if p[i] == '\r' {
			n.cr = true
		} else {
			out = append(out, '\r', '\n')
		}
		p = p[i+1:]
	}
	n.out = out
	if _, err := n.w.Write(out); err != nil {
		return 0, err
	}
	return size, nil
}

// Close writes a pending CR as CRLF. It does not close w.
func (n *crlfWriter) Close() error {
	if !n.cr {
		return nil
	}
	n.cr = false
	_, err := n.w.Write([]byte("\r\n"))
	return err
}

// limitWriter appends to buf and fails with errTooLarge, writing nothing
// more, once more than max bytes have been offered.
type limitWriter struct {
	buf *bytes.Buffer
	max int64
}

// Write appends p to the buffer, or fails if that would exceed the limit.
func (l *limitWriter) Write(p []byte) (int, error) {
	if int64(l.buf.Len())+int64(len(p)) > l.max {
		return 0, errTooLarge
	}
	return l.buf.Write(p)
}
