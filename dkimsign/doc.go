// Package dkimsign keeps the DKIM private keys of our domains and signs
// outgoing messages with them (RFC 6376), using go-msgauth.
//
// # Keys
//
// Keys are files, not database records, so that an administrator can
// create, back up and rotate them with the server stopped:
//
//	DATA/dkim/<domain>/<selector>.<algorithm>.pem
//
// where algorithm is ed25519 (RFC 8463) or rsa (2048 bits, RFC 8301), and
// the file holds a PKCS #8 "PRIVATE KEY" PEM block. Generate writes them
// with mode 0600 in directories of mode 0700; Load reads them all. One
// selector is one DNS record, so a domain cannot have two keys with one
// selector, whatever their algorithms. DNSRecord gives the TXT record to
// publish for a key, and ZoneTXT its zone-file form.
//
// # Signing
//
// A Signer signs a message with every key of its signing domain, so a
// domain with an Ed25519 and an RSA key gets both signatures: Ed25519
// (RFC 8463) for the verifiers that know it, RSA for the many that still
// know only RSA. The signing
// domain is the From address's domain, so that the signature aligns for
// DMARC (RFC 7489 §3.1.1), else the envelope sender's. Signatures are
// relaxed/relaxed and cover the From, Sender, Reply-To, To, Cc, Subject,
// Date, Message-ID, In-Reply-To, References and MIME fields present; From
// is over-signed (RFC 6376 §8.15), so a second From field cannot be added
// without breaking the signature.
//
// # Caveats
//
// The t= tag is go-msgauth's wall clock: its signer takes no time.
// Rotating a key means generating one with a new selector, publishing its
// record, restarting the server, and removing the old file (and later its
// record) once mail signed with it has been delivered. A key signs as soon
// as a server loads it, whether or not its record is published; a
// signature whose key is missing from DNS is a permanent error for
// verifiers, treated like no signature (RFC 6376 §6.1).
package dkimsign
