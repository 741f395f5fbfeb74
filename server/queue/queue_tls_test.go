package queue

import (
	"crypto/tls"
	"net"
	"testing"
)

// TestSTARTTLS checks opportunistic TLS and what each attempt records.
func TestSTARTTLS(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		certFor string // the certificate's name; "" for no STARTTLS
		trusted bool   // its certificate is in our roots
		broken  bool   // STARTTLS is offered but the handshake fails
		want    string
	}{
		{"trusted certificate", "mx1.example.org", true, false, "tls-verified"},
		{"untrusted self-signed certificate", "mx1.example.org", false, false, "tls"},
		{"trusted certificate for another name", "other.example.org", true, false, "tls"},
		{"STARTTLS not offered", "", false, false, "none"},
		{"handshake fails, plain text fallback", "", false, true, "none"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			var opts mxOptions
			if tc.certFor != "" {
				cfg, pem := certificate(t, tc.certFor)
				opts.tls = cfg
				if tc.trusted && !e.roots.AppendCertsFromPEM(pem) {
					t.Fatal("certificate not added")
				}
			}
			if tc.broken {
				opts.tls = &tls.Config{} // no certificate: every handshake fails
			}
			mx := startMX(t, "mx1.example.org", opts)
			e.mx("example.org", net.MX{Host: "mx1.example.org.", Pref: 10})
			e.host("mx1.example.org", "192.0.2.1", mx)
			spy := newSpy(e.db)
			id := e.enqueue(sender, "jean@example.org")

			deliverNow(t, e.workerWith(Config{}, spy), id)

			got := mustOne(t, "messages", mx.messages())
			if got.tls != (tc.certFor != "") {
				t.Errorf("message sent with TLS %v", got.tls)
			}
			if got.helo != testHostname {
				t.Errorf("EHLO %q", got.helo)
			}
			if string(got.data) != testMessage {
				t.Errorf("message changed: %q", got.data)
			}
			if d, want := len(e.net.dialed()), map[bool]int{false: 1, true: 2}[tc.broken]; d != want {
				t.Errorf("%d connections, want %d", d, want)
			}
			a := mustOne(t, "attempts", spy.last(t, id).History)
			if a.TLS != tc.want || a.Result != "delivered 1" {
				t.Errorf("attempt %+v, want TLS %q", a, tc.want)
			}
		})
	}
}
