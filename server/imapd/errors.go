package imapd

import (
	"context"
	"errors"
	"log/slog"

	"github.com/emersion/go-imap/v2"

	"mailnet/storage"
)

// Replies for the errors a session can meet. Texts are generic: details go
// to the log only.
var (
	errNoSuchMailbox = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeNonExistent, Text: "No such mailbox"}
	errTryCreate     = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeTryCreate, Text: "No such mailbox"}
	errMailboxExists = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAlreadyExists, Text: "Mailbox already exists"}
	errBadName       = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeCannot, Text: "Invalid mailbox name"}
	errProtected     = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeCannot, Text: "This mailbox cannot be deleted or renamed"}
	errHasChildren   = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeHasChildren, Text: "Mailbox has children, delete them first"}
	errTooBig        = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeTooBig, Text: "Message too large"}
	errMalformed     = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeParse, Text: "Message could not be parsed"}
	errSameMailbox   = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeCannot, Text: "Source and destination mailboxes are identical"}
	errReadOnly      = &imap.Error{Type: imap.StatusResponseTypeNo, Code: "READ-ONLY", Text: "Mailbox is read-only"}
	errNoPerm        = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeNoPerm, Text: "Permission denied: read-only for you"}
	errAuthFailed    = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeAuthenticationFailed, Text: "Authentication failed"}
	errThrottled     = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeUnavailable, Text: "Too many failed logins, try again later"}
	errTemporary     = &imap.Error{Type: imap.StatusResponseTypeNo, Code: imap.ResponseCodeServerBug, Text: "Temporary server failure, please retry"}
)

// imapError maps a domain error to the reply a client gets; unknown errors
// are logged and become a generic temporary failure.
func imapError(log *slog.Logger, op string, err error) error {
	var ie *imap.Error
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ie):
		return err
	case errors.Is(err, storage.ErrNotFound):
		return errNoSuchMailbox
	case errors.Is(err, storage.ErrExists):
		return errMailboxExists
	case errors.Is(err, storage.ErrInvalidName):
		return errBadName
	case errors.Is(err, storage.ErrProtected):
		return errProtected
	case errors.Is(err, storage.ErrHasChildren):
		return errHasChildren
	case errors.Is(err, storage.ErrTooLarge):
		return errTooBig
	case errors.Is(err, storage.ErrMalformed):
		return errMalformed
	case errors.Is(err, context.Canceled):
		return errTemporary
	}
	log.Error("command failed", "op", op, "err", err)
	return errTemporary
}
