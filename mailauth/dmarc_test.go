package mailauth

import (
	"strings"
	"testing"
)

// dmarcWorld is the DNS of the DMARC tests: one Ed25519 key published as
// "sel" for every domain that signs, SPF records for the envelope domains,
// and no DMARC record (each case adds its own).
type dmarcWorld struct {
	keys map[string]testKey // by signing domain
	base zones
}

func newDMARCWorld(t *testing.T) dmarcWorld {
	t.Helper()
	w := dmarcWorld{keys: map[string]testKey{}, base: zones{}}
	signer := newEd25519Key(t, "", "sel").signer
	for _, d := range []string{"example.org", "news.example.org", "evil.example", "example.co.uk", "mail.example.co.uk"} {
		k := testKey{domain: d, selector: "sel", signer: signer}
		w.keys[d] = k
		k.publish(t, w.base)
	}
	w.base.txt("example.org", "v=spf1 ip4:192.0.2.0/24 -all").
		txt("bounce.example.org", "v=spf1 ip4:192.0.2.0/24 -all").
		txt("news.example.org", "v=spf1 ip4:192.0.2.0/24 -all").
		txt("evil.example", "v=spf1 ip4:203.0.113.0/24 -all").
		txt("mail.example.co.uk", "v=spf1 ip4:198.51.100.0/24 -all").
		fail("tempfail.example.org", servfail("tempfail.example.org")).
		fail("_dmarc.tempfail.example.org", servfail("_dmarc.tempfail.example.org"))
	return w
}

const (
	goodIP = "192.0.2.7"    // allowed by example.org's SPF
	evilIP = "203.0.113.66" // allowed by evil.example's SPF
	ukIP   = "198.51.100.3" // allowed by mail.example.co.uk's SPF
)

func TestDMARC(t *testing.T) {
	t.Parallel()
	w := newDMARCWorld(t)
	type want struct {
		result   Result
		policy   Policy
		aligned  bool
		via      string
		verified bool // VerifiedDomain is the From domain (else "")
		note     string
	}
	tests := []struct {
		name     string
		from     string            // From address
		header   string            // extra header lines, CRLF-terminated, prepended
		signers  []string          // signing domains
		mailFrom string            // MAIL FROM
		ip       string            // client address
		dmarc    map[string]string // DMARC records by domain (without _dmarc.)
		want     want
	}{
		{
			name: "pass by aligned DKIM", from: "alice@example.org", signers: []string{"example.org"},
			mailFrom: "alice@evil.example", ip: evilIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=reject"},
			want: want{Pass, PolicyReject, true, "dkim", true, ""},
		},
		{
			name: "pass by aligned SPF", from: "alice@example.org",
			mailFrom: "alice@example.org", ip: goodIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=reject"},
			want: want{Pass, PolicyReject, true, "spf", true, ""},
		},
		{
			name: "DKIM preferred when both align", from: "alice@example.org", signers: []string{"example.org"},
			mailFrom: "alice@example.org", ip: goodIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=reject"},
			want: want{Pass, PolicyReject, true, "dkim", true, ""},
		},
		{
			name: "fail, p=reject", from: "ceo@example.org", signers: []string{"evil.example"},
			mailFrom: "x@evil.example", ip: evilIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=reject"},
			want: want{Fail, PolicyReject, false, "", false, ""},
		},
		{
			name: "fail, p=quarantine", from: "ceo@example.org",
			mailFrom: "x@evil.example", ip: evilIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=quarantine"},
			want: want{Fail, PolicyQuarantine, false, "", false, ""},
		},
		{
			name: "fail, p=none", from: "ceo@example.org",
			mailFrom: "x@evil.example", ip: evilIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=none"},
			want: want{Fail, PolicyNone, false, "", false, ""},
		},
		{
			name: "SPF pass of the From domain from a wrong IP fails", from: "ceo@example.org",
			mailFrom: "ceo@example.org", ip: evilIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=reject"},
			want: want{Fail, PolicyReject, false, "", false, ""},
		},
		{
			name: "subdomain takes sp= from the organizational record", from: "info@news.example.org",
			mailFrom: "x@evil.example", ip: evilIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=reject; sp=quarantine"},
			want: want{Fail, PolicyQuarantine, false, "", false, ""},
		},
		{
			name: "subdomain without sp= takes p=", from: "info@news.example.org",
			mailFrom: "x@evil.example", ip: evilIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=reject"},
			want: want{Fail, PolicyReject, false, "", false, ""},
		},
		{
			name: "own record of a subdomain: p=, not sp=", from: "info@news.example.org",
			mailFrom: "x@evil.example", ip: evilIP, dmarc: map[string]string{"news.example.org": "v=DMARC1; p=none; sp=reject", "example.org": "v=DMARC1; p=reject"},
			want: want{Fail, PolicyNone, false, "", false, ""},
		},
		{
			name: "relaxed DKIM alignment: parent signs for subdomain", from: "info@news.example.org", signers: []string{"example.org"},
			mailFrom: "x@evil.example", ip: evilIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=reject"},
			want: want{Pass, PolicyReject, true, "dkim", true, ""},
		},
		{
			name: "strict DKIM alignment: parent signature does not align", from: "info@news.example.org", signers: []string{"example.org"},
			mailFrom: "x@evil.example", ip: evilIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=reject; adkim=s"},
			want: want{Fail, PolicyReject, false, "", false, ""},
		},
		{
			name: "strict DKIM alignment: exact domain aligns", from: "info@news.example.org", signers: []string{"news.example.org"},
			mailFrom: "x@evil.example", ip: evilIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=reject; adkim=s"},
			want: want{Pass, PolicyReject, true, "dkim", true, ""},
		},
		{
			name: "relaxed SPF alignment: bounce subdomain", from: "alice@example.org",
			mailFrom: "b+123@bounce.example.org", ip: goodIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=reject"},
			want: want{Pass, PolicyReject, true, "spf", true, ""},
		},
		{
			name: "strict SPF alignment: bounce subdomain does not align", from: "alice@example.org",
			mailFrom: "b+123@bounce.example.org", ip: goodIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=reject; aspf=s"},
			want: want{Fail, PolicyReject, false, "", false, ""},
		},
		{
			name: "organizational domain under a two-label suffix", from: "agent@mail.example.co.uk",
			mailFrom: "x@evil.example", ip: evilIP, dmarc: map[string]string{"example.co.uk": "v=DMARC1; p=quarantine; sp=reject"},
			want: want{Fail, PolicyReject, false, "", false, ""},
		},
		{
			name: "organizational domain record, aligned SPF passes", from: "agent@mail.example.co.uk",
			mailFrom: "agent@mail.example.co.uk", ip: ukIP, dmarc: map[string]string{"example.co.uk": "v=DMARC1; p=reject"},
			want: want{Pass, PolicyReject, true, "spf", true, ""},
		},
		{
			name: "organizational domain record, relaxed DKIM from the parent", from: "agent@mail.example.co.uk", signers: []string{"example.co.uk"},
			mailFrom: "x@evil.example", ip: evilIP, dmarc: map[string]string{"example.co.uk": "v=DMARC1; p=reject"},
			want: want{Pass, PolicyReject, true, "dkim", true, ""},
		},
		{
			name: "no record: none, aligned DKIM verifies", from: "alice@example.org", signers: []string{"example.org"},
			mailFrom: "x@evil.example", ip: evilIP,
			want: want{None, PolicyNone, true, "dkim", true, ""},
		},
		{
			name: "no record: none, relaxed-aligned SPF verifies", from: "alice@example.org",
			mailFrom: "b@bounce.example.org", ip: goodIP,
			want: want{None, PolicyNone, true, "spf", true, ""},
		},
		{
			name: "no record: unaligned passes verify nothing", from: "alice@example.org", signers: []string{"evil.example"},
			mailFrom: "x@evil.example", ip: evilIP,
			want: want{None, PolicyNone, false, "", false, ""},
		},
		{
			name: "several records: DMARC not applied", from: "ceo@example.org",
			mailFrom: "x@evil.example", ip: evilIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=reject\x00v=DMARC1; p=none"},
			want: want{None, PolicyNone, false, "", false, "several DMARC records"},
		},
		{
			name: "several records at the domain: no fallback to the organizational domain", from: "info@news.example.org",
			mailFrom: "x@evil.example", ip: evilIP, dmarc: map[string]string{"news.example.org": "v=DMARC1; p=none\x00v=DMARC1; p=none", "example.org": "v=DMARC1; p=reject"},
			want: want{None, PolicyNone, false, "", false, "several DMARC records"},
		},
		{
			name: "other TXT records beside the DMARC record", from: "ceo@example.org",
			mailFrom: "x@evil.example", ip: evilIP, dmarc: map[string]string{"example.org": "hello world\x00v=DMARC10; p=none\x00v=DMARC1; p=reject"},
			want: want{Fail, PolicyReject, false, "", false, ""},
		},
		{
			name: "tag names and values are case-insensitive", from: "ceo@example.org",
			mailFrom: "x@evil.example", ip: evilIP, dmarc: map[string]string{"example.org": "v = DMARC1;P=REJECT; ADKIM=S"},
			want: want{Fail, PolicyReject, false, "", false, ""},
		},
		{
			name: "pct below 100 still applies the policy", from: "ceo@example.org",
			mailFrom: "x@evil.example", ip: evilIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=reject; pct=10"},
			want: want{Fail, PolicyReject, false, "", false, "pct=10: policy applied to every message"},
		},
		{
			name: "unparsable record: permerror", from: "ceo@example.org", signers: []string{"example.org"},
			mailFrom: "x@evil.example", ip: evilIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=bogus"},
			want: want{PermError, PolicyNone, false, "", false, "unusable DMARC record at example.org: invalid policy for parameter 'p'"},
		},
		{
			name: "record lookup fails: temperror", from: "ceo@tempfail.example.org",
			mailFrom: "x@evil.example", ip: evilIP,
			want: want{TempError, PolicyNone, false, "", false, "DMARC lookup failed: lookup _dmarc.tempfail.example.org: server misbehaving"},
		},
		{
			name: "aligned SPF temperror: temperror, not fail", from: "ceo@example.org",
			mailFrom: "x@tempfail.example.org", ip: goodIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=reject"},
			want: want{TempError, PolicyReject, false, "", false, "aligned SPF or DKIM check failed temporarily"},
		},
		{
			name: "unaligned SPF temperror: plain fail", from: "ceo@example.org",
			mailFrom: "x@tempfail.example.org", ip: goodIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=reject; aspf=s"},
			want: want{Fail, PolicyReject, false, "", false, ""},
		},
		{
			name: "a forged signature does not spoil a good one", from: "alice@example.org", signers: []string{"evil.example", "example.org"},
			mailFrom: "x@evil.example", ip: evilIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=reject"},
			want: want{Pass, PolicyReject, true, "dkim", true, ""},
		},
		{
			name: "no From field: permerror", from: "",
			mailFrom: "alice@example.org", ip: goodIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=reject"},
			want: want{PermError, PolicyNone, false, "", false, "no single RFC5322.From domain"},
		},
		{
			name: "two From fields: permerror", from: "alice@example.org", header: "From: ceo@example.org\r\n",
			mailFrom: "alice@example.org", ip: goodIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=reject"},
			want: want{PermError, PolicyNone, false, "", false, "no single RFC5322.From domain"},
		},
		{
			name: "two addresses in From: permerror", from: "alice@example.org, ceo@evil.example",
			mailFrom: "alice@example.org", ip: goodIP, dmarc: map[string]string{"example.org": "v=DMARC1; p=reject"},
			want: want{PermError, PolicyNone, false, "", false, "no single RFC5322.From domain"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			z := w.base.clone()
			for d, recs := range tc.dmarc {
				z.txt("_dmarc."+d, strings.Split(recs, "\x00")...)
			}
			raw := message(tc.from)
			if tc.from == "" {
				raw = raw[strings.Index(raw, "\r\n")+2:]
			}
			raw = tc.header + raw
			var keys []testKey
			for _, d := range tc.signers {
				keys = append(keys, w.keys[d])
			}
			raw = signWith(t, raw, keys...)
			v := newTestChecker(z).Check(t.Context(), Input{RemoteIP: addr(tc.ip), Helo: "mx.sender.example", MailFrom: tc.mailFrom, Raw: []byte(raw)})
			got := v.DMARC
			if got.Result != tc.want.result || got.Policy != tc.want.policy || got.Aligned != tc.want.aligned || got.Via != tc.want.via || got.Note != tc.want.note {
				t.Errorf("DMARC = %+v\nwant %+v\n(SPF %+v, DKIM %+v)", got, tc.want, v.SPF, v.DKIM)
			}
			if got.FromDomain != v.FromDomain {
				t.Errorf("DMARC.FromDomain %q != FromDomain %q", got.FromDomain, v.FromDomain)
			}
			wantVerified := ""
			if tc.want.verified {
				wantVerified = v.FromDomain
				if wantVerified == "" {
					t.Fatalf("want verified, but FromDomain is empty")
				}
			}
			if v.VerifiedDomain != wantVerified {
				t.Errorf("VerifiedDomain = %q, want %q", v.VerifiedDomain, wantVerified)
			}
		})
	}
}

func TestFromDomain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header string // header section, without the empty line
		want   string
	}{
		{"plain", "From: alice@example.org\r\n", "example.org"},
		{"display name", "From: \"Alice Martin\" <Alice@Example.ORG>\r\n", "example.org"},
		{"encoded name, unknown charset", "From: =?x-unknown?Q?Alice?= <alice@example.org>\r\n", "example.org"},
		{"folded", "From: Alice\r\n <alice@example.org>\r\nTo: b@example.net\r\n", "example.org"},
		{"name case", "FROM : alice@example.org\r\n", "example.org"},
		{"unicode domain", "From: alice@exämple.org\r\n", "xn--exmple-cua.org"},
		{"comment", "From: alice@example.org (Alice)\r\n", "example.org"},
		{"bare LF", "From: alice@example.org\n", "example.org"},
		{"missing", "To: b@example.net\r\n", ""},
		{"two fields", "From: a@example.org\r\nfrom: b@example.org\r\n", ""},
		{"two addresses", "From: a@example.org, b@example.org\r\n", ""},
		{"group", "From: undisclosed-recipients:;\r\n", ""},
		{"address literal", "From: a@[192.0.2.1]\r\n", ""},
		{"single label", "From: root@localhost\r\n", ""},
		{"garbage", "From: <<<@@@>>>\r\n", ""},
		{"empty", "From:\r\n", ""},
		{"From in the body only", "To: b@example.net\r\n\r\nFrom: alice@example.org\r\n", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			raw := tc.header
			if !strings.Contains(raw, "\r\n\r\n") {
				raw += "\r\nbody\r\n"
			}
			if got := fromDomain(readHeader([]byte(raw)).froms); got != tc.want {
				t.Errorf("From domain of %q = %q, want %q", tc.header, got, tc.want)
			}
		})
	}
}

func TestOrgDomainAndAlignment(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b            string
		relaxed, strict bool
	}{
		{"example.org", "example.org", true, true},
		{"news.example.org", "example.org", true, false},
		{"a.news.example.org", "b.example.org", true, false},
		{"mail.example.co.uk", "example.co.uk", true, false},
		{"example.co.uk", "other.co.uk", false, false},
		{"co.uk", "example.co.uk", false, false},
		{"example.org", "example.net", false, false},
		{"", "example.org", false, false},
	}
	for _, tc := range tests {
		if got := aligned(tc.a, tc.b, false); got != tc.relaxed {
			t.Errorf("aligned(%q, %q, relaxed) = %v, want %v", tc.a, tc.b, got, tc.relaxed)
		}
		if got := aligned(tc.a, tc.b, true); got != tc.strict {
			t.Errorf("aligned(%q, %q, strict) = %v, want %v", tc.a, tc.b, got, tc.strict)
		}
	}
}
