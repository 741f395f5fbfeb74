// Package message computes, once per message at delivery, everything the
// IMAP server needs to list and search a message without parsing it again,
// and stores that in a compact binary form.
//
// Summarize parses a raw message into a Summary: the header size (for
// BODY[HEADER] and BODY[TEXT]), the ENVELOPE and the extended BODYSTRUCTURE
// of RFC 3501 §7.4.2 as go-imap/v2 types, and the decoded header texts that
// SEARCH SUBJECT, FROM, TO, CC, BCC, HEADER Message-ID and SENTBEFORE/ON/
// SINCE match (RFC 3501 §6.4.4). Marshal encodes a Summary; Unmarshal
// decodes it in a few microseconds; SearchField and SearchDate read one
// search field from the encoded bytes without decoding the rest.
//
// # Format
//
// The first byte of an encoding is its format version (1). The search
// fields come next, then the header size, the envelope and the body
// structure; strings are length-prefixed with uvarints, and a fixed
// dictionary of common MIME words makes each of them one byte. The layout
// is described in encode.go. A new layout takes a new version number:
// Unmarshal reports ErrVersion for versions it does not know, and the
// caller can run Summarize on the raw message again. There is no checksum:
// corrupt bytes either fail to decode (ErrCorrupt) or decode to another
// valid summary.
//
// # Tolerance
//
// Mail in the wild is often malformed; like Dovecot, Summarize describes
// what it can rather than refusing. It returns an error only for an empty
// message. Header lines that are not fields are skipped; a missing or
// invalid Content-Type means text/plain; charset=us-ascii (RFC 2045 §5.2),
// or message/rfc822 inside multipart/digest (RFC 2046 §5.1.5); a multipart
// whose boundary is missing or never appears gets one empty text/plain
// part; parts nested deeper than 100 levels are described as text/plain,
// and at most about 10,000 parts are listed.
//
// Multiparts are split on the raw bytes, with the delimiter rules of
// go-message's MultipartReader, so that BODYSTRUCTURE sizes and line counts
// match what go-imap's imapserver.ExtractBodySection returns for BODY[n].
//
// # Why not imapserver.ExtractEnvelope and ExtractBodyStructure
//
// go-imap's helpers were tried first; on malformed or hostile input they
// give results the FETCH writer cannot use or that cost too much:
//   - a multipart whose boundary is missing yields no children, and
//     imapserver's FETCH writer panics on such a multipart;
//   - each message/rfc822 level copies its whole body and keeps it while it
//     recurses, without a depth limit: a message that nests thousands of
//     levels needs memory quadratic in its size;
//   - the header is read with go-message's ReadHeader, which stops at the
//     first line that is not a field, losing every field after it, and a
//     part whose header has such a line ends the multipart;
//   - RFC 2047 words in a charset other than UTF-8, US-ASCII and Latin-1
//     (windows-1252 and ISO-8859-15 are common in French mail) make the
//     whole address list fail to parse, and so does one malformed address:
//     FROM becomes NIL;
//   - a Message-ID that go-message cannot parse is dropped, and US zone
//     names (EST…) are read as +0000;
//   - multipart/digest parts without Content-Type are not given the
//     message/rfc822 default of RFC 2046 §5.1.5, although go-imap's
//     ExtractBodySection does give it.
//
// So this package builds the envelope and the body structure itself, with
// go-message's header reader, net/mail's address and date parsers and the
// standard mime package, and tests that it agrees with go-imap's helpers
// on well-formed messages.
//
// # Caveats
//
//   - Charsets: encoded words in UTF-8, US-ASCII, ISO-8859-1, ISO-8859-15
//     and windows-1252 are decoded; others are left encoded (a client can
//     still decode them from ENVELOPE). Raw 8-bit header bytes that are not
//     UTF-8 are read as windows-1252. RFC 2231 parameters are decoded only
//     in UTF-8 and US-ASCII (mime.ParseMediaType drops the others).
//   - Groups (RFC 5322 §3.4) are flattened: their members are listed, their
//     names dropped, as in go-imap. Addresses without '@' are dropped.
//   - Only the first of repeated header fields counts, for the envelope and
//     for the search fields alike.
//   - Dates keep their UTC offset but not their zone name; a date without a
//     zone is read as UTC; US zone names (EST…) get their RFC 5322 §4.3
//     offsets.
//   - The body MD5 of RFC 3501 body-ext-1part is not kept: go-imap has no
//     field for it and always writes NIL.
package message
