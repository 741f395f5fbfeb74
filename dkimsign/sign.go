package dkimsign

import (
	"fmt"
	"slices"

	"github.com/emersion/go-msgauth/dkim"
)

// signedFields are the header fields a signature covers, each occurrence
// present in the message, in this order (RFC 6376 §5.4.1). From is
// over-signed: listed once more than present, so that adding a From field
// breaks the signature (RFC 6376 §5.4.2, §8.15).
var signedFields = [...]string{
	"From", "Sender", "Reply-To", "To", "Cc", "Subject", "Date",
	"Message-ID", "In-Reply-To", "References",
	"MIME-Version", "Content-Type", "Content-Transfer-Encoding",
}

// Signer signs messages with the keys of its domains. It is immutable and
// safe for concurrent use. A nil *Signer holds no keys.
type Signer struct {
	keys map[string][]Key // domain → keys, in signing order
}

func newSigner(keys []Key) *Signer {
	sortKeys(keys)
	s := &Signer{keys: make(map[string][]Key)}
	for _, k := range keys {
		s.keys[k.Domain] = append(s.keys[k.Domain], k)
	}
	return s
}

// Domains returns the domains s has keys for, sorted.
func (s *Signer) Domains() []string {
	if s == nil {
		return nil
	}
	domains := make([]string, 0, len(s.keys))
	for d := range s.keys {
		domains = append(domains, d)
	}
	slices.Sort(domains)
	return domains
}

// Keys returns every key of s, sorted by domain, then Ed25519 before RSA,
// then selector. The caller may modify the slice but not the keys' signers.
func (s *Signer) Keys() []Key {
	var keys []Key
	for _, d := range s.Domains() {
		keys = append(keys, s.keys[d]...)
	}
	return keys
}

// Sign returns raw with one DKIM-Signature field prepended per key of the
// signing domain, Ed25519 first (RFC 8463) and RSA after it for the
// verifiers that know only RSA, and ok true. raw is not modified and is the suffix of signed.
//
// The signing domain is the domain of the From field's address when the
// header has exactly one From field holding exactly one address and s has
// keys for that domain; otherwise the domain of envelopeFrom (the SMTP
// MAIL FROM address, "" for the null sender). Domains compare ignoring
// case. When s has no key for either, Sign returns raw and ok false.
//
// Signatures use relaxed/relaxed canonicalization and sha256, without body
// length (l=) or expiration (x=). They cover the From, Sender, Reply-To,
// To, Cc, Subject, Date, Message-ID, In-Reply-To, References, MIME-Version,
// Content-Type and Content-Transfer-Encoding fields present, and one From
// more than present. t= is the wall clock: go-msgauth's signer takes no
// time, and verifiers compare t= with theirs.
//
// raw should use CRLF line endings. When there is a key to sign with, a
// message whose first line is a continuation line, or whose header has no
// empty line after it, is an error wrapping ErrMalformed. Sign adds
// signatures each time it is called: sign a message once, before queueing
// it.
func (s *Signer) Sign(raw []byte, envelopeFrom string) (signed []byte, ok bool, err error) {
	if s == nil || len(s.keys) == 0 {
		return raw, false, nil
	}
	fields, malformed := headerFields(raw)
	keys := s.keys[fromDomain(fields)]
	if len(keys) == 0 {
		keys = s.keys[addressDomain(envelopeFrom)]
	}
	if len(keys) == 0 {
		return raw, false, nil
	}
	if malformed != nil {
		return nil, false, malformed
	}
	headerKeys := fieldsToSign(fields)
	var sigs []string
	for _, k := range keys {
		sig, err := signOne(raw, k, headerKeys)
		if err != nil {
			return nil, false, fmt.Errorf("dkim sign with %s for %s: %w", k.Selector, k.Domain, err)
		}
		sigs = append(sigs, sig)
	}
	n := len(raw)
	for _, sig := range sigs {
		n += len(sig)
	}
	signed = make([]byte, 0, n)
	for _, sig := range sigs {
		signed = append(signed, sig...)
	}
	return append(signed, raw...), true, nil
}

// signOne returns the DKIM-Signature field, with its CRLF, of raw by k.
func signOne(raw []byte, k Key, headerKeys []string) (string, error) {
	signer, err := dkim.NewSigner(&dkim.SignOptions{
		Domain:                 k.Domain,
		Selector:               k.Selector,
		Signer:                 k.Signer,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             headerKeys,
	})
	if err != nil {
		return "", err
	}
	_, werr := signer.Write(raw)
	// After a failed Write, Close reports why the signer stopped.
	if err := signer.Close(); err != nil {
		return "", err
	}
	if werr != nil {
		return "", werr
	}
	return signer.Signature(), nil
}
