package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"math/rand/v2"
	"mime"
	"mime/quotedprintable"
	"strings"
	"time"
)

// Messages look like what a public employment service receives: a
// jobseeker's or an employer's mail from a common client, with a French
// text, RFC 2047 subjects and, for large ones, a PDF attachment. Each has
// its own Message-ID, so no two are byte-identical.

// prose is the text that bodies are cut from.
var prose = [...]string{
	"Bonjour Madame, je me permets de vous écrire au sujet de mon inscription comme demandeur d'emploi et de mon prochain rendez-vous de suivi.",
	"Vous trouverez ci-joint mon curriculum vitae à jour ainsi que l'attestation de mon dernier employeur, comme convenu lors de notre entretien téléphonique.",
	"Je suis disponible tous les matins de la semaine prochaine, sauf le mercredi où je participe à un atelier de recherche d'emploi organisé par la mairie.",
	"Pourriez-vous me confirmer que mon dossier d'indemnisation est complet ? Je n'ai pas reçu de réponse à mon précédent message du mois dernier.",
	"Notre entreprise recrute deux préparateurs de commandes en contrat à durée indéterminée ; le poste est accessible aux débutants, avec une formation interne.",
	"Je vous remercie par avance de l'attention que vous porterez à ma demande et vous prie d'agréer, Madame, l'expression de mes salutations distinguées.",
}

// senders are the display names of the messages' authors.
var senders = [...]string{"Hélène Moreau", "Karim Benali", "Jean-François Petit", "Aïcha Diallo", "Sébastien Roux", "Nathalie Lefèvre", "Entreprise Logistique Sud"}

// subjects are the subjects of the SMTP benchmark's messages; %d is a file
// number.
var subjects = [...]string{
	"Demande de rendez-vous (dossier %d)",
	"Re: Votre dossier n°%d",
	"Attestation employeur — dossier %d",
	"Candidature : offre d'emploi %d",
	"Question sur mon indemnisation (%d)",
	"Fwd: Offre préparateur de commandes %d",
}

// baseDate is the date of the first generated message.
var baseDate = time.Date(2026, time.November, 23, 9, 0, 0, 0, time.FixedZone("CET", 3600))

// attachmentThreshold is the size from which a benchmark message carries a
// PDF attachment rather than only text.
const attachmentThreshold = 32 << 10

// proseText returns about n bytes of prose, as CRLF lines of at most 72
// characters.
func proseText(n int) string {
	var b strings.Builder
	col := 0
	for i := 0; b.Len() < n; i++ {
		for _, w := range strings.Fields(prose[i%len(prose)]) {
			if col > 0 && col+1+len(w) > 72 {
				b.WriteString("\r\n")
				col = 0
			} else if col > 0 {
				b.WriteByte(' ')
				col++
			}
			b.WriteString(w)
			col += len(w)
		}
		if i%3 == 2 { // a paragraph every three sentences
			b.WriteString("\r\n\r\n")
			col = 0
		}
	}
	b.WriteString("\r\n")
	return b.String()
}

// mxTemplate holds the parts shared by the SMTP benchmark's messages of one
// size: the MIME header fields and the body.
type mxTemplate struct {
	mimeHeader string
	body       []byte
}

// headerAllowance is about what the per-message header fields take.
const headerAllowance = 400

// newMXTemplate returns the template of messages of about size bytes: a
// quoted-printable text, plus a base64 PDF attachment of pseudo-random
// bytes from attachmentThreshold on.
func newMXTemplate(size int) (*mxTemplate, error) {
	textSize := max(size-headerAllowance, 256)
	if size >= attachmentThreshold {
		textSize = 1 << 10
	}
	var text bytes.Buffer
	qp := quotedprintable.NewWriter(&text)
	if _, err := io.WriteString(qp, proseText(textSize)); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}
	if size < attachmentThreshold {
		return &mxTemplate{
			mimeHeader: "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8; format=flowed\r\nContent-Transfer-Encoding: quoted-printable\r\n",
			body:       text.Bytes(),
		}, nil
	}
	const boundary = "------------mailbench0123456789"
	var b bytes.Buffer
	fmt.Fprintf(&b, "This is a multi-part message in MIME format.\r\n--%s\r\n", boundary)
	b.WriteString("Content-Type: text/plain; charset=utf-8; format=flowed\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	b.Write(text.Bytes())
	fmt.Fprintf(&b, "\r\n--%s\r\n", boundary)
	b.WriteString("Content-Type: application/pdf; name=\"CV.pdf\"\r\nContent-Disposition: attachment; filename=\"CV.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	raw := make([]byte, (size-b.Len()-headerAllowance)*3/4*76/78)
	rng := rand.NewChaCha8([32]byte{'m', 'a', 'i', 'l', 'b', 'e', 'n', 'c', 'h'})
	if _, err := rng.Read(raw); err != nil {
		return nil, err
	}
	enc := base64.StdEncoding.EncodeToString(raw)
	for len(enc) > 76 {
		b.WriteString(enc[:76])
		b.WriteString("\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc)
	fmt.Fprintf(&b, "\r\n--%s--\r\n", boundary)
	return &mxTemplate{
		mimeHeader: fmt.Sprintf("MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=%q\r\n", boundary),
		body:       b.Bytes(),
	}, nil
}

// write writes message seq of worker to w, addressed to rcpt.
func (t *mxTemplate) write(w io.Writer, worker, seq int, rcpt string) error {
	n := worker*1_000_000 + seq
	from := senders[n%len(senders)]
	local := strings.ToLower(strings.Fields(from)[0])
	_, err := fmt.Fprintf(w, "From: %s <%s.%d@example.org>\r\nTo: <%s>\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%d.%d.%d@mailbench.example.org>\r\n%s\r\n",
		mime.QEncoding.Encode("utf-8", from), asciiLocal(local), n%97, rcpt,
		mime.QEncoding.Encode("utf-8", fmt.Sprintf(subjects[n%len(subjects)], 10_000+n)),
		baseDate.Add(time.Duration(n)*time.Second).Format(time.RFC1123Z),
		worker, seq, time.Now().UnixNano(), t.mimeHeader)
	if err != nil {
		return err
	}
	_, err = w.Write(t.body)
	return err
}

// asciiLocal keeps the ASCII letters and hyphens of s, for a local part.
func asciiLocal(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r == '-' {
			return r
		}
		return -1
	}, s)
}

// mailboxTemplate builds the messages of the populated mailboxes: about
// 4 KiB, subject "Demande numéro N." and the token "référence [N]" in the
// text, both found in message N only. Every fourth message is
// multipart/alternative (text and HTML), the others text/plain.
type mailboxTemplate struct {
	text     string // the text/plain body
	halfText string // the text/plain part of an alternative
	html     string // the start of the text/html part
}

func newMailboxTemplate() *mailboxTemplate {
	half := proseText(1500)
	return &mailboxTemplate{
		text:     proseText(3600),
		halfText: half,
		html:     "<html><body><p>" + strings.ReplaceAll(strings.TrimSpace(half), "\r\n\r\n", "</p>\r\n<p>") + "</p>",
	}
}

// subjectToken is the text that SUBJECT search looks for to find message
// n: the trailing full stop keeps "numéro 4242." out of "numéro 42420.".
func subjectToken(n int) string { return fmt.Sprintf("numéro %d.", n) }

// textToken is the text that TEXT search looks for to find message n.
func textToken(n int) string { return fmt.Sprintf("référence [%d]", n) }

// write writes message n to w, addressed to rcpt.
func (t *mailboxTemplate) write(w io.Writer, n int, rcpt string) error {
	from := senders[n%len(senders)]
	_, err := fmt.Fprintf(w, "From: %s <client%d@example.org>\r\nTo: <%s>\r\nSubject: %s\r\nDate: %s\r\nMessage-ID: <%d.populate@mailbench.example.org>\r\nMIME-Version: 1.0\r\n",
		mime.QEncoding.Encode("utf-8", from), n, rcpt,
		mime.QEncoding.Encode("utf-8", "Demande "+subjectToken(n)),
		baseDate.Add(time.Duration(n)*time.Minute).Format(time.RFC1123Z), n)
	if err != nil {
		return err
	}
	ref := textToken(n)
	if n%4 != 0 {
		_, err = fmt.Fprintf(w, "Content-Type: text/plain; charset=utf-8; format=flowed\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\nMa %s.\r\n", t.text, ref)
		return err
	}
	const boundary = "alt-mailbench-boundary"
	_, err = fmt.Fprintf(w, "Content-Type: multipart/alternative; boundary=%q\r\n\r\n"+
		"--%s\r\nContent-Type: text/plain; charset=utf-8; format=flowed\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s\r\nMa %s.\r\n"+
		"--%s\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n%s<p>Ma %s.</p></body></html>\r\n"+
		"--%s--\r\n",
		boundary, boundary, t.halfText, ref, boundary, t.html, ref, boundary)
	return err
}
