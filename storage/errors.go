package storage

import "errors"

// Sentinel errors returned by DB methods. Callers compare with errors.Is.
var (
	// ErrNotFound reports that the named account, mailbox, message or queue
	// entry does not exist.
	ErrNotFound = errors.New("storage: not found")
	// ErrExists reports that an account or mailbox with that name already
	// exists.
	ErrExists = errors.New("storage: already exists")
	// ErrInvalidName reports a mailbox or account name that cannot be stored
	// (empty, too long, or containing forbidden characters).
	ErrInvalidName = errors.New("storage: invalid name")
	// ErrProtected reports an operation refused on a mailbox that must always
	// exist, such as deleting or renaming INBOX.
	ErrProtected = errors.New("storage: protected mailbox")
	// ErrHasChildren reports a mailbox deletion refused because the mailbox
	// has inferior mailboxes and itself holds messages (RFC 3501 §6.3.4).
	ErrHasChildren = errors.New("storage: mailbox has children")
	// ErrClosed reports a call on a DB after Close.
	ErrClosed = errors.New("storage: database closed")
	// ErrTooLarge reports a message larger than the storage accepts.
	ErrTooLarge = errors.New("storage: message too large")
)

// ErrInvalidEntry reports an audit or archive entry that cannot be
// stored: an audit entry without actor or action, an unknown archive
// direction, an archive grown past the UID space of the case views, a
// legal hold without a client.
var ErrInvalidEntry = errors.New("storage: invalid audit or archive entry")

// ErrMalformed reports a message so broken that no IMAP summary can be made
// of it; it is refused rather than stored half-readable.
var ErrMalformed = errors.New("storage: malformed message")
