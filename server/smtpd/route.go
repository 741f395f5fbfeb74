package smtpd

import (
	"bytes"
	"net/mail"
	"time"

	"mailnet/routing"
	"mailnet/storage"
)

// route decides where the local copies of a message go (routing.Route:
// personal counsellor, substitute, dispatch, linked experts) and records
// why in an X-Mailnet-Route field, for the managers' audit. A message
// DMARC sends to Junk goes to each recipient's Junk folder instead.
//
// The field is not added when the message also leaves for remote
// recipients: the queued copy is the same bytes, and our internal routing
// must not travel outside. It returns routing's decision, the zero
// Decision when there is no local recipient.
func (s *session) route(in *storage.Incoming, env envelope, verifiedDomain string, junk bool, when time.Time) (routing.Decision, error) {
	if len(env.local) == 0 {
		return routing.Decision{}, nil
	}
	d, err := s.srv.router.Route(s.ctx, routing.Message{
		Recipients:     env.local,
		Sender:         env.from,
		From:           headerFrom(in.Raw),
		VerifiedDomain: verifiedDomain,
		At:             when,
	})
	if err != nil {
		return routing.Decision{}, err
	}
	in.Deliveries = routing.Deliveries(d.Targets)
	if junk {
		for i := range in.Deliveries {
			in.Deliveries[i].Mailbox = "Junk"
		}
	}
	// A route field that came with the message is a forgery: only ours
	// may tell managers why mail went where.
	in.Raw = stripRouteFields(in.Raw)
	if len(env.remote) == 0 {
		in.Raw = append([]byte(routing.RouteHeader(d.Targets)), in.Raw...)
	}
	return d, nil
}

// routeField is the header field routing.RouteHeader writes.
const routeField = "x-mailnet-route:"

// stripRouteFields removes every X-Mailnet-Route field, continuation lines
// included, from the header section of raw (CRLF line endings); the rest
// is kept byte for byte. It returns raw itself when there is none.
func stripRouteFields(raw []byte) []byte {
	var out []byte
	skipping := false
	for off := 0; off < len(raw); {
		end := bytes.Index(raw[off:], []byte("\r\n"))
		if end < 0 {
			end = len(raw) - off
		} else {
			end += 2
		}
		line := raw[off : off+end]
		if len(line) <= 2 && bytes.Equal(line, []byte("\r\n")) || len(line) == 0 {
			break // end of the header section
		}
		folded := line[0] == ' ' || line[0] == '\t'
		if !folded {
			skipping = len(line) >= len(routeField) && bytes.EqualFold(line[:len(routeField)], []byte(routeField))
		}
		if skipping && out == nil {
			out = append(make([]byte, 0, len(raw)), raw[:off]...)
		}
		if !skipping && out != nil {
			out = append(out, line...)
		}
		off += end
		if off >= len(raw) || out == nil {
			continue
		}
		if bytes.HasPrefix(raw[off:], []byte("\r\n")) {
			return append(out, raw[off:]...)
		}
	}
	if out == nil {
		return raw
	}
	return out
}

// headerFrom returns the address of the message's From field, or "" when
// it is missing or is not one parsable address.
func headerFrom(raw []byte) string {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return ""
	}
	list, err := msg.Header.AddressList("From")
	if err != nil || len(list) != 1 {
		return ""
	}
	return list[0].Address
}
