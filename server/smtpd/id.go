package smtpd

import (
	"crypto/rand"
	"encoding/base32"
)

// idEncoding spells IDs in lower case without the letters i, l, o and u,
// which are easily misread when a user reads an ID out to support.
var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// newConnID returns a random connection ID of 10 characters (50 bits):
// unique enough to find one connection in the logs.
func newConnID() string { return randomID(10) }

// newMessageID returns a random message ID of 16 characters (80 bits),
// used in the Received field, the 250 reply, the logs and the Message-ID
// that submission adds, which must be globally unique with our host name.
func newMessageID() string { return randomID(16) }

// randomID returns n characters of idEncoding (5 random bits each).
func randomID(n int) string {
	b := make([]byte, (n*5+7)/8)
	rand.Read(b) // never fails (crypto/rand documentation)
	return idEncoding.EncodeToString(b)[:n]
}
