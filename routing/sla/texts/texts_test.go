package texts

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDefaults: the embedded French templates render the sample data.
func TestDefaults(t *testing.T) {
	t.Parallel()
	set, err := Load("")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		tmpl    *Template
		data    Data
		subject string
		body    []string
	}{
		{"ack", set.Ack, Sample(true), "Accusé de réception : Demande de rendez-vous", []string{
			"Bonjour,\r\n\r\n", "votre message du lundi 2 mars 2026 à 10 h 00.",
			"Votre conseiller référent, Alice Durand, vous répondra au plus tard le jeudi 5 mars 2026 à 10 h 00.",
			"Référence de votre dossier : C-0042\r\n",
		}},
		{"notice", set.Notice, Sample(true), "Votre dossier C-0042 : nouveau rendez-vous", []string{
			"Alice Durand, ne pourra pas vous répondre dans le délai prévu (le jeudi 5 mars 2026 à 10 h 00).",
			"nouveau contact le vendredi 6 mars 2026 à 10 h 00. Le rendez-vous est joint",
		}},
		{"alert sent", set.Alert, Sample(true), "Message sans réponse : Camille Martin (C-0042) (échéance jeudi 5 mars 2026 à 10 h 00)", []string{
			"Conversation : 7 (Demande de rendez-vous)\r\n", "Client : Camille Martin (C-0042)\r\n",
			"Conseiller : Alice Durand <alice@example.org>\r\n", "Reçue le : lundi 2 mars 2026 à 10 h 00\r\n",
			"Le client a été prévenu du retard ; nouveau contact proposé le vendredi 6 mars 2026 à 10 h 00.",
		}},
		{"alert unsent", set.Alert, Sample(false), "Message sans réponse : Camille Martin (C-0042) (échéance jeudi 5 mars 2026 à 10 h 00)", []string{
			"Le client n'a pas pu être prévenu : aucune adresse connue.",
		}},
	}
	for _, tt := range tests {
		subject, body, err := tt.tmpl.Render(tt.data)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if subject != tt.subject {
			t.Errorf("%s: subject %q, want %q", tt.name, subject, tt.subject)
		}
		for _, want := range tt.body {
			if !strings.Contains(body, want) {
				t.Errorf("%s: body lacks %q:\n%s", tt.name, want, body)
			}
		}
		if strings.Contains(strings.ReplaceAll(body, "\r\n", ""), "\n") || !strings.HasSuffix(body, "\r\n") {
			t.Errorf("%s: body not CRLF-ended lines: %q", tt.name, body)
		}
	}
}

// TestSubjectOneLine: data with line breaks cannot add header lines.
func TestSubjectOneLine(t *testing.T) {
	t.Parallel()
	d := Sample(true)
	d.Subject = "a\r\nBcc: x@example.org"
	subject, _, err := Default().Ack.Render(d)
	if err != nil || subject != "Accusé de réception : a Bcc: x@example.org" {
		t.Fatalf("subject %q, %v", subject, err)
	}
}

// TestOverride: a file in the directory replaces its default only.
func TestOverride(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write(t, dir, NoticeFile, "Subject: Retard {{.ClientID}}\n\nRendez-vous le {{.NextContact}}.\n")
	set, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	subject, body, err := set.Notice.Render(Sample(true))
	if err != nil || subject != "Retard C-0042" || body != "Rendez-vous le vendredi 6 mars 2026 à 10 h 00.\r\n" {
		t.Fatalf("notice %q %q, %v", subject, body, err)
	}
	if subject, _, err := set.Ack.Render(Sample(true)); err != nil || !strings.HasPrefix(subject, "Accusé de réception") {
		t.Fatalf("ack subject %q, %v: want the default", subject, err)
	}
}

// TestBroken: a template that does not parse, does not execute with the
// sample data or lacks its subject line is refused, naming the file.
func TestBroken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, file, src string
		format          bool
	}{
		{"parse", AckFile, "Subject: x\n\nBonjour {{.ClientID\n", false},
		{"parse subject", AlertFile, "Subject: {{if}}\n\nBonjour\n", false},
		{"unknown field", NoticeFile, "Subject: x\n\nBonjour {{.Nom}}\n", false},
		{"no subject", AckFile, "Bonjour\n\nà bientôt\n", true},
		{"no blank line", AlertFile, "Subject: x\nBonjour\n", true},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		write(t, dir, tt.file, tt.src)
		_, err := Load(dir)
		if err == nil {
			t.Errorf("%s: loaded", tt.name)
			continue
		}
		if !strings.Contains(err.Error(), filepath.Join(dir, tt.file)) {
			t.Errorf("%s: error %q does not name the file", tt.name, err)
		}
		if tt.format != errors.Is(err, ErrFormat) {
			t.Errorf("%s: error %v, ErrFormat %v", tt.name, err, tt.format)
		}
	}
}

func write(t *testing.T, dir, name, src string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
}
