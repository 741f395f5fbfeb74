package dkimsign

import (
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"strings"
)

// maxTXTString is the longest character-string of a TXT record
// (RFC 1035 §3.3: one length byte).
const maxTXTString = 255

// recordName returns the DNS name of k's public key record
// (RFC 6376 §3.6.2.1).
func (k Key) recordName() string {
	return k.Selector + "._domainkey." + k.Domain
}

// DNSRecord returns the TXT record that publishes k's public key
// (RFC 6376 §3.6.1): its name, "<selector>._domainkey.<domain>" without a
// final dot, and its value, "v=DKIM1; k=ed25519; p=…" with the raw 32-byte
// key (RFC 8463 §4.2) or "v=DKIM1; k=rsa; p=…" with the DER
// SubjectPublicKeyInfo, both in base64. An RSA value is longer than 255
// bytes: ZoneTXT splits it for zone files. k.Signer must be an Ed25519 or
// RSA key, as Generate and Load return.
func DNSRecord(k Key) (name, value string) {
	var p []byte
	switch pub := k.Signer.Public().(type) {
	case ed25519.PublicKey:
		p = pub
	case *rsa.PublicKey:
		// Marshalling a valid RSA public key cannot fail.
		p, _ = x509.MarshalPKIXPublicKey(pub)
	}
	return k.recordName(), "v=DKIM1; k=" + string(k.Algorithm) + "; p=" + base64.StdEncoding.EncodeToString(p)
}

// ZoneTXT returns value as the RDATA of a TXT record in a zone file
// (RFC 1035 §5.1): double-quoted character-strings of at most 255 bytes
// each, separated by spaces, with '"' and '\' escaped and bytes outside
// printable ASCII written \DDD. Resolvers hand the strings of one record
// back concatenated (RFC 6376 §3.6.2.2), so the split does not change the
// value. An empty value is one empty string.
func ZoneTXT(value string) string {
	var b strings.Builder
	for {
		chunk := value[:min(len(value), maxTXTString)]
		value = value[len(chunk):]
		b.WriteByte('"')
		for i := 0; i < len(chunk); i++ {
			switch c := chunk[i]; {
			case c == '"' || c == '\\':
				b.WriteByte('\\')
				b.WriteByte(c)
			case c < ' ' || c > '~':
				fmt.Fprintf(&b, "\\%03d", c)
			default:
				b.WriteByte(c)
			}
		}
		b.WriteByte('"')
		if value == "" {
			return b.String()
		}
		b.WriteByte(' ')
	}
}
