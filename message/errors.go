package message

import "errors"

// Sentinel errors returned by this package. Callers compare with errors.Is.
var (
	// ErrEmpty reports a zero-length message: it has neither a header nor a
	// body, so Summarize has nothing to describe.
	ErrEmpty = errors.New("message: empty message")
	// ErrCorrupt reports encoded summary bytes that are truncated, altered,
	// or describe a body structure that go-imap cannot write back.
	ErrCorrupt = errors.New("message: corrupt summary encoding")
	// ErrVersion reports encoded summary bytes whose format version this
	// package does not know. The caller can run Summarize on the raw message
	// again.
	ErrVersion = errors.New("message: unknown summary format version")
	// ErrUnknownField reports a Field value that is not one of the Field
	// constants.
	ErrUnknownField = errors.New("message: unknown search field")

	// errUnknownCharset reports an RFC 2047 charset that charsetReader does
	// not convert. It stays inside the package: the text is kept undecoded.
	errUnknownCharset = errors.New("unknown charset")
)
