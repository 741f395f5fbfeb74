package message

import (
	"strings"
	"testing"
)

// benchMessage returns a typical ~4 KiB message: a realistic header,
// multipart/mixed holding multipart/alternative (text and HTML) and a
// base64 PDF attachment.
func benchMessage() []byte {
	pdf := strings.Repeat(strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo", 3)[:76]+"\r\n", 30)
	return []byte(crlf(`Received: from mail.example.com (mail.example.com [192.0.2.10])
	by mx.mailnet.example (mailnet) with ESMTPS id 4bXyZ
	for <conseiller@example.fr>; Mon, 02 Jun 2025 10:15:02 +0200
Authentication-Results: mx.mailnet.example; spf=pass smtp.mailfrom=example.com;
	dkim=pass header.d=example.com; dmarc=pass header.from=example.com
From: =?utf-8?q?Fran=C3=A7ois_L=C3=A9ger?= <francois.leger@example.com>
To: Conseiller Emploi <conseiller@example.fr>
Cc: "Dupont, Marie" <marie.dupont@example.fr>, archive@example.fr
Subject: =?utf-8?q?Candidature_=C3=A0_l=27offre_n=C2=B0_12345_-_d=C3=A9veloppeur?=
Date: Mon, 02 Jun 2025 10:15:00 +0200
Message-ID: <20250602101500.4bXyZ@example.com>
In-Reply-To: <offre-12345@example.fr>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="=_mixed_7f3a"

--=_mixed_7f3a
Content-Type: multipart/alternative; boundary="=_alt_91c2"

--=_alt_91c2
Content-Type: text/plain; charset=utf-8; format=flowed
Content-Transfer-Encoding: quoted-printable

Bonjour,

Veuillez trouver ci-joint mon CV pour l'offre n=C2=B0 12345.
Je reste =C3=A0 votre disposition pour un entretien.

Cordialement,
Fran=C3=A7ois
--=_alt_91c2
Content-Type: text/html; charset=utf-8
Content-Transfer-Encoding: quoted-printable

<html><body><p>Bonjour,</p><p>Veuillez trouver ci-joint mon CV pour l'offre=
 n=C2=B0 12345.</p><p>Je reste =C3=A0 votre disposition.</p><p>Cordialement=
,<br>Fran=C3=A7ois</p></body></html>
--=_alt_91c2--

--=_mixed_7f3a
Content-Type: application/pdf; name="CV_Francois_Leger.pdf"
Content-Disposition: attachment; filename="CV_Francois_Leger.pdf"; size=1368
Content-Transfer-Encoding: base64

`) + pdf + "--=_mixed_7f3a--\r\n")
}

func BenchmarkSummarize(b *testing.B) {
	raw := benchMessage()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Summarize(raw); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMarshal(b *testing.B) {
	s, err := Summarize(benchMessage())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		s.Marshal()
	}
}

func BenchmarkUnmarshal(b *testing.B) {
	s, err := Summarize(benchMessage())
	if err != nil {
		b.Fatal(err)
	}
	enc := s.Marshal()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Unmarshal(enc); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(enc)), "encoded-bytes")
}

func BenchmarkSearchFieldSubject(b *testing.B) {
	s, err := Summarize(benchMessage())
	if err != nil {
		b.Fatal(err)
	}
	enc := s.Marshal()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SearchField(enc, FieldSubject); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSearchDate(b *testing.B) {
	s, err := Summarize(benchMessage())
	if err != nil {
		b.Fatal(err)
	}
	enc := s.Marshal()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := SearchDate(enc); err != nil {
			b.Fatal(err)
		}
	}
}

// TestBenchMessage keeps the benchmark message what it claims to be.
func TestBenchMessage(t *testing.T) {
	t.Parallel()
	raw := benchMessage()
	if n := len(raw); n < 3800 || n > 4600 {
		t.Errorf("benchmark message is %d bytes, want about 4 KiB", n)
	}
	s, err := Summarize(raw)
	if err != nil {
		t.Fatal(err)
	}
	mp := multi(t, s.Body, "mixed", 2)
	multi(t, mp.Children[0], "alternative", 2)
	wantEqual(t, "attachment", single(t, mp.Children[1]).Filename(), "CV_Francois_Leger.pdf")
	checkRoundTrip(t, s)
}
