package mailauth

import (
	"testing"
)

func TestStripOwnResults(t *testing.T) {
	t.Parallel()
	const body = "\r\nAuthentication-Results: mailnet.test; dkim=pass\r\nbody\r\n"
	tests := []struct {
		name, in, want string
	}{
		{
			name: "ours removed",
			in:   "Authentication-Results: mailnet.test; dkim=pass header.d=bank.example\r\nFrom: a@example.org\r\n" + body,
			want: "From: a@example.org\r\n" + body,
		},
		{
			name: "others kept",
			in:   "Authentication-Results: mx.google.com; dkim=pass\r\nFrom: a@example.org\r\n" + body,
			want: "Authentication-Results: mx.google.com; dkim=pass\r\nFrom: a@example.org\r\n" + body,
		},
		{
			name: "lookalike id kept",
			in:   "Authentication-Results: mailnet.test.evil; dkim=pass\r\nAuthentication-Results: evil.mailnet.test; spf=pass\r\nAuthentication-Results: mailnet.testx; spf=pass\r\n" + body,
			want: "Authentication-Results: mailnet.test.evil; dkim=pass\r\nAuthentication-Results: evil.mailnet.test; spf=pass\r\nAuthentication-Results: mailnet.testx; spf=pass\r\n" + body,
		},
		{
			name: "case variants of name and id",
			in:   "authentication-results: MailNet.TEST; spf=pass\r\nAUTHENTICATION-RESULTS:mailnet.test;dkim=pass\r\nX: y\r\n" + body,
			want: "X: y\r\n" + body,
		},
		{
			name: "folded field removed whole",
			in:   "Received: from a\r\n\tby b\r\nAuthentication-Results:\r\n mailnet.test;\r\n\tdkim=pass header.d=bank.example;\r\n\tdmarc=pass\r\nSubject: hi\r\n" + body,
			want: "Received: from a\r\n\tby b\r\nSubject: hi\r\n" + body,
		},
		{
			name: "id after a comment, version, trailing dot",
			in:   "Authentication-Results: (forged (nested) by \\) spammer) mailnet.test. 1; spf=pass\r\nX: y\r\n" + body,
			want: "X: y\r\n" + body,
		},
		{
			name: "quoted id",
			in:   "Authentication-Results: \"mailnet.test\"; spf=pass\r\nX: y\r\n" + body,
			want: "X: y\r\n" + body,
		},
		{
			name: "id without results",
			in:   "Authentication-Results: mailnet.test\r\nAuthentication-Results: mailnet.test; none\r\nX: y\r\n" + body,
			want: "X: y\r\n" + body,
		},
		{
			name: "space before colon (obsolete syntax)",
			in:   "Authentication-Results : mailnet.test; spf=pass\r\nX: y\r\n" + body,
			want: "X: y\r\n" + body,
		},
		{
			name: "unterminated comment naming us removed",
			in:   "Authentication-Results: (mailnet.test; dkim=pass\r\nAuthentication-Results: (other; dkim=pass\r\nX: y\r\n" + body,
			want: "Authentication-Results: (other; dkim=pass\r\nX: y\r\n" + body,
		},
		{
			name: "our id only in a comment of another's field kept",
			in:   "Authentication-Results: mx.example.net (not mailnet.test); spf=pass\r\n" + body,
			want: "Authentication-Results: mx.example.net (not mailnet.test); spf=pass\r\n" + body,
		},
		{
			name: "other fields mentioning us kept",
			in:   "X-Authentication-Results: mailnet.test; spf=pass\r\nARC-Authentication-Results: i=1; mailnet.test; spf=pass\r\nSubject: Authentication-Results: mailnet.test\r\n" + body,
			want: "X-Authentication-Results: mailnet.test; spf=pass\r\nARC-Authentication-Results: i=1; mailnet.test; spf=pass\r\nSubject: Authentication-Results: mailnet.test\r\n" + body,
		},
		{
			name: "bare LF line endings",
			in:   "Authentication-Results: mailnet.test;\n spf=pass\nX: y\n\nAuthentication-Results: mailnet.test\n",
			want: "X: y\n\nAuthentication-Results: mailnet.test\n",
		},
		{
			name: "last field without a line end, no body",
			in:   "X: y\r\nAuthentication-Results: mailnet.test; spf=pass",
			want: "X: y\r\n",
		},
		{
			name: "only our field",
			in:   "Authentication-Results: mailnet.test; spf=pass\r\n\r\nbody",
			want: "\r\nbody",
		},
		{name: "empty", in: "", want: ""},
		{name: "body only", in: body, want: body},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := string(StripOwnResults([]byte(tc.in), testID)); got != tc.want {
				t.Errorf("StripOwnResults(%q) =\n%q\nwant\n%q", tc.in, got, tc.want)
			}
		})
	}
}

func TestStripOwnResultsEmptyID(t *testing.T) {
	t.Parallel()
	in := []byte("Authentication-Results: (x; spf=pass\r\n\r\n")
	if got := StripOwnResults(in, ""); string(got) != string(in) {
		t.Errorf("StripOwnResults with empty id = %q, want input unchanged", got)
	}
}
