package resolver

import (
	"context"
	"errors"
	"net"
)

// IsTemporary reports whether err is a DNS failure that says nothing about
// the name: a timeout, SERVFAIL, a refused or unreachable server, a
// malformed answer, or a context that ended (deadline or cancellation).
// Any *net.DNSError that is not "not found" counts, even when net did not
// mark it temporary: for mail, an answer we could not get must lead to a
// 4xx reply or a retry, never to a verdict. It is false for nil, for
// not-found errors (see IsNotFound) and for errors that are not about DNS.
func IsTemporary(err error) bool {
	if err == nil {
		return false
	}
	if de, ok := errors.AsType[*net.DNSError](err); ok {
		return !de.IsNotFound
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return true
	}
	if ne, ok := errors.AsType[net.Error](err); ok && ne.Timeout() {
		return true
	}
	return false
}

// IsNotFound reports whether err says the name does not exist or has no
// record of the asked type (NXDOMAIN or NODATA; net reports both as "no
// such host" with IsNotFound set).
func IsNotFound(err error) bool {
	de, ok := errors.AsType[*net.DNSError](err)
	return ok && de.IsNotFound
}
