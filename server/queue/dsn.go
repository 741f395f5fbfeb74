package queue

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"

	"mailnet/message"
	"mailnet/storage"
)

// dsnRcpt is one recipient reported in a DSN.
type dsnRcpt struct {
	addr   string
	status string // RFC 3463
	// host and reply are the remote server's reply quoted as the
	// Diagnostic-Code, when the reason is one.
	host, reply string
	// detail is our own finding, when the reason is not a remote reply.
	detail string
}

// undelivered returns the recipients of e to report: the failed ones and,
// when the entry expired, the pending ones with status 4.4.7 (RFC 3463
// X.4.7, a persistent transient failure) and their last reply.
func undelivered(e storage.QueueEntry, expired bool) []dsnRcpt {
	var out []dsnRcpt
	for _, r := range e.Recipients {
		if r.State == storage.RecipientDelivered || (r.State == storage.RecipientPending && !expired) {
			continue
		}
		d := dsnRcpt{addr: r.Address, status: replyStatus(r.Reply)}
		if r.State == storage.RecipientPending {
			d.status = "4.4.7"
		}
		if r.Host != "" && isRemoteReply(r.Reply) {
			d.host, d.reply = r.Host, r.Reply
		} else {
			d.detail = r.Reply
		}
		out = append(out, d)
	}
	return out
}

// notice returns the DSN for the failed recipients, addressed to e's
// sender's INBOX, or nil when none is to be sent: nothing failed, the
// sender is null (never bounce a bounce, RFC 5321 §4.5.5), or the sender
// is not a local account (we only report to our own users).
func (w *Worker) notice(ctx context.Context, log *slog.Logger, e storage.QueueEntry, failed []dsnRcpt) (*storage.Incoming, error) {
	if len(failed) == 0 {
		return nil, nil
	}
	if e.From == "" {
		log.Info("dsn not sent", "reason", "null sender", "failed", len(failed))
		return nil, nil
	}
	acct, err := w.store.Account(ctx, strings.ToLower(e.From))
	if errors.Is(err, storage.ErrNotFound) {
		log.Warn("dsn not sent", "reason", "sender is not a local account", "from", e.From, "failed", len(failed))
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("dsn for %s: %w", e.From, err)
	}
	raw, err := w.store.QueueMessage(ctx, e.ID)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, fmt.Errorf("dsn for %s: %w", e.From, err)
	}
	d := dsn{
		hostname: w.cfg.Hostname,
		to:       e.From,
		arrival:  e.Created,
		date:     w.cfg.Now(),
		maxAge:   w.cfg.MaxAge,
		rcpts:    failed,
		headers:  headerSection(raw),
	}
	msg, err := d.build()
	if err != nil {
		return nil, fmt.Errorf("dsn for %s: %w", e.From, err)
	}
	return &storage.Incoming{
		Raw:        msg,
		Deliveries: []storage.Delivery{{Account: acct.ID, Mailbox: "INBOX"}},
		// The null sender (RFC 5321 §4.5.5) to the original sender.
		Archive: &storage.ArchiveInfo{Direction: storage.DirectionDSN, To: []string{e.From}},
	}, nil
}

// dsn is a delivery status notification (RFC 3464) for one message.
type dsn struct {
	hostname string // Reporting-MTA
	to       string // the original sender
	arrival  time.Time
	date     time.Time
	maxAge   time.Duration
	rcpts    []dsnRcpt
	headers  []byte // the original header section, CRLF; nil if lost
}

// build returns the DSN as a multipart/report (RFC 6522) with three
// parts: an explanation in French and English, the message/delivery-status
// and the original's text/rfc822-headers. Lines end in CRLF.
func (d *dsn) build() ([]byte, error) {
	boundary := "=_report_" + rand.Text()
	var b bytes.Buffer
	field := func(name, value string) { b.WriteString(name + ": " + value + "\r\n") }
	field("From", "Mail Delivery System <MAILER-DAEMON@"+d.hostname+">")
	field("To", "<"+d.to+">")
	field("Subject", "Message non remis / Undelivered Mail Returned to Sender")
	field("Date", d.date.Format(time.RFC1123Z))
	field("Message-ID", "<dsn."+strings.ToLower(rand.Text())+"@"+d.hostname+">")
	if id := originalID(d.headers); id != "" {
		field("References", id)
	}
	field("Auto-Submitted", "auto-replied") // RFC 3834 §5
	field("MIME-Version", "1.0")
	field("Content-Type", "multipart/report; report-type=delivery-status;\r\n\tboundary=\""+boundary+"\"")
	b.WriteString("\r\nThis is a delivery status notification (RFC 3464) in MIME format.\r\n")

	b.WriteString("\r\n--" + boundary + "\r\n")
	field("Content-Type", "text/plain; charset=utf-8")
	field("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	if _, err := qp.Write([]byte(d.explanation())); err != nil {
		return nil, err
	}
	if err := qp.Close(); err != nil {
		return nil, err
	}

	b.WriteString("\r\n--" + boundary + "\r\n")
	field("Content-Type", "message/delivery-status")
	b.WriteString("\r\n")
	b.WriteString(d.status())

	if d.headers != nil {
		b.WriteString("\r\n--" + boundary + "\r\n")
		field("Content-Type", "text/rfc822-headers")
		b.WriteString("\r\n")
		b.Write(d.headers)
	}
	b.WriteString("\r\n--" + boundary + "--\r\n")
	return b.Bytes(), nil
}

// status returns the message/delivery-status body: the per-message fields,
// then one group per recipient, each group ending with an empty line (RFC
// 3464 §2.1).
func (d *dsn) status() string {
	var b strings.Builder
	b.WriteString("Reporting-MTA: dns; " + d.hostname + "\r\n")
	b.WriteString("Arrival-Date: " + d.arrival.Format(time.RFC1123Z) + "\r\n")
	for _, r := range d.rcpts {
		b.WriteString("\r\n")
		b.WriteString("Final-Recipient: rfc822; " + r.addr + "\r\n")
		b.WriteString("Action: failed\r\n")
		b.WriteString("Status: " + r.status + "\r\n")
		if r.host != "" {
			b.WriteString("Remote-MTA: dns; " + r.host + "\r\n")
			b.WriteString("Diagnostic-Code: smtp; " + r.reply + "\r\n")
		}
	}
	b.WriteString("\r\n")
	return b.String()
}

// explanation returns the human-readable part, French first: the text
// goes to counsellors of a French public service.
func (d *dsn) explanation() string {
	var b strings.Builder
	date := d.arrival.Format("2006-01-02 15:04 MST")
	fmt.Fprintf(&b, "Ceci est le service de messagerie de %s.\n\n", d.hostname)
	fmt.Fprintf(&b, "Votre message, déposé le %s, n'a pas pu être remis aux destinataires suivants :\n", date)
	for _, r := range d.rcpts {
		fr, _ := d.reason(r)
		fmt.Fprintf(&b, "\n  <%s>\n    Motif : %s.\n", r.addr, fr)
		if r.host != "" {
			fmt.Fprintf(&b, "    Réponse du serveur %s : %s\n", r.host, r.reply)
		} else if r.detail != "" {
			fmt.Fprintf(&b, "    Détail : %s\n", r.detail)
		}
	}
	b.WriteString("\nLes en-têtes de votre message sont joints à ce rapport.\n")
	b.WriteString("Ce message est envoyé automatiquement : merci de ne pas y répondre.\n\n")
	b.WriteString("-- English --\n\n")
	fmt.Fprintf(&b, "This is the mail system at %s.\n\n", d.hostname)
	fmt.Fprintf(&b, "Your message, submitted on %s, could not be delivered to the following recipients:\n", date)
	for _, r := range d.rcpts {
		_, en := d.reason(r)
		fmt.Fprintf(&b, "\n  <%s>\n    Reason: %s.\n", r.addr, en)
		if r.host != "" {
			fmt.Fprintf(&b, "    Reply from %s: %s\n", r.host, r.reply)
		} else if r.detail != "" {
			fmt.Fprintf(&b, "    Detail: %s\n", r.detail)
		}
	}
	b.WriteString("\nThe headers of your message are attached to this report.\n")
	b.WriteString("This message was sent automatically: please do not reply.\n")
	return b.String()
}

// reasons explain the common statuses; a prefix ending in "." matches a
// whole subject. Read-only.
var reasons = []struct{ status, fr, en string }{
	{"5.1.1", "cette adresse n'existe pas chez le destinataire", "the address does not exist at the recipient's domain"},
	{"5.1.2", "le domaine du destinataire n'existe pas", "the recipient's domain does not exist"},
	{"5.1.3", "l'adresse du destinataire est invalide", "the recipient's address is not valid"},
	{"5.1.10", "le domaine du destinataire n'accepte aucun courrier", "the recipient's domain accepts no mail"},
	{"5.2.2", "la boîte aux lettres du destinataire est pleine", "the recipient's mailbox is full"},
	{"5.2.3", "le message est trop volumineux pour le destinataire", "the message is too large for the recipient"},
	{"5.3.4", "le message est trop volumineux pour le serveur du destinataire", "the message is too large for the recipient's server"},
	{"5.4.6", "boucle de routage : le domaine du destinataire renvoie vers ce serveur", "routing loop: the recipient's domain points back to this server"},
	{"5.6.7", "le serveur du destinataire n'accepte pas les adresses non ASCII", "the recipient's server does not accept non-ASCII addresses"},
	{"5.7.", "le serveur du destinataire a refusé le message (politique de sécurité)", "the recipient's server refused the message (security policy)"},
}

// reason returns why r failed, in French and English.
func (d *dsn) reason(r dsnRcpt) (fr, en string) {
	if r.status == "4.4.7" {
		return fmt.Sprintf("délai de remise dépassé, le message n'a pas pu être remis en %s", frDuration(d.maxAge)),
			fmt.Sprintf("delivery time expired, the message could not be delivered within %s", enDuration(d.maxAge))
	}
	for _, x := range reasons {
		if r.status == x.status || (strings.HasSuffix(x.status, ".") && strings.HasPrefix(r.status, x.status)) {
			return x.fr, x.en
		}
	}
	if r.host != "" {
		return "le serveur du destinataire a refusé le message", "the recipient's server refused the message"
	}
	return "le message n'a pas pu être acheminé", "the message could not be routed"
}

// frDuration and enDuration write d in days when it is a whole number of
// days, in hours otherwise.
func frDuration(d time.Duration) string {
	if n, whole := days(d); whole {
		return plural(n, "jour", "jours")
	}
	return plural(int(d.Hours()), "heure", "heures")
}

func enDuration(d time.Duration) string {
	if n, whole := days(d); whole {
		return plural(n, "day", "days")
	}
	return plural(int(d.Hours()), "hour", "hours")
}

func days(d time.Duration) (int, bool) {
	const day = 24 * time.Hour
	return int(d / day), d%day == 0 && d >= day
}

func plural(n int, one, many string) string {
	if n <= 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// headerSection returns raw's header section without its final empty
// line, with CRLF line endings, or nil if raw is empty.
func headerSection(raw []byte) []byte {
	if len(raw) == 0 {
		return nil
	}
	h := raw[:message.HeaderEnd(raw)]
	h = bytes.ReplaceAll(h, []byte("\r\n"), []byte("\n"))
	h = bytes.TrimRight(h, "\n")
	return append(bytes.ReplaceAll(h, []byte("\n"), []byte("\r\n")), '\r', '\n')
}

// originalID returns the original's Message-ID for a References field, or
// "" if it has none that is safe to copy.
func originalID(headers []byte) string {
	if headers == nil {
		return ""
	}
	m, err := mail.ReadMessage(bytes.NewReader(append(headers, '\r', '\n')))
	if err != nil {
		return ""
	}
	id := strings.TrimSpace(m.Header.Get("Message-Id"))
	if len(id) < 3 || len(id) > 250 || id[0] != '<' || id[len(id)-1] != '>' || strings.ContainsAny(id, " \t\r\n") || !isASCII(id) {
		return ""
	}
	return id
}
