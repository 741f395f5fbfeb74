package smtpd

import (
	"crypto/tls"
	"net/netip"
	"testing"
	"time"
)

func TestReceived(t *testing.T) {
	t.Parallel()
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	base := trace{helo: "client.example.org", remote: netip.MustParseAddr("192.0.2.1"), by: "mx.mailnet.test", id: "abc", when: when}
	tests := []struct {
		name string
		edit func(*trace)
		want string
	}{
		{"plain", func(*trace) {},
			"Received: from client.example.org ([192.0.2.1])\r\n" +
				"\tby mx.mailnet.test with ESMTP id abc; Fri, 02 Jan 2026 03:04:05 +0000\r\n"},
		{"one recipient", func(t *trace) { t.rcpt = "marie@mailnet.test" },
			"Received: from client.example.org ([192.0.2.1])\r\n" +
				"\tby mx.mailnet.test with ESMTP id abc\r\n" +
				"\tfor <marie@mailnet.test>; Fri, 02 Jan 2026 03:04:05 +0000\r\n"},
		{"tls and auth, ipv6", func(t *trace) {
			t.remote = netip.MustParseAddr("2001:db8::1")
			t.tls = &tls.ConnectionState{Version: tls.VersionTLS13, CipherSuite: tls.TLS_AES_128_GCM_SHA256}
			t.authenticated = true
		},
			"Received: from client.example.org ([IPv6:2001:db8::1])\r\n" +
				"\t(using TLSv1.3 with cipher TLS_AES_128_GCM_SHA256)\r\n" +
				"\tby mx.mailnet.test with ESMTPSA id abc; Fri, 02 Jan 2026 03:04:05 +0000\r\n"},
		{"mapped ipv4, literal helo", func(t *trace) {
			t.remote = netip.MustParseAddr("::ffff:192.0.2.9")
			t.helo = "[192.0.2.9]"
		},
			"Received: from [192.0.2.9] ([192.0.2.9])\r\n" +
				"\tby mx.mailnet.test with ESMTP id abc; Fri, 02 Jan 2026 03:04:05 +0000\r\n"},
		{"hostile helo and rcpt", func(t *trace) {
			t.helo = "x;by(evil)"
			t.rcpt = "a;b@c"
		},
			"Received: from unknown ([192.0.2.1])\r\n" +
				"\tby mx.mailnet.test with ESMTP id abc; Fri, 02 Jan 2026 03:04:05 +0000\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tr := base
			tc.edit(&tr)
			if got := received(tr); got != tc.want {
				t.Fatalf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestValidHelo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		helo string
		want bool
	}{
		{"mail.example.org", true},
		{"MAIL.Example.ORG.", true},
		{"win_host", true},
		{"[192.0.2.1]", true},
		{"[IPv6:2001:db8::1]", true},
		{"[2001:db8::1]", false},
		{"[IPv6:192.0.2.1]", false},
		{"", false},
		{"a..b", false},
		{"(comment)", false},
		{"a;b", false},
		{"é.example", false},
	}
	for _, tc := range tests {
		if got := validHelo(tc.helo); got != tc.want {
			t.Errorf("validHelo(%q) = %v, want %v", tc.helo, got, tc.want)
		}
	}
}

func TestCompleteHeader(t *testing.T) {
	t.Parallel()
	date := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	const d = "Date: Fri, 02 Jan 2026 03:04:05 +0000\r\n"
	const m = "Message-ID: <id@host>\r\n"
	tests := []struct{ name, in, want string }{
		{"both missing", "Subject: a\r\n\r\nbody\r\n", "Subject: a\r\n" + d + m + "\r\nbody\r\n"},
		{"both present", "date: x\r\nMESSAGE-ID: <y>\r\n\r\nbody\r\n", "date: x\r\nMESSAGE-ID: <y>\r\n\r\nbody\r\n"},
		{"date present", "Date: x\r\n\r\nb\r\n", "Date: x\r\n" + m + "\r\nb\r\n"},
		{"folded field", "Subject: a\r\n b\r\n\r\nb\r\n", "Subject: a\r\n b\r\n" + d + m + "\r\nb\r\n"},
		{"header only", "Subject: a\r\n", "Subject: a\r\n" + d + m},
		{"unterminated", "Subject: a", "Subject: a\r\n" + d + m},
		{"no header", "\r\nbody\r\n", d + m + "\r\nbody\r\n"},
		{"body without separator", "Subject: a\r\njust text\r\n", "Subject: a\r\n" + d + m + "\r\njust text\r\n"},
		{"empty", "", d + m},
		{"message-id in body", "Subject: a\r\n\r\nMessage-ID: <no>\r\n", "Subject: a\r\n" + d + m + "\r\nMessage-ID: <no>\r\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := string(completeHeader([]byte(tc.in), date, "<id@host>")); got != tc.want {
				t.Fatalf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}
