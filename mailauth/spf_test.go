package mailauth

import (
	"errors"
	"testing"
)

func spfZones() zones {
	return zones{}.
		txt("example.org", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all").
		txt("soft.example", "v=spf1 ip4:192.0.2.1 ~all").
		txt("neutral.example", "v=spf1 ?all").
		txt("nospf.example", "google-site-verification=abc").
		txt("broken.example", "v=spf1 bogus:mechanism -all").
		txt("twice.example", "v=spf1 -all", "v=spf1 +all").
		txt("include.example", "v=spf1 include:tempfail.example -all").
		fail("tempfail.example", servfail("tempfail.example")).
		fail("odd.example", errors.New("resolver exploded")).
		txt("mx.example.org", "v=spf1 ip4:192.0.2.5 -all")
}

func TestSPF(t *testing.T) {
	t.Parallel()
	c := newTestChecker(spfZones())
	tests := []struct {
		name         string
		in           Input
		want         Result
		wantDomain   string
		wantIdentity string
	}{
		{"pass", Input{RemoteIP: addr("192.0.2.7"), Helo: "mx.example.org", MailFrom: "alice@example.org"}, Pass, "example.org", IdentityMailFrom},
		{"pass IPv6", Input{RemoteIP: addr("2001:db8::7"), Helo: "mx.example.org", MailFrom: "alice@example.org"}, Pass, "example.org", IdentityMailFrom},
		{"pass IPv4-mapped", Input{RemoteIP: addr("::ffff:192.0.2.7"), Helo: "mx.example.org", MailFrom: "alice@example.org"}, Pass, "example.org", IdentityMailFrom},
		{"domain case folded", Input{RemoteIP: addr("192.0.2.7"), Helo: "mx.example.org", MailFrom: "Alice@EXAMPLE.Org"}, Pass, "example.org", IdentityMailFrom},
		{"fail", Input{RemoteIP: addr("203.0.113.9"), Helo: "evil.example", MailFrom: "alice@example.org"}, Fail, "example.org", IdentityMailFrom},
		{"softfail", Input{RemoteIP: addr("203.0.113.9"), Helo: "x.example", MailFrom: "bob@soft.example"}, SoftFail, "soft.example", IdentityMailFrom},
		{"neutral", Input{RemoteIP: addr("203.0.113.9"), Helo: "x.example", MailFrom: "bob@neutral.example"}, Neutral, "neutral.example", IdentityMailFrom},
		{"none: no SPF record", Input{RemoteIP: addr("203.0.113.9"), Helo: "x.example", MailFrom: "bob@nospf.example"}, None, "nospf.example", IdentityMailFrom},
		{"none: no such domain", Input{RemoteIP: addr("203.0.113.9"), Helo: "x.example", MailFrom: "bob@nowhere.example"}, None, "nowhere.example", IdentityMailFrom},
		{"none: address literal", Input{RemoteIP: addr("203.0.113.9"), Helo: "x.example", MailFrom: "bob@[192.0.2.1]"}, None, "", IdentityMailFrom},
		{"none: single label", Input{RemoteIP: addr("203.0.113.9"), Helo: "x.example", MailFrom: "bob@localhost"}, None, "", IdentityMailFrom},
		{"temperror", Input{RemoteIP: addr("192.0.2.7"), Helo: "x.example", MailFrom: "bob@tempfail.example"}, TempError, "tempfail.example", IdentityMailFrom},
		{"temperror via include", Input{RemoteIP: addr("192.0.2.7"), Helo: "x.example", MailFrom: "bob@include.example"}, TempError, "include.example", IdentityMailFrom},
		{"temperror: unclassified resolver error", Input{RemoteIP: addr("192.0.2.7"), Helo: "x.example", MailFrom: "bob@odd.example"}, TempError, "odd.example", IdentityMailFrom},
		{"permerror: bad mechanism", Input{RemoteIP: addr("192.0.2.7"), Helo: "x.example", MailFrom: "bob@broken.example"}, PermError, "broken.example", IdentityMailFrom},
		{"permerror: two records", Input{RemoteIP: addr("192.0.2.7"), Helo: "x.example", MailFrom: "bob@twice.example"}, PermError, "twice.example", IdentityMailFrom},
		{"permerror: no remote IP", Input{Helo: "x.example", MailFrom: "alice@example.org"}, PermError, "example.org", IdentityMailFrom},
		{"null sender checks HELO: pass", Input{RemoteIP: addr("192.0.2.5"), Helo: "mx.example.org"}, Pass, "mx.example.org", IdentityHelo},
		{"null sender checks HELO: fail", Input{RemoteIP: addr("192.0.2.6"), Helo: "MX.example.org"}, Fail, "mx.example.org", IdentityHelo},
		{"null sender, literal HELO", Input{RemoteIP: addr("192.0.2.5"), Helo: "[192.0.2.5]"}, None, "", IdentityHelo},
		{"null sender, empty HELO", Input{RemoteIP: addr("192.0.2.5")}, None, "", IdentityHelo},
		{"quoted local-part with @", Input{RemoteIP: addr("192.0.2.7"), Helo: "x.example", MailFrom: `"a@b"@example.org`}, Pass, "example.org", IdentityMailFrom},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.in.Raw = []byte(message("alice@example.org"))
			got := c.Check(t.Context(), tc.in).SPF
			if got.Result != tc.want || got.Domain != tc.wantDomain || got.Identity != tc.wantIdentity {
				t.Errorf("SPF = %+v, want result %s, domain %q, identity %s", got, tc.want, tc.wantDomain, tc.wantIdentity)
			}
			if (got.Err == "") != (got.Result == Pass) {
				t.Errorf("SPF.Err = %q with result %s; want an explanation exactly when not pass", got.Err, got.Result)
			}
		})
	}
}
