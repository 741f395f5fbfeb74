package mailauth

// Result is the outcome of one authentication method, spelled as in
// Authentication-Results (RFC 8601 §2.7): SPF uses RFC 7208 §2.6, DKIM
// RFC 8601 §2.7.1, DMARC RFC 7489 §11.2.
type Result string

// Results. Not every method uses every value: SoftFail is SPF's only,
// Neutral is SPF's (and reserved for DKIM), and DMARC has no Neutral.
const (
	None      Result = "none"
	Neutral   Result = "neutral"
	Pass      Result = "pass"
	Fail      Result = "fail"
	SoftFail  Result = "softfail"
	TempError Result = "temperror"
	PermError Result = "permerror"
)

// Policy is the DMARC policy a domain asks receivers to apply to mail that
// fails DMARC (RFC 7489 §6.3, tags p and sp).
type Policy string

// Policies.
const (
	PolicyNone       Policy = "none"
	PolicyQuarantine Policy = "quarantine"
	PolicyReject     Policy = "reject"
)

// SPFResult is the SPF check of the RFC5321.MailFrom identity, or of the
// HELO identity for the null sender (RFC 7208 §2.4).
type SPFResult struct {
	// Result is none, neutral, pass, fail, softfail, temperror or permerror.
	Result Result `json:"result"`
	// Domain is the checked domain, lowercase ASCII: the MAIL FROM domain,
	// or the HELO domain for the null sender. "" when there was none.
	Domain string `json:"domain,omitempty"`
	// Identity is IdentityMailFrom, or IdentityHelo for the null sender.
	Identity string `json:"identity"`
	// Err is the error behind a result other than pass, for logs; it may
	// be "" (a neutral record without error). "" on pass.
	Err string `json:"err,omitempty"`
}

// DKIMResult is the verification of one DKIM-Signature field (RFC 6376
// §6), in the order the fields appear in the header.
type DKIMResult struct {
	// Result is pass, fail, neutral, temperror or permerror.
	Result Result `json:"result"`
	// Domain is the signing domain (d=), lowercase; "" if unreadable.
	Domain string `json:"domain,omitempty"`
	// Selector is the selector (s=); "" if unreadable.
	Selector string `json:"selector,omitempty"`
	// Err says why the result is not pass, for logs; "" on pass.
	Err string `json:"err,omitempty"`
}

// DMARCResult is the DMARC evaluation of the RFC5322.From domain (RFC
// 7489 §6.6).
type DMARCResult struct {
	// Result is none (no usable DMARC record, or FromDomain has none),
	// pass, fail, temperror (DNS failure, see the package documentation)
	// or permerror (unusable record, or no single From domain).
	Result Result `json:"result"`
	// Policy is the policy that applies to this message: p= of the record,
	// or sp= when the record came from the organizational domain and
	// FromDomain is a subdomain of it. PolicyNone without a record.
	Policy Policy `json:"policy"`
	// FromDomain is the RFC5322.From domain the evaluation is about.
	FromDomain string `json:"from_domain,omitempty"`
	// Aligned is true when an SPF or DKIM pass is aligned with FromDomain:
	// under the record's adkim/aspf modes, or relaxed when there is no
	// record.
	Aligned bool `json:"aligned"`
	// Via names the aligned pass: "dkim" (preferred when both are) or
	// "spf"; "" when Aligned is false.
	Via string `json:"via,omitempty"`
	// Note records what the evaluation chose to do, for logs: a pct below
	// 100, several records, the reason of an error.
	Note string `json:"note,omitempty"`
}

// Verdict is the authentication of one inbound message.
type Verdict struct {
	SPF SPFResult `json:"spf"`
	// DKIM has one result per DKIM-Signature field checked (at most
	// MaxSignatures); empty when the message is unsigned.
	DKIM  []DKIMResult `json:"dkim,omitempty"`
	DMARC DMARCResult  `json:"dmarc"`
	// FromDomain is the domain of the RFC5322.From address, lowercase
	// ASCII (A-labels); "" when the message has no From field, several
	// From fields, several addresses in From, or one that does not parse.
	FromDomain string `json:"from_domain,omitempty"`
	// VerifiedDomain is FromDomain when the sender is verified: DMARC pass,
	// or, when the domain publishes no DMARC record, an SPF or DKIM pass
	// in relaxed alignment with it. "" otherwise. Routing trusts it.
	VerifiedDomain string `json:"verified_domain,omitempty"`
}
