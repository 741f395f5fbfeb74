package mailauth

import (
	"bytes"
	"strings"
	"testing"
)

// fieldsOf returns the raw fields of raw's header section that
// StripOwnResults must keep, and the rest of raw after the header.
func fieldsOf(raw []byte, id string) (kept [][]byte, rest []byte) {
	s := headerScanner{raw: raw}
	for {
		start, end, ok := s.next()
		if !ok {
			return kept, raw[s.pos:]
		}
		if !claims(raw[start:end], id) {
			kept = append(kept, raw[start:end])
		}
	}
}

func FuzzStripOwnResults(f *testing.F) {
	f.Add([]byte("Authentication-Results: mailnet.test; spf=pass\r\nFrom: a@example.org\r\n\r\nbody\r\n"))
	f.Add([]byte("Authentication-Results:\r\n (c) \"mailnet.test\" 1;\r\n\tdkim=pass\r\nAuthentication-Results: mailnet.test.evil; none\r\n\r\n"))
	f.Add([]byte("authentication-results : MAILNET.TEST.;\n spf=fail\nX: y\n\nAuthentication-Results: mailnet.test\n"))
	f.Add([]byte("Authentication-Results: (mailnet.test\r\n \\\r\n\r\n"))
	f.Add([]byte(" orphan\r\nAuthentication-Results: mailnet.test"))
	f.Fuzz(func(t *testing.T, raw []byte) {
		in := bytes.Clone(raw)
		out := StripOwnResults(raw, testID)
		if !bytes.Equal(raw, in) {
			t.Fatalf("input modified")
		}
		wantKept, wantRest := fieldsOf(raw, testID)
		gotKept, gotRest := fieldsOf(out, testID)
		if !bytes.Equal(gotRest, wantRest) {
			t.Fatalf("body changed: %q -> %q", wantRest, gotRest)
		}
		if len(gotKept) != len(wantKept) {
			t.Fatalf("kept %d fields, want %d:\n%q\n%q", len(gotKept), len(wantKept), raw, out)
		}
		for i := range gotKept {
			if !bytes.Equal(gotKept[i], wantKept[i]) {
				t.Fatalf("field %d = %q, want %q", i, gotKept[i], wantKept[i])
			}
		}
		s := headerScanner{raw: out}
		for {
			start, end, ok := s.next()
			if !ok {
				break
			}
			if claims(out[start:end], testID) {
				t.Fatalf("output still holds our field %q", out[start:end])
			}
		}
		if len(out) > len(raw) {
			t.Fatalf("output longer than input")
		}
	})
}

func FuzzCheck(f *testing.F) {
	key := newEd25519Key(f, "example.org", "ed")
	z := zones{}.
		txt("example.org", "v=spf1 ip4:192.0.2.0/24 -all").
		txt("_dmarc.example.org", "v=DMARC1; p=reject").
		txt(key.recordName(), key.record(f))
	c := newTestChecker(z)
	signed := signWith(f, message("alice@example.org"), key)
	f.Add([]byte(signed))
	f.Add([]byte(message("alice@example.org")))
	f.Add([]byte("DKIM-Signature: v=1; a=ed25519-sha256; d=example.org; s=ed; h=from; bh=; b=\r\nFrom: a@example.org\r\n\r\n"))
	f.Add([]byte("From: a@example.org, b@example.org\r\nFrom: c\r\n\r\n"))
	f.Add([]byte(strings.Replace(signed, "Bonjour", "Bonsoir", 1)))
	f.Fuzz(func(t *testing.T, raw []byte) {
		v := c.Check(t.Context(), Input{RemoteIP: addr("192.0.2.7"), Helo: "mx.example.org", MailFrom: "alice@example.org", Raw: raw})
		if len(v.DKIM) > MaxSignatures {
			t.Fatalf("%d DKIM results", len(v.DKIM))
		}
		if v.VerifiedDomain != "" && v.VerifiedDomain != v.FromDomain {
			t.Fatalf("VerifiedDomain %q is not FromDomain %q", v.VerifiedDomain, v.FromDomain)
		}
		h := c.Header(v)
		if !strings.HasSuffix(h, "\r\n") || strings.Count(h, "\r\n") != strings.Count(h, "\n") || strings.Contains(h, "\r\n\r\n") {
			t.Fatalf("malformed field %q", h)
		}
		for _, line := range strings.Split(strings.TrimSuffix(h, "\r\n"), "\r\n")[1:] {
			if !strings.HasPrefix(line, "\t") {
				t.Fatalf("line %q of %q is not a continuation", line, h)
			}
		}
	})
}
