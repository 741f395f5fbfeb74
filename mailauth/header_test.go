package mailauth

import (
	"strings"
	"testing"

	"github.com/emersion/go-msgauth/authres"
)

// parseHeader unfolds an Authentication-Results field and parses it with
// go-msgauth.
func parseHeader(t *testing.T, field string) (string, []authres.Result) {
	t.Helper()
	if !strings.HasSuffix(field, "\r\n") {
		t.Fatalf("field %q does not end with CRLF", field)
	}
	for i, line := range strings.Split(strings.TrimSuffix(field, "\r\n"), "\r\n") {
		if i > 0 && !strings.HasPrefix(line, "\t") {
			t.Fatalf("line %d %q of %q is not a continuation", i, line, field)
		}
		if strings.ContainsAny(line, "\r\n") {
			t.Fatalf("bare CR or LF in %q", field)
		}
		if len(line) > 998 {
			t.Fatalf("line %d is %d bytes long", i, len(line))
		}
	}
	name, value, ok := strings.Cut(strings.ReplaceAll(field, "\r\n", ""), ":")
	if !ok || name != "Authentication-Results" {
		t.Fatalf("field %q is not Authentication-Results", field)
	}
	id, results, err := authres.Parse(value)
	if err != nil {
		t.Fatalf("authres.Parse(%q): %v", value, err)
	}
	return id, results
}

func TestHeader(t *testing.T) {
	t.Parallel()
	c := New(nil, Options{AuthServID: testID})
	tests := []struct {
		name string
		v    Verdict
		want string
	}{
		{
			name: "all pass",
			v: Verdict{
				SPF:   SPFResult{Result: Pass, Domain: "example.org", Identity: IdentityMailFrom},
				DKIM:  []DKIMResult{{Result: Pass, Domain: "example.org", Selector: "ed"}, {Result: Pass, Domain: "example.org", Selector: "rsa"}},
				DMARC: DMARCResult{Result: Pass, Policy: PolicyReject, FromDomain: "example.org", Aligned: true, Via: "dkim"},
			},
			want: "Authentication-Results: mailnet.test;\r\n" +
				"\tspf=pass smtp.mailfrom=example.org;\r\n" +
				"\tdkim=pass header.d=example.org header.s=ed;\r\n" +
				"\tdkim=pass header.d=example.org header.s=rsa;\r\n" +
				"\tdmarc=pass header.from=example.org\r\n",
		},
		{
			name: "unsigned, null sender, failures",
			v: Verdict{
				SPF:   SPFResult{Result: SoftFail, Domain: "mx.example.org", Identity: IdentityHelo},
				DMARC: DMARCResult{Result: Fail, Policy: PolicyQuarantine, FromDomain: "example.org"},
			},
			want: "Authentication-Results: mailnet.test;\r\n" +
				"\tspf=softfail smtp.helo=mx.example.org;\r\n" +
				"\tdkim=none;\r\n" +
				"\tdmarc=fail header.from=example.org\r\n",
		},
		{
			name: "DKIM failure has a reason",
			v: Verdict{
				SPF:   SPFResult{Result: None, Identity: IdentityMailFrom},
				DKIM:  []DKIMResult{{Result: Fail, Domain: "example.org", Selector: "ed", Err: "body hash did not verify"}},
				DMARC: DMARCResult{Result: PermError, Policy: PolicyNone},
			},
			want: "Authentication-Results: mailnet.test;\r\n" +
				"\tspf=none;\r\n" +
				"\tdkim=fail reason=\"body hash did not verify\" header.d=example.org header.s=ed;\r\n" +
				"\tdmarc=permerror\r\n",
		},
		{
			name: "hostile values are left out",
			v: Verdict{
				SPF:   SPFResult{Result: Pass, Domain: "example.org\r\nX-Injected: yes", Identity: IdentityMailFrom},
				DKIM:  []DKIMResult{{Result: PermError, Domain: "a;dmarc=pass", Selector: "s (x)", Err: "bad \"key\";\r\n\tX-Injected: yes"}},
				DMARC: DMARCResult{Result: Fail, FromDomain: "exa mple.org"},
			},
			want: "Authentication-Results: mailnet.test;\r\n" +
				"\tspf=pass;\r\n" +
				"\tdkim=permerror reason=\"bad _key_____X-Injected: yes\";\r\n" +
				"\tdmarc=fail\r\n",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := c.Header(tc.v)
			if got != tc.want {
				t.Errorf("Header =\n%s\nwant\n%s", got, tc.want)
			}
			id, results := parseHeader(t, got)
			if id != testID {
				t.Errorf("authserv-id = %q, want %q", id, testID)
			}
			if want := 2 + max(1, len(tc.v.DKIM)); len(results) != want {
				t.Fatalf("%d results parsed, want %d: %#v", len(results), want, results)
			}
		})
	}
}

// TestHeaderRoundTrip checks that what Check finds reads back from Header
// with go-msgauth's parser.
func TestHeaderRoundTrip(t *testing.T) {
	t.Parallel()
	key := newEd25519Key(t, "example.org", "ed")
	z := key.publish(t, zones{}).
		txt("example.org", "v=spf1 ip4:192.0.2.0/24 -all").
		txt("_dmarc.example.org", "v=DMARC1; p=reject")
	c := newTestChecker(z)
	raw := signWith(t, message("alice@example.org"), key)
	v := c.Check(t.Context(), Input{RemoteIP: addr("192.0.2.7"), Helo: "mx.example.org", MailFrom: "alice@example.org", Raw: []byte(raw)})
	id, results := parseHeader(t, c.Header(v))
	if id != testID || len(results) != 3 {
		t.Fatalf("parsed %q, %#v", id, results)
	}
	spf, ok := results[0].(*authres.SPFResult)
	if !ok || spf.Value != authres.ResultPass || spf.From != "example.org" {
		t.Errorf("spf result = %#v", results[0])
	}
	dkim, ok := results[1].(*authres.DKIMResult)
	if !ok || dkim.Value != authres.ResultPass || dkim.Domain != "example.org" {
		t.Errorf("dkim result = %#v", results[1])
	}
	dmarc, ok := results[2].(*authres.DMARCResult)
	if !ok || dmarc.Value != authres.ResultPass || dmarc.From != "example.org" {
		t.Errorf("dmarc result = %#v", results[2])
	}
}
