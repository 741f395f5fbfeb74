package smtpd

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/emersion/go-smtp"

	"mailnet/auth"
	"mailnet/routing"
	"mailnet/storage"
)

func TestSMTPError(t *testing.T) {
	t.Parallel()
	internal := errors.New("open /var/lib/mailnet/mail.db: disk quota exceeded")
	tests := []struct {
		name string
		err  error
		code int
		enh  smtp.EnhancedCode
	}{
		{"unknown user", routing.ErrUnknownRecipient, 550, smtp.EnhancedCode{5, 1, 1}},
		{"wrapped unknown user", fmt.Errorf("rcpt x: %w", routing.ErrUnknownRecipient), 550, smtp.EnhancedCode{5, 1, 1}},
		{"not local", routing.ErrNotLocal, 554, smtp.EnhancedCode{5, 7, 1}},
		{"bad address", routing.ErrBadAddress, 501, smtp.EnhancedCode{5, 1, 3}},
		{"too many recipients", errTooManyRecipients, 452, smtp.EnhancedCode{4, 5, 3}},
		{"malformed", fmt.Errorf("deliver: %w", storage.ErrMalformed), 554, smtp.EnhancedCode{5, 6, 0}},
		{"storage too large", fmt.Errorf("deliver: %w", storage.ErrTooLarge), 552, smtp.EnhancedCode{5, 3, 4}},
		{"data too large", fmt.Errorf("%w: %w", errDataAborted, smtp.ErrDataTooLarge), 552, smtp.EnhancedCode{5, 3, 4}},
		{"normalised too large", errTooLarge, 552, smtp.EnhancedCode{5, 3, 4}},
		{"auth required", errAuthRequired, 530, smtp.EnhancedCode{5, 7, 0}},
		{"sender", fmt.Errorf("%w: x", errSenderNotOwned), 553, smtp.EnhancedCode{5, 7, 1}},
		{"bad credentials", auth.ErrInvalidCredentials, 535, smtp.EnhancedCode{5, 7, 8}},
		{"authzid", auth.ErrAuthzidMismatch, 535, smtp.EnhancedCode{5, 7, 8}},
		{"throttled", auth.ErrThrottled, 454, smtp.EnhancedCode{4, 7, 0}},
		{"mechanism", fmt.Errorf("mechanism %q: %w", "X", auth.ErrUnsupportedMechanism), 504, smtp.EnhancedCode{5, 5, 4}},
		{"timeout", fmt.Errorf("%w: read: %w", errDataAborted, os.ErrDeadlineExceeded), 451, smtp.EnhancedCode{4, 4, 2}},
		{"client gone", fmt.Errorf("%w: %w", errDataAborted, io.ErrUnexpectedEOF), 451, smtp.EnhancedCode{4, 4, 2}},
		{"cancelled", fmt.Errorf("deliver: %w", context.Canceled), 451, smtp.EnhancedCode{4, 3, 2}},
		{"store closed", storage.ErrClosed, 451, smtp.EnhancedCode{4, 3, 2}},
		{"unknown", withRef(fmt.Errorf("deliver: %w", internal), "conn42"), 451, smtp.EnhancedCode{4, 3, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := smtpError(tc.err)
			if r.Code != tc.code || r.EnhancedCode != tc.enh {
				t.Fatalf("smtpError(%v) = %d %v %q, want %d %v", tc.err, r.Code, r.EnhancedCode, r.Message, tc.code, tc.enh)
			}
			for _, leak := range []string{"/var", "disk", "mailnet", "storage", "routing", "auth:", "smtpd"} {
				if strings.Contains(r.Message, leak) {
					t.Fatalf("reply %q reveals %q", r.Message, leak)
				}
			}
		})
	}
}

func TestSMTPErrorGenericQuotesRef(t *testing.T) {
	t.Parallel()
	r := smtpError(withRef(errors.New("boom"), "k3j5m2p9qa"))
	if r.Message != "Temporary failure, please retry (ref k3j5m2p9qa)" || !isGenericFailure(r) {
		t.Fatalf("got %d %v %q", r.Code, r.EnhancedCode, r.Message)
	}
	if smtpError(nil) != nil || withRef(nil, "x") != nil {
		t.Fatal("nil is not nil")
	}
	if isGenericFailure(smtpError(routing.ErrNotLocal)) {
		t.Fatal("known error taken for generic")
	}
}

// TestReplyNeverTypedNil guards against the classic mistake of returning
// a nil *smtp.SMTPError as a non-nil error.
func TestReplyNeverTypedNil(t *testing.T) {
	t.Parallel()
	s := &session{conn: &trackedConn{id: "x"}}
	if err := s.reply(nil, "event", nil); err != nil {
		t.Fatalf("reply(nil) = %#v", err)
	}
}
