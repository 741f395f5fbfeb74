package smtpd

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"mailnet/auth"
	"mailnet/dkimsign"
	"mailnet/routing"
	"mailnet/storage"
)

// Errors of this package's own checks. Sessions return them (wrapped or
// not) and smtpError turns them into replies.
var (
	// errAuthRequired: a submission client sent MAIL before AUTH.
	errAuthRequired = errors.New("smtpd: authentication required")
	// errSenderNotOwned: on submission, MAIL FROM is not the authenticated
	// account's address (the null sender included).
	errSenderNotOwned = errors.New("smtpd: sender is not the authenticated account")
	// errNestedMail: MAIL inside a transaction (RFC 5321 §4.1.4).
	errNestedMail = errors.New("smtpd: nested MAIL command")
	// errTooManyRecipients: the transaction already has MaxRecipients.
	errTooManyRecipients = errors.New("smtpd: too many recipients")
	// errNoRecipients: end of data without any accepted recipient. go-smtp
	// refuses DATA before RCPT, so this is a safety net.
	errNoRecipients = errors.New("smtpd: no recipients")
	// errTooLarge: the normalised message is over MaxMessageBytes.
	errTooLarge = errors.New("smtpd: message too large")
	// errAuthNotEnabled: AUTH on the MX port, which never authenticates.
	errAuthNotEnabled = errors.New("smtpd: authentication not enabled")
	// errEncryptionRequired: AUTH on a connection without TLS.
	errEncryptionRequired = errors.New("smtpd: authentication needs TLS")
	// errMalformedAuth: a SASL response that does not parse.
	errMalformedAuth = errors.New("smtpd: malformed SASL response")
	// errDataAborted: the client closed the connection or reset the
	// transaction before the end of the message.
	errDataAborted = errors.New("smtpd: message transfer aborted")
	// errSenderUnverified: the message fails DMARC for a domain that asks
	// receivers to reject such mail, and the configuration agrees.
	errSenderUnverified = errors.New("smtpd: sender failed DMARC with p=reject")
	// errVerificationDeferred: the sender's DNS could not be read, so the
	// message can be neither trusted nor refused for good.
	errVerificationDeferred = errors.New("smtpd: sender verification failed temporarily")
	// errTruncated: the connection ended inside a BDAT chunk.
	errTruncated = fmt.Errorf("%w: connection closed inside a chunk", errDataAborted)
)

// Replies. Their texts name no file, setting, or internal cause.
var (
	replyBadAddress = &smtp.SMTPError{Code: 501, EnhancedCode: smtp.EnhancedCode{5, 1, 3},
		Message: "Bad recipient address syntax"}
	replyNoSuchUser = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
		Message: "No such user here"}
	replyRelayDenied = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 7, 1},
		Message: "Relay access denied"}
	replyTooManyRecipients = &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 5, 3},
		Message: "Too many recipients"}
	replyNoRecipients = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 5, 1},
		Message: "No valid recipients"}
	replyNestedMail = &smtp.SMTPError{Code: 503, EnhancedCode: smtp.EnhancedCode{5, 5, 1},
		Message: "Sender already specified"}
	replyTooLarge = &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4},
		Message: "Message size exceeds fixed limit"}
	replyLineTooLong = &smtp.SMTPError{Code: 500, EnhancedCode: smtp.EnhancedCode{5, 5, 2},
		Message: "Line too long"}
	replyUnverified = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 7, 1},
		Message: "Message refused: the sender could not be verified"}
	replyVerificationDeferred = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 7, 0},
		Message: "Temporary failure verifying the sender, please retry"}
	replyMalformed = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0},
		Message: "Message content rejected: malformed message"}
	replyAuthRequired = &smtp.SMTPError{Code: 530, EnhancedCode: smtp.EnhancedCode{5, 7, 0},
		Message: "Authentication required"}
	replySenderNotOwned = &smtp.SMTPError{Code: 553, EnhancedCode: smtp.EnhancedCode{5, 7, 1},
		Message: "Sender address not owned by authenticated user"}
	replyAuthFailed = &smtp.SMTPError{Code: 535, EnhancedCode: smtp.EnhancedCode{5, 7, 8},
		Message: "Authentication credentials invalid"}
	replyThrottled = &smtp.SMTPError{Code: 454, EnhancedCode: smtp.EnhancedCode{4, 7, 0},
		Message: "Too many failed logins, try again later"}
	replyUnknownMechanism = &smtp.SMTPError{Code: 504, EnhancedCode: smtp.EnhancedCode{5, 5, 4},
		Message: "Unrecognized authentication mechanism"}
	replyAuthNotEnabled = &smtp.SMTPError{Code: 503, EnhancedCode: smtp.EnhancedCode{5, 5, 1},
		Message: "Authentication not enabled"}
	replyEncryptionRequired = &smtp.SMTPError{Code: 538, EnhancedCode: smtp.EnhancedCode{5, 7, 11},
		Message: "Encryption required for requested authentication mechanism"}
	replyMalformedAuth = &smtp.SMTPError{Code: 501, EnhancedCode: smtp.EnhancedCode{5, 5, 2},
		Message: "Invalid authentication data"}
	replyTimeout = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 4, 2},
		Message: "Timeout exceeded, please retry"}
	replyAborted = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 4, 2},
		Message: "Message transfer aborted"}
	replyUnavailable = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 2},
		Message: "Service shutting down, please retry later"}
	// replyTooManyConnections is written by the listener itself, before
	// go-smtp sees the connection, which is then closed.
	replyTooManyConnections = &smtp.SMTPError{Code: 421, EnhancedCode: smtp.EnhancedCode{4, 7, 0},
		Message: "Too many connections"}
)

// rejectReasons names, for metrics, why each reply refuses a command or a
// connection. It is a read-only table; rejectReason gives the rest
// "temporary" (the generic 451) or "other".
var rejectReasons = map[*smtp.SMTPError]string{
	replyBadAddress:           "bad_address",
	replyNoSuchUser:           "unknown_user",
	replyRelayDenied:          "relay_denied",
	replyTooManyRecipients:    "too_many_recipients",
	replyNoRecipients:         "no_recipients",
	replyNestedMail:           "protocol",
	replyTooLarge:             "size",
	replyLineTooLong:          "malformed",
	replyMalformed:            "malformed",
	replyUnverified:           "dmarc_reject",
	replyVerificationDeferred: "temporary",
	replyAuthRequired:         "auth_required",
	replySenderNotOwned:       "sender_not_owned",
	replyTimeout:              "timeout",
	replyAborted:              "aborted",
	replyUnavailable:          "temporary",
	replyTooManyConnections:   "rate",
}

// rejectReason returns the reason label of a refusal reply.
func rejectReason(err error) string {
	var r *smtp.SMTPError
	if !errors.As(err, &r) {
		return "other"
	}
	if reason, ok := rejectReasons[r]; ok {
		return reason
	}
	if isGenericFailure(r) {
		return "temporary"
	}
	return "other"
}

// codeTemporaryFailure is the enhanced code of the generic reply that
// smtpError gives to errors it does not know.
var codeTemporaryFailure = smtp.EnhancedCode{4, 3, 0}

// mappings lists, in order, the errors smtpError recognises with
// errors.Is and the reply each gets. It is a read-only table.
var mappings = []struct {
	err   error
	reply *smtp.SMTPError
}{
	{routing.ErrBadAddress, replyBadAddress},
	{routing.ErrUnknownRecipient, replyNoSuchUser},
	{routing.ErrNotLocal, replyRelayDenied},
	{errTooManyRecipients, replyTooManyRecipients},
	{errNoRecipients, replyNoRecipients},
	{errNestedMail, replyNestedMail},
	{errTooLarge, replyTooLarge},
	{smtp.ErrDataTooLarge, replyTooLarge},
	{storage.ErrTooLarge, replyTooLarge},
	{smtp.ErrTooLongLine, replyLineTooLong},
	{storage.ErrMalformed, replyMalformed},
	{errSenderUnverified, replyUnverified},
	{errVerificationDeferred, replyVerificationDeferred},
	{dkimsign.ErrMalformed, replyMalformed},
	{errAuthRequired, replyAuthRequired},
	{errSenderNotOwned, replySenderNotOwned},
	{auth.ErrInvalidCredentials, replyAuthFailed},
	{auth.ErrAuthzidMismatch, replyAuthFailed},
	{auth.ErrThrottled, replyThrottled},
	{auth.ErrUnsupportedMechanism, replyUnknownMechanism},
	{errAuthNotEnabled, replyAuthNotEnabled},
	{errEncryptionRequired, replyEncryptionRequired},
	{errMalformedAuth, replyMalformedAuth},
	{sasl.ErrUnexpectedClientResponse, replyMalformedAuth},
	{os.ErrDeadlineExceeded, replyTimeout},
	{errDataAborted, replyAborted},
	{smtp.ErrDataReset, replyAborted},
	{context.Canceled, replyUnavailable},
	{context.DeadlineExceeded, replyUnavailable},
	{storage.ErrClosed, replyUnavailable},
}

// smtpError returns the reply for err, nil for nil. It is the only place
// where errors become replies: known errors (matched with errors.Is, so
// wrapping is fine) get their fixed reply, and anything else gets a
// generic 451 4.3.0 whose text quotes the reference attached by withRef,
// never the error itself. The result is never wrapped, as go-smtp v0.25.1
// recognises replies by type assertion only (conn.go writeError).
func smtpError(err error) *smtp.SMTPError {
	if err == nil {
		return nil
	}
	for _, m := range mappings {
		if errors.Is(err, m.err) {
			return m.reply
		}
	}
	ref := "none"
	var re *refError
	if errors.As(err, &re) {
		ref = re.ref
	}
	return &smtp.SMTPError{
		Code:         451,
		EnhancedCode: codeTemporaryFailure,
		Message:      fmt.Sprintf("Temporary failure, please retry (ref %s)", ref),
	}
}

// isGenericFailure reports whether r is smtpError's reply to an unknown
// error, whose cause must be logged as an error.
func isGenericFailure(r *smtp.SMTPError) bool {
	return r.Code == 451 && r.EnhancedCode == codeTemporaryFailure
}

// refError attaches the reference (the connection ID) that smtpError quotes
// in its generic reply, so that a client's report can be found in the log.
type refError struct {
	ref string
	err error
}

// withRef returns err with ref attached; nil stays nil.
func withRef(err error, ref string) error {
	if err == nil {
		return nil
	}
	return &refError{ref: ref, err: err}
}

func (e *refError) Error() string { return e.err.Error() }
func (e *refError) Unwrap() error { return e.err }

// accepted is the reply to a message stored by Data. go-smtp v0.25.1 sends
// the text of an *smtp.SMTPError returned by Data as it is, whatever its
// code (conn.go dataErrorToStatus); this is the only way to put our message
// ID in the 250 reply, and the only Session return value that is neither
// nil nor smtpError's.
func accepted(id string) *smtp.SMTPError {
	return &smtp.SMTPError{
		Code:         250,
		EnhancedCode: smtp.EnhancedCode{2, 0, 0},
		Message:      "Ok: queued as " + id,
	}
}

// formatReply renders r as a one-line reply, for the listener's own
// replies written before go-smtp takes the connection.
func formatReply(r *smtp.SMTPError) string {
	c := r.EnhancedCode
	return fmt.Sprintf("%d %d.%d.%d %s\r\n", r.Code, c[0], c[1], c[2], r.Message)
}
