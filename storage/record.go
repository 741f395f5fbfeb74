package storage

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Hash is the SHA-256 of a message's raw bytes: the key of its body.
type Hash [sha256.Size]byte

// String returns the hash in lower-case hex.
func (h Hash) String() string { return fmt.Sprintf("%x", h[:]) }

// ParseHash reads a hash written by String (hex, either case).
func ParseHash(s string) (Hash, error) {
	var h Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return Hash{}, fmt.Errorf("%q is not a SHA-256 in hex", s)
	}
	copy(h[:], b)
	return h, nil
}

// The system flags (RFC 9051 §2.3.2), stored as bits.
const (
	FlagSeen     = `\Seen`
	FlagAnswered = `\Answered`
	FlagFlagged  = `\Flagged`
	FlagDeleted  = `\Deleted`
	FlagDraft    = `\Draft`
)

var systemFlags = [...]string{FlagSeen, FlagAnswered, FlagFlagged, FlagDeleted, FlagDraft}

const (
	recordVersion   = 1
	recordFixedSize = 1 + 1 + 8 + 8 + 8 + sha256.Size
	maxKeywords     = 64
	maxKeywordLen   = 128
)

// record is one message entry of a mailbox. Its binary form is
//
//	version(1) systemflags(1) internaldate-unixnano(8) size(8)
//	blob-id(8) sha256(32) keyword-count(uvarint) { len(uvarint) bytes }…
type record struct {
	sys      uint8
	date     int64
	size     int64
	blob     blobRef
	keywords []string
}

func (r *record) encode() []byte {
	b := make([]byte, recordFixedSize, recordFixedSize+8*len(r.keywords))
	b[0] = recordVersion
	b[1] = r.sys
	binary.BigEndian.PutUint64(b[2:], uint64(r.date))
	binary.BigEndian.PutUint64(b[10:], uint64(r.size))
	binary.BigEndian.PutUint64(b[18:], r.blob.id)
	copy(b[26:], r.blob.hash[:])
	b = binary.AppendUvarint(b, uint64(len(r.keywords)))
	for _, k := range r.keywords {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
	}
	return b
}

var errBadRecord = errors.New("storage: corrupt message record")

func decodeRecord(b []byte) (record, error) {
	var r record
	if len(b) < recordFixedSize || b[0] != recordVersion {
		return r, errBadRecord
	}
	r.sys = b[1]
	r.date = int64(binary.BigEndian.Uint64(b[2:]))
	r.size = int64(binary.BigEndian.Uint64(b[10:]))
	r.blob.id = binary.BigEndian.Uint64(b[18:])
	copy(r.blob.hash[:], b[26:recordFixedSize])
	rest := b[recordFixedSize:]
	n, w := binary.Uvarint(rest)
	if w <= 0 || n > maxKeywords {
		return r, errBadRecord
	}
	rest = rest[w:]
	for range n {
		l, w := binary.Uvarint(rest)
		if w <= 0 || l > uint64(len(rest)-w) {
			return r, errBadRecord
		}
		r.keywords = append(r.keywords, string(rest[w:w+int(l)]))
		rest = rest[w+int(l):]
	}
	return r, nil
}

// flags returns the record's flags, system flags first.
func (r *record) flags() []string {
	out := make([]string, 0, 2+len(r.keywords))
	for i, f := range systemFlags {
		if r.sys&(1<<i) != 0 {
			out = append(out, f)
		}
	}
	return append(out, r.keywords...)
}

func (r *record) seen() bool { return r.sys&1 != 0 }

// setFlags replaces the record's flags. Unknown system flags (starting with
// a backslash) such as \Recent are ignored; keywords are kept case-
// preserved, deduplicated case-insensitively (RFC 9051 §2.3.2).
func (r *record) setFlags(flags []string) {
	r.sys = 0
	r.keywords = r.keywords[:0]
	for _, f := range flags {
		if i := systemFlagIndex(f); i >= 0 {
			r.sys |= 1 << i
			continue
		}
		if strings.HasPrefix(f, `\`) || !validKeyword(f) || len(r.keywords) >= maxKeywords {
			continue
		}
		if !slices.ContainsFunc(r.keywords, func(k string) bool { return strings.EqualFold(k, f) }) {
			r.keywords = append(r.keywords, f)
		}
	}
}

func systemFlagIndex(f string) int {
	for i, s := range systemFlags {
		if strings.EqualFold(f, s) {
			return i
		}
	}
	return -1
}

// validKeyword reports whether f is an IMAP atom usable as a keyword.
func validKeyword(f string) bool {
	if f == "" || len(f) > maxKeywordLen {
		return false
	}
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`(){%*"\]`, c) >= 0 {
			return false
		}
	}
	return true
}

// Message is one mailbox entry as read from the store.
type Message struct {
	UID          uint32
	Flags        []string
	InternalDate time.Time
	Size         int64
	Blob         Hash
	// Summary is the encoded message.Summary; set when asked for.
	Summary []byte
	// Raw is the whole message; set when asked for.
	Raw []byte
}

func (r *record) message(uid uint32) Message {
	return Message{
		UID:          uid,
		Flags:        r.flags(),
		InternalDate: time.Unix(0, r.date).UTC(),
		Size:         r.size,
		Blob:         r.blob.hash,
	}
}
