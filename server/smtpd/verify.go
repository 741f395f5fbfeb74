package smtpd

import (
	"encoding/json"
	"fmt"
	"log/slog"

	"mailnet/mailauth"
	"mailnet/storage"
)

// verifySender authenticates the sender of an MX message (SPF, DKIM,
// DMARC) and applies the result to in: the Authentication-Results field
// is prepended (after removing any that claims to be ours, RFC 8601 §5),
// the verdict is kept with the message, and DMARC decides whether it is
// refused, deferred, put in Junk (junk true) or delivered. in.Raw starts
// with our Received field, hdrLen bytes long, which the checks skip.
func (s *session) verifySender(log *slog.Logger, in *storage.Incoming, hdrLen int, from string) (v mailauth.Verdict, junk bool, err error) {
	received, msg := in.Raw[:hdrLen], in.Raw[hdrLen:]
	v = s.srv.checker.Check(s.ctx, mailauth.Input{RemoteIP: s.conn.remote, Helo: s.helo, MailFrom: from, Raw: msg})
	// Debug only: the outcome is in the "message accepted" line or in
	// the refusal's, and one more log write per message costs throughput.
	log.Debug("sender checked", "spf", v.SPF.Result, "dmarc", v.DMARC.Result, "policy", v.DMARC.Policy,
		"from_domain", v.FromDomain, "verified_domain", v.VerifiedDomain, "dkim", len(v.DKIM))
	switch s.srv.dmarcAction(v.DMARC) {
	case actionDefer:
		return v, false, fmt.Errorf("%w (dmarc %s for %s)", errVerificationDeferred, v.DMARC.Result, v.FromDomain)
	case actionRefuse:
		return v, false, fmt.Errorf("%w (%s)", errSenderUnverified, v.FromDomain)
	case actionJunk:
		junk = true
	}
	verdict, err := json.Marshal(v)
	if err != nil {
		return v, false, err
	}
	out := make([]byte, 0, len(in.Raw)+512)
	out = append(out, s.srv.checker.Header(v)...)
	out = append(out, received...)
	out = append(out, mailauth.StripOwnResults(msg, s.srv.cfg.Hostname)...)
	in.Raw, in.Verdict = out, verdict
	return v, junk, nil
}

// messageAction is what DMARC makes of a message.
type messageAction int

const (
	actionDeliver messageAction = iota
	actionJunk
	actionRefuse
	actionDefer
)

// dmarcAction applies the sender domain's policy (RFC 7489 §6.6.2) and
// the configured handling of p=reject. A temporary DNS failure defers the
// message rather than accepting a sender that cannot be checked; a broken
// record (permerror) counts as no policy (RFC 7489 §6.6.3).
func (s *Server) dmarcAction(d mailauth.DMARCResult) messageAction {
	switch {
	case d.Result == mailauth.TempError:
		return actionDefer
	case d.Result != mailauth.Fail:
		return actionDeliver
	case d.Policy == mailauth.PolicyQuarantine:
		return actionJunk
	case d.Policy != mailauth.PolicyReject:
		return actionDeliver
	}
	switch s.cfg.DMARCReject {
	case DMARCQuarantine:
		return actionJunk
	case DMARCTag:
		return actionDeliver
	}
	return actionRefuse
}
