package auth

import (
	"errors"
	"slices"
	"testing"

	"github.com/emersion/go-sasl"

	"mailnet/storage"
)

// step is one call of sasl.Server.Next and what it must return.
type step struct {
	response  []byte // nil: no (initial) response
	challenge string
	done      bool
	err       error // checked with errors.Is; errAny: any non-nil error
}

var errAny = errors.New("any error")

func TestSASL(t *testing.T) {
	t.Parallel()
	plainIR := func(authz, authc, pw string) []byte { return []byte(authz + "\x00" + authc + "\x00" + pw) }
	tests := []struct {
		name    string
		mech    string
		steps   []step
		success bool // onSuccess called with marie
	}{
		{"plain initial response", "PLAIN", []step{
			{response: plainIR("", marie, mariePassword), done: true},
		}, true},
		{"plain lower-case mechanism", "plain", []step{
			{response: plainIR("", marie, mariePassword), done: true},
		}, true},
		{"plain without initial response", "PLAIN", []step{
			{response: nil, challenge: ""},
			{response: plainIR("", marie, mariePassword), done: true},
		}, true},
		{"plain authzid same login", "PLAIN", []step{
			{response: plainIR("Marie@Example.org", marie, mariePassword), done: true},
		}, true},
		{"plain authzid other", "PLAIN", []step{
			{response: plainIR("paul@example.org", marie, mariePassword), done: true, err: ErrAuthzidMismatch},
		}, false},
		{"plain authzid not an address", "PLAIN", []step{
			{response: plainIR("*", marie, mariePassword), done: true, err: ErrAuthzidMismatch},
		}, false},
		{"plain wrong password", "PLAIN", []step{
			{response: plainIR("", marie, wrong), done: true, err: ErrInvalidCredentials},
		}, false},
		{"plain unknown user", "PLAIN", []step{
			{response: plainIR("", nobody, mariePassword), done: true, err: ErrInvalidCredentials},
		}, false},
		{"plain no separators", "PLAIN", []step{
			{response: []byte(marie + mariePassword), err: errAny},
		}, false},
		{"plain extra separator", "PLAIN", []step{
			{response: []byte("\x00" + marie + "\x00" + mariePassword + "\x00"), err: errAny},
		}, false},
		{"plain empty response", "PLAIN", []step{
			{response: []byte{}, err: errAny},
		}, false},
		{"plain response after done", "PLAIN", []step{
			{response: plainIR("", marie, mariePassword), done: true},
			{response: []byte("more"), err: sasl.ErrUnexpectedClientResponse},
		}, true},

		{"login without initial response", "LOGIN", []step{
			{response: nil, challenge: "Username:"},
			{response: []byte(marie), challenge: "Password:"},
			{response: []byte(mariePassword), done: true},
		}, true},
		{"login initial response", "LOGIN", []step{
			{response: []byte("Marie@Example.ORG"), challenge: "Password:"},
			{response: []byte(mariePassword), done: true},
		}, true},
		{"login wrong password", "LOGIN", []step{
			{response: []byte(marie), challenge: "Password:"},
			{response: []byte(wrong), done: true, err: ErrInvalidCredentials},
		}, false},
		{"login empty username", "LOGIN", []step{
			{response: []byte{}, challenge: "Password:"},
			{response: []byte(mariePassword), done: true, err: ErrInvalidCredentials},
		}, false},
		{"login empty password", "LOGIN", []step{
			{response: nil, challenge: "Username:"},
			{response: []byte(marie), challenge: "Password:"},
			{response: []byte{}, done: true, err: ErrInvalidCredentials},
		}, false},
		{"login binary junk", "LOGIN", []step{
			{response: []byte("\x00\xff\r\n"), challenge: "Password:"},
			{response: []byte("\x00"), done: true, err: ErrInvalidCredentials},
		}, false},
		{"login response after done", "LOGIN", []step{
			{response: []byte(marie), challenge: "Password:"},
			{response: []byte(mariePassword), done: true},
			{response: []byte("more"), err: sasl.ErrUnexpectedClientResponse},
		}, true},
		{"login response after failure", "LOGIN", []step{
			{response: []byte(marie), challenge: "Password:"},
			{response: []byte(wrong), done: true, err: ErrInvalidCredentials},
			{response: []byte(mariePassword), err: sasl.ErrUnexpectedClientResponse},
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ta := newTestAuth(t, Limits{})
			var got []storage.Account
			srv, err := ta.SASL(t.Context(), tc.mech, remoteA, func(a storage.Account) { got = append(got, a) })
			if err != nil {
				t.Fatal(err)
			}
			for i, s := range tc.steps {
				challenge, done, err := srv.Next(s.response)
				switch {
				case s.err == errAny && err == nil, s.err != errAny && !errors.Is(err, s.err):
					t.Fatalf("step %d: err = %v, want %v", i, err, s.err)
				case err == nil && (string(challenge) != s.challenge || done != s.done):
					t.Fatalf("step %d: Next = %q, %v; want %q, %v", i, challenge, done, s.challenge, s.done)
				}
			}
			if tc.success != (len(got) == 1 && got[0].ID == 1) || len(got) > 1 {
				t.Errorf("onSuccess calls %+v, want success %v", got, tc.success)
			}
		})
	}
}

func TestSASLNilOnSuccess(t *testing.T) {
	t.Parallel()
	ta := newTestAuth(t, Limits{})
	srv, err := ta.SASL(t.Context(), sasl.Plain, remoteA, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, done, err := srv.Next([]byte("\x00" + marie + "\x00" + mariePassword)); err != nil || !done {
		t.Errorf("Next = %v, %v; want done", done, err)
	}
}

func TestSASLUnsupportedMechanism(t *testing.T) {
	t.Parallel()
	ta := newTestAuth(t, Limits{})
	for _, mech := range []string{"CRAM-MD5", "SCRAM-SHA-256", "XOAUTH2", "ANONYMOUS", ""} {
		if srv, err := ta.SASL(t.Context(), mech, remoteA, nil); srv != nil || !errors.Is(err, ErrUnsupportedMechanism) {
			t.Errorf("SASL(%q) = %v, %v; want ErrUnsupportedMechanism", mech, srv, err)
		}
	}
}

func TestMechanisms(t *testing.T) {
	t.Parallel()
	ta := newTestAuth(t, Limits{})
	got := ta.Mechanisms()
	if !slices.Equal(got, []string{"PLAIN", "LOGIN"}) {
		t.Fatalf("Mechanisms() = %q", got)
	}
	got[0] = "changed"
	if ta.Mechanisms()[0] != "PLAIN" {
		t.Error("Mechanisms shares its slice")
	}
	for _, m := range got[1:] {
		if _, err := ta.SASL(t.Context(), m, remoteA, nil); err != nil {
			t.Errorf("SASL(%q): %v", m, err)
		}
	}
}

// TestSASLThrottled checks that a throttled SASL exchange fails without
// reaching the store.
func TestSASLThrottled(t *testing.T) {
	t.Parallel()
	ta := newTestAuth(t, Limits{FailuresPerAccount: 1})
	ta.run(t, []login{{marie, wrong, remoteA, ErrInvalidCredentials}})
	calls := ta.store.calls.Load()
	srv, err := ta.SASL(t.Context(), sasl.Login, remoteB, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := srv.Next([]byte(marie)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := srv.Next([]byte(mariePassword)); !errors.Is(err, ErrThrottled) {
		t.Errorf("Next = %v, want ErrThrottled", err)
	}
	if ta.store.calls.Load() != calls {
		t.Error("store called while throttled")
	}
}
