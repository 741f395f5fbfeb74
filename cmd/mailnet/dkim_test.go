package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"mailnet/dkimsign"
)

// runDKIM runs "mailnet dkim ARGS…" and returns its standard output and
// error.
func runDKIM(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err = cmdDKIM(args, cmdIO{stdin: strings.NewReader(""), stdout: &out, stderr: &errOut})
	return out.String(), errOut.String(), err
}

func TestDKIMKeygenPrintsRecord(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	out, errOut, err := runDKIM(t, "keygen", "MailNet.Test", "--data", data)
	if err != nil || errOut != "" {
		t.Fatalf("keygen: %v %s", err, errOut)
	}
	keys := loadKeys(t, data)
	if len(keys) != 1 || keys[0].Selector != "mn1-ed25519" || keys[0].Algorithm != dkimsign.Ed25519 || keys[0].Domain != "mailnet.test" {
		t.Fatalf("keys: %+v", keys)
	}
	name, value := dkimsign.DNSRecord(keys[0])
	for _, want := range []string{
		"created ed25519 key mn1-ed25519 for mailnet.test: " + keys[0].Path(data) + "\n",
		"(TTL 3600 suggested)",
		"  name:  mn1-ed25519._domainkey.mailnet.test\n  value: " + value + "\n",
		"\nmn1-ed25519._domainkey.mailnet.test. 3600 IN TXT \"" + value + "\"\n",
		dkimWhenSigning,
		"dig +short TXT " + name,
		"mailnet dkim keygen mailnet.test --algo rsa",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("keygen output lacks %q:\n%s", want, out)
		}
	}

	out, errOut, err = runDKIM(t, "keygen", "mailnet.test", "--algo", "rsa", "--data", data)
	if err != nil || errOut != "" {
		t.Fatalf("keygen --algo rsa: %v %s", err, errOut)
	}
	keys = loadKeys(t, data)
	_, value = dkimsign.DNSRecord(keys[1])
	if keys[1].Selector != "mn1-rsa" || !strings.Contains(out, "\nmn1-rsa._domainkey.mailnet.test. 3600 IN TXT \""+value[:255]+"\" \""+value[255:]+"\"\n") {
		t.Errorf("rsa key %s, output:\n%s", keys[1].Selector, out)
	}
	if strings.Contains(out, "--algo rsa") {
		t.Errorf("RSA advice with an RSA key:\n%s", out)
	}

	if _, _, err := runDKIM(t, "keygen", "mailnet.test", "--data", data); !errors.Is(err, dkimsign.ErrKeyExists) {
		t.Fatalf("second default keygen: %v, want ErrKeyExists", err)
	}
	if _, _, err := runDKIM(t, "keygen", "mailnet.test", "--selector", "mn2", "--data", data); err != nil {
		t.Fatalf("keygen --selector mn2: %v", err)
	}
}

func TestDKIMKeygenOtherDomain(t *testing.T) {
	t.Parallel()
	_, errOut, err := runDKIM(t, "keygen", "example.org", "--data", t.TempDir())
	if err != nil || !strings.Contains(errOut, "example.org is not one of the configured domains") {
		t.Fatalf("keygen of an unconfigured domain: %v, stderr %q", err, errOut)
	}
}

func TestDKIMList(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	out, _, err := runDKIM(t, "list", "--data", data)
	if err != nil || !strings.HasPrefix(out, "no DKIM keys in ") {
		t.Fatalf("list without keys: %q, %v", out, err)
	}
	for _, algo := range []string{"rsa", "ed25519"} {
		if _, _, err := runDKIM(t, "keygen", "mailnet.test", "--algo", algo, "--data", data); err != nil {
			t.Fatal(err)
		}
	}
	out, _, err = runDKIM(t, "list", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	keys := loadKeys(t, data)
	want := "DOMAIN        SELECTOR     ALGORITHM  FILE\n" +
		"mailnet.test  mn1-ed25519  ed25519    " + keys[0].Path(data) + "\n" +
		"mailnet.test  mn1-rsa      rsa        " + keys[1].Path(data) + "\n\n"
	for _, k := range keys {
		want += zoneLine(dkimsign.DNSRecord(k)) + "\n"
	}
	if out != want {
		t.Fatalf("list:\n%s\nwant:\n%s", out, want)
	}
}

func TestDKIMUsage(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	for _, args := range [][]string{
		{},
		{"keygen"},
		{"keygen", "a.example", "b.example"},
		{"list", "a.example"},
		{"rotate", "a.example"},
		{"keygen", "a.example", "--bits", "4096"},
	} {
		if _, _, err := runDKIM(t, append(args, "--data", data)...); !errors.Is(err, errUsage) {
			t.Errorf("dkim %q: %v, want a usage error", args, err)
		}
	}
	if _, _, err := runDKIM(t, "keygen", "a.example", "--algo", "dsa", "--data", data); !errors.Is(err, dkimsign.ErrUnknownAlgorithm) {
		t.Errorf("--algo dsa: %v", err)
	}
	if _, _, err := runDKIM(t, "keygen", "localhost", "--data", data); !errors.Is(err, dkimsign.ErrInvalidDomain) {
		t.Errorf("keygen localhost: %v", err)
	}
}

func loadKeys(t *testing.T, data string) []dkimsign.Key {
	t.Helper()
	s, err := dkimsign.Load(data)
	if err != nil {
		t.Fatal(err)
	}
	return s.Keys()
}
