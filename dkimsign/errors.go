package dkimsign

import "errors"

var (
	// ErrKeyExists is returned by Generate when the domain already has a key
	// with the requested selector, whatever its algorithm: one selector names
	// one DNS record, so it can publish only one key.
	ErrKeyExists = errors.New("dkim key exists")

	// ErrInvalidDomain is returned for a signing domain that is not a host
	// name of at least two labels in ASCII (A-label) form.
	ErrInvalidDomain = errors.New("invalid dkim domain")

	// ErrInvalidSelector is returned for a selector that is not a sequence of
	// DNS labels (RFC 6376 §3.1), or that makes the record name too long.
	ErrInvalidSelector = errors.New("invalid dkim selector")

	// ErrUnknownAlgorithm is returned for an Algorithm other than Ed25519 and
	// RSA.
	ErrUnknownAlgorithm = errors.New("unknown dkim algorithm")

	// ErrMalformed is returned by Sign for a message it cannot sign so that
	// the signature verifies: its header does not end with an empty line, or
	// its first line is a continuation line, which would be folded into the
	// prepended DKIM-Signature field.
	ErrMalformed = errors.New("message header cannot be signed")
)
