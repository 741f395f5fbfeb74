// Package mailauth authenticates inbound mail: SPF, DKIM and DMARC, and
// the Authentication-Results field that records them. It is protocol-free
// and deterministic given a resolver.Resolver and a clock: the SMTP server
// calls [Checker.Check] at the end of DATA, decides its reply from the
// [Verdict], strips forged results with [StripOwnResults] and prepends
// [Checker.Header].
//
// # SPF (RFC 7208)
//
// check_host() runs on the RFC5321.MailFrom domain, or on postmaster@HELO
// for the null sender (§2.4), through blitiri.com.ar/go/spf with our
// resolver and the DNS limits of §4.6.4 (10 lookups, 2 void lookups). A
// malformed or single-label domain gives "none" without a lookup (§4.3).
// A failed lookup gives temperror (§2.6.6), never none.
//
// # DKIM (RFC 6376)
//
// go-msgauth verifies the first [MaxSignatures] DKIM-Signature fields,
// fetching keys through our resolver. Per §6.1: a key that cannot be
// fetched for a transient reason is temperror (TEMPFAIL); a missing,
// revoked or unusable key, a malformed signature, rsa-sha1 (RFC 8301) or
// an expired x= is permerror (PERMFAIL); a body hash or signature that
// does not verify is fail. Signatures with l= fail (go-msgauth refuses
// partly-signed bodies). Caveat: go-msgauth also checks x= against the
// wall clock; our clock (Options.Now) decides too, so a test clock can
// only make a signature expire sooner, not later.
//
// # DMARC (RFC 7489)
//
// The record is fetched at _dmarc.<From domain> and, only when there is no
// DMARC record there at all, at _dmarc.<organizational domain> (§6.6.3),
// the organizational domain being the public suffix plus one label
// (golang.org/x/net/publicsuffix, §3.2). go-msgauth parses the record;
// the evaluation is ours. DMARC passes when a DKIM pass (§3.1.1) or an
// SPF pass (§3.1.2) is aligned with the From domain: identical under
// adkim=s/aspf=s, same organizational domain under the relaxed default.
// The applicable policy is p=, or sp= when the record came from the
// organizational domain (§6.3). pct below 100 is noted but not sampled:
// the policy applies to every failing message, so that the verdict is
// deterministic. Results:
//
//   - none: no DMARC record, or several (§6.6.3 step 5: DMARC not applied);
//   - pass, fail: as above;
//   - temperror: the record lookup failed, or DMARC would fail but an
//     aligned SPF or DKIM check failed temporarily (it might have
//     passed);
//   - permerror: the record does not parse (§11.2), or the message has no
//     single From domain (no From field, several, or several addresses:
//     §6.6.1 leaves such mail to local policy).
//
// # What the caller does with a Verdict
//
// DMARC temperror: answer 451 4.7.0 (or 4.4.3), never accept, since DNS
// failure must not let a forged sender in. DMARC fail: act on
// DMARCResult.Policy (reject → 550 5.7.1; quarantine → Junk; none →
// deliver, tagged). DMARC permerror: deliver to Junk. Trust the sender
// only through Verdict.VerifiedDomain: the From domain when DMARC passed,
// or when the domain publishes no DMARC record and a DKIM or SPF pass is
// aligned with it (relaxed); "" otherwise.
//
// # Authentication-Results (RFC 8601)
//
// [Checker.Header] builds one field with go-msgauth authres; §5 requires
// removing fields that claim our authserv-id before adding ours, which
// [StripOwnResults] does, header section only, folded fields included.
//
// # Bounds
//
// Check never panics and never fails: garbage gives none/permerror
// results. It reads at most 1 MiB of header section, verifies at most
// MaxSignatures signatures, and all of its DNS lookups share one
// Options.Timeout.
package mailauth
