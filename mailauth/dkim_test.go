package mailauth

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/foxcpp/go-mockdns"
)

func TestDKIM(t *testing.T) {
	t.Parallel()
	ed := newEd25519Key(t, "example.org", "ed")
	rsaKey := newRSAKey(t, "example.org", "rsa")
	unpublished := newEd25519Key(t, "example.org", "gone")
	revoked := newEd25519Key(t, "example.org", "revoked")
	tempKey := newEd25519Key(t, "tempfail.example", "sel")
	z := zones{}
	ed.publish(t, z)
	rsaKey.publish(t, z)
	z.txt(revoked.recordName(), "v=DKIM1; k=ed25519; p=")
	z.fail(tempKey.recordName(), servfail(tempKey.recordName()))
	c := newTestChecker(z)

	plain := message("alice@example.org")
	type sig struct {
		result   Result
		domain   string
		selector string
	}
	tests := []struct {
		name string
		raw  string
		want []sig
	}{
		{"unsigned", plain, nil},
		{"ed25519 pass", signWith(t, plain, ed), []sig{{Pass, "example.org", "ed"}}},
		{"rsa pass", signWith(t, plain, rsaKey), []sig{{Pass, "example.org", "rsa"}}},
		{"ed25519 and rsa side by side", signWith(t, plain, ed, rsaKey), []sig{{Pass, "example.org", "ed"}, {Pass, "example.org", "rsa"}}},
		{"tampered body", strings.Replace(signWith(t, plain, ed), "rendez-vous", "rendez-vous annulé", 1), []sig{{Fail, "example.org", "ed"}}},
		{"tampered signed header", strings.Replace(signWith(t, plain, ed), "Subject: Rendez-vous", "Subject: Urgent", 1), []sig{{Fail, "example.org", "ed"}}},
		{"one of two tampered", strings.Replace(signWith(t, plain, ed, rsaKey), "rendez-vous.", "rendez-vous!", 1), []sig{{Fail, "example.org", "ed"}, {Fail, "example.org", "rsa"}}},
		{"missing key", signWith(t, plain, unpublished), []sig{{PermError, "example.org", "gone"}}},
		{"revoked key", signWith(t, plain, revoked), []sig{{PermError, "example.org", "revoked"}}},
		{"key lookup fails", signWith(t, plain, tempKey), []sig{{TempError, "tempfail.example", "sel"}}},
		{"wrong key published", signWith(t, plain, testKey{domain: "example.org", selector: "ed", signer: unpublished.signer}), []sig{{Fail, "example.org", "ed"}}},
		{"malformed signature", "DKIM-Signature: v=1; d=example.org; s=ed; garbage\r\n" + plain, []sig{{PermError, "example.org", "ed"}}},
		{"missing tags", "DKIM-Signature: v=1; d=Example.ORG\r\n" + plain, []sig{{PermError, "example.org", ""}}},
		{"no end of header", strings.TrimSuffix(strings.SplitN(signWith(t, plain, ed), "\r\n\r\n", 2)[0], "\r\n"), []sig{{PermError, "example.org", "ed"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := c.Check(t.Context(), Input{RemoteIP: addr("192.0.2.7"), Helo: "mx.example.org", MailFrom: "alice@example.org", Raw: []byte(tc.raw)}).DKIM
			if len(got) != len(tc.want) {
				t.Fatalf("DKIM = %+v, want %d results", got, len(tc.want))
			}
			for i, w := range tc.want {
				g := got[i]
				if g.Result != w.result || g.Domain != w.domain || g.Selector != w.selector {
					t.Errorf("DKIM[%d] = %+v, want %s d=%s s=%s", i, g, w.result, w.domain, w.selector)
				}
				if (g.Err == "") != (g.Result == Pass) {
					t.Errorf("DKIM[%d].Err = %q with result %s", i, g.Err, g.Result)
				}
			}
		})
	}
}

func TestDKIMExpiryFollowsOurClock(t *testing.T) {
	t.Parallel()
	key := newEd25519Key(t, "example.org", "ed")
	z := key.publish(t, zones{})
	raw := signOpts(t, message("alice@example.org"), &dkim.SignOptions{
		Domain:     key.domain,
		Selector:   key.selector,
		Signer:     key.signer,
		HeaderKeys: []string{"From", "Subject"},
		Expiration: time.Now().Add(time.Hour),
	})
	tests := []struct {
		name string
		now  time.Time
		want Result
	}{
		{"before x=", time.Now(), Pass},
		{"after x=", time.Now().Add(2 * time.Hour), PermError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := New(&mockdns.Resolver{Zones: z}, Options{AuthServID: testID, Now: func() time.Time { return tc.now }})
			got := c.Check(t.Context(), Input{RemoteIP: addr("192.0.2.7"), Helo: "mx.example.org", Raw: []byte(raw)}).DKIM
			if len(got) != 1 || got[0].Result != tc.want {
				t.Errorf("DKIM = %+v, want one %s", got, tc.want)
			}
		})
	}
}

func TestDKIMSignatureCap(t *testing.T) {
	t.Parallel()
	key := newEd25519Key(t, "example.org", "ed")
	c := newTestChecker(key.publish(t, zones{}))
	keys := make([]testKey, MaxSignatures+3)
	for i := range keys {
		keys[i] = key
	}
	raw := signWith(t, message("alice@example.org"), keys...)
	got := c.Check(t.Context(), Input{RemoteIP: addr("192.0.2.7"), Helo: "mx.example.org", Raw: []byte(raw)}).DKIM
	if len(got) != MaxSignatures {
		t.Fatalf("%d signatures checked of %d, want %d", len(got), len(keys), MaxSignatures)
	}
	for i, g := range got {
		if g.Result != Pass {
			t.Errorf("DKIM[%d] = %+v, want pass", i, g)
		}
	}
}

func TestDKIMHeaderTooLarge(t *testing.T) {
	t.Parallel()
	key := newEd25519Key(t, "example.org", "ed")
	c := newTestChecker(key.publish(t, zones{}))
	signed := signWith(t, message("alice@example.org"), key)
	var filler strings.Builder
	for i := 0; filler.Len() <= maxHeaderBytes; i++ {
		fmt.Fprintf(&filler, "X-Filler-%d: %s\r\n", i, strings.Repeat("x", 200))
	}
	raw := signed[:strings.Index(signed, "\r\n\r\n")+2] + filler.String() + signed[strings.Index(signed, "\r\n\r\n")+2:]
	v := c.Check(t.Context(), Input{RemoteIP: addr("192.0.2.7"), Helo: "mx.example.org", MailFrom: "alice@example.org", Raw: []byte(raw)})
	if len(v.DKIM) != 1 || v.DKIM[0].Result != PermError {
		t.Errorf("DKIM = %+v, want one permerror", v.DKIM)
	}
	if v.FromDomain != "" || v.VerifiedDomain != "" || v.DMARC.Result != PermError {
		t.Errorf("FromDomain %q, VerifiedDomain %q, DMARC %+v; want no From domain and DMARC permerror", v.FromDomain, v.VerifiedDomain, v.DMARC)
	}
}
