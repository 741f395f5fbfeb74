// Package resolver is mailnet's one DNS resolver: every MX, TXT, A/AAAA and
// PTR lookup of the server (outbound delivery, SPF, DKIM, DMARC, Received
// fields) goes through a [Resolver] handed down by constructors, so tests
// inject a go-mockdns resolver and production points at the servers named
// in the configuration.
//
// # Servers and timeouts
//
// [New] builds a Resolver on Go's own DNS client (net.Resolver with
// PreferGo). With configured servers, each lookup asks them one after the
// other, in order: the next server is tried only when the previous one
// failed temporarily (timeout, SERVFAIL, refused, unreachable). A definite
// answer, including "no such name", ends the lookup. Every try is bounded
// by Options.Timeout, so a lookup takes at most len(Servers)×Timeout, and
// never longer than the caller's context allows. Queries go over UDP and
// are retried over TCP when the answer is truncated, as net does (RFC 7766
// §5). Names are looked up as absolute names (a trailing dot is added), so
// the search list of /etc/resolv.conf never turns "example.org" into
// "example.org.corp.lan".
//
// # Errors
//
// Errors are *net.DNSError values, unwrapped, as net returns them: some
// libraries (blitiri.com.ar/go/spf, go-msgauth) test them with a type
// assertion rather than errors.As. [IsNotFound] tells a name that does not
// exist (NXDOMAIN, or no records of the asked type) from [IsTemporary]
// failures, which say nothing about the name. Mail code must answer 4xx or
// retry on a temporary error, and never take it as "no record" (RFC 7208
// §2.6.6 temperror, RFC 6376 §6.1.2 TEMPFAIL, RFC 7489 §6.6.3).
package resolver
