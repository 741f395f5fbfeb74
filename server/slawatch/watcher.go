package slawatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"time"

	"mailnet/routing/sla/texts"
	"mailnet/storage"
)

// DefaultInterval is the default time between two scans.
const DefaultInterval = time.Minute

// DefaultContactAt is the wall-clock time of the new contact offered, on
// the business day after the due time (see sla.Calendar.NextContact).
const DefaultContactAt = 10 * time.Hour

// contactLength is the duration of the appointment.
const contactLength = 30 * time.Minute

// Config tunes the Watcher. Zero fields take defaults.
type Config struct {
	// Hostname names us in Message-IDs, iCalendar UIDs and the alerts'
	// From (postmaster@Hostname). Empty means "localhost".
	Hostname string
	// Now returns the current time; nil means time.Now.
	Now func() time.Time
	// Interval is the time between two scans; zero means DefaultInterval.
	Interval time.Duration
	// ContactAt is the time of day of the new contact the notice offers;
	// zero means DefaultContactAt.
	ContactAt time.Duration
	// NoticeText and AlertText are the templates of the client notice
	// and the manager alert, loaded and checked by texts.Load; nil means
	// the French defaults.
	NoticeText, AlertText *texts.Template
}

// Store is what the watcher reads and writes (*storage.DB implements it).
// WarnConversation must queue, deliver and record in one transaction.
type Store interface {
	DueNotices(ctx context.Context, now time.Time) ([]storage.Conversation, error)
	WarnConversation(ctx context.Context, id uint64, at, nextContact time.Time, notice *storage.Acknowledgement, alerts []storage.Incoming) (bool, error)
	Client(ctx context.Context, id string) (storage.Client, error)
	Counsellor(ctx context.Context, address string) (storage.Counsellor, error)
	Team(ctx context.Context, id string) (storage.Team, error)
	Account(ctx context.Context, address string) (storage.Account, error)
}

// Calendar is the business calendar (*sla.Calendar implements it).
type Calendar interface {
	NextContact(due time.Time, at time.Duration) time.Time
	Location() *time.Location
}

// Signer adds DKIM signatures to a message (dkimsign.Signer).
type Signer interface {
	Sign(raw []byte, envelopeFrom string) (signed []byte, ok bool, err error)
}

// Deps are the watcher's collaborators.
type Deps struct {
	// Store and Calendar are required.
	Store    Store
	Calendar Calendar
	// Signer DKIM-signs the client notices; nil sends them unsigned.
	Signer Signer
	// Logger receives one event per notice; nil discards them.
	Logger *slog.Logger
	// Queued, if not nil, is called after a notice was queued (the
	// delivery worker's Kick).
	Queued func()
}

// Watcher sends due notices. Its methods are safe for concurrent use:
// storage makes sure that each conversation is warned once.
type Watcher struct {
	cfg    Config
	store  Store
	cal    Calendar
	signer Signer
	log    *slog.Logger
	queued func()
}

// New returns a Watcher; nothing runs until Run. deps.Store and
// deps.Calendar must not be nil.
func New(cfg Config, deps Deps) *Watcher {
	if cfg.Hostname == "" {
		cfg.Hostname = "localhost"
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.ContactAt <= 0 {
		cfg.ContactAt = DefaultContactAt
	}
	if cfg.NoticeText == nil || cfg.AlertText == nil {
		d := texts.Default()
		if cfg.NoticeText == nil {
			cfg.NoticeText = d.Notice
		}
		if cfg.AlertText == nil {
			cfg.AlertText = d.Alert
		}
	}
	w := &Watcher{cfg: cfg, store: deps.Store, cal: deps.Calendar, signer: deps.Signer, log: deps.Logger, queued: deps.Queued}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	if w.queued == nil {
		w.queued = func() {}
	}
	return w
}

// Run scans for due notices at once, then every Interval, until ctx is
// done; it returns ctx's error. Notices left due by a crash or a stop are
// simply due when Run starts.
func (w *Watcher) Run(ctx context.Context) error {
	ticker := time.NewTicker(w.cfg.Interval)
	defer ticker.Stop()
	for {
		if _, err := w.ScanNow(ctx); err != nil && ctx.Err() == nil {
			w.log.Error("notice scan failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ticker.C:
		}
	}
}

// ScanNow sends every notice due at Now and returns how many it queued. A
// conversation that fails does not stop the others; the errors are
// returned together.
func (w *Watcher) ScanNow(ctx context.Context) (int, error) {
	now := w.cfg.Now()
	due, err := w.store.DueNotices(ctx, now)
	if err != nil {
		return 0, err
	}
	var errs []error
	sent := 0
	for _, c := range due {
		ok, err := w.warn(ctx, c, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("conversation %d: %w", c.ID, err))
			continue
		}
		if ok {
			sent++
			w.queued()
		}
	}
	return sent, errors.Join(errs...)
}

// warn composes and records the notice of c and the managers' alerts.
func (w *Watcher) warn(ctx context.Context, c storage.Conversation, now time.Time) (bool, error) {
	next := w.cal.NextContact(c.Due, w.cfg.ContactAt)
	counsellor := mail.Address{Address: c.Counsellor}
	if a, err := w.store.Account(ctx, c.Counsellor); err == nil {
		counsellor.Name = a.Name
	} else if !errors.Is(err, storage.ErrNotFound) {
		return false, err
	}
	client, err := w.store.Client(ctx, c.Client)
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return false, err
	}
	f := noticeFields{
		conv: c, counsellor: counsellor, hostname: w.cfg.Hostname, now: now, next: next,
		loc: w.cal.Location(), clientName: client.Name,
	}
	var notice *storage.Acknowledgement
	if len(client.Emails) > 0 {
		f.to = client.Emails[0]
		raw, err := noticeMessage(w.cfg.NoticeText, f)
		if err != nil {
			return false, err
		}
		if raw, err = w.sign(raw, counsellor.Address); err != nil {
			return false, fmt.Errorf("sign notice: %w", err)
		}
		notice = &storage.Acknowledgement{Raw: raw, To: f.to}
	}
	alerts, managers, err := w.alerts(ctx, f, notice != nil)
	if err != nil {
		return false, err
	}
	ok, err := w.store.WarnConversation(ctx, c.ID, now, next, notice, alerts)
	if err != nil || !ok {
		return false, err
	}
	log := w.log.With("conversation", c.ID, "client", c.Client, "counsellor", c.Counsellor)
	if notice == nil {
		log.Warn("notice not sent: client has no address", "managers", managers)
	} else {
		log.Info("notice queued", "to", f.to, "due", c.Due, "next_contact", next, "managers", managers)
	}
	return true, nil
}

// alerts returns an alert for each manager with an account of the
// counsellor's team, and those managers' addresses.
func (w *Watcher) alerts(ctx context.Context, f noticeFields, noticeSent bool) ([]storage.Incoming, []string, error) {
	co, err := w.store.Counsellor(ctx, strings.ToLower(f.conv.Counsellor))
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	team, err := w.store.Team(ctx, co.Team)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil, nil
	} else if err != nil {
		return nil, nil, err
	}
	var out []storage.Incoming
	var managers []string
	for _, m := range team.Managers {
		a, err := w.store.Account(ctx, m)
		if errors.Is(err, storage.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, nil, err
		}
		raw, err := alertMessage(w.cfg.AlertText, f, a.Address, noticeSent)
		if err != nil {
			return nil, nil, fmt.Errorf("alert: %w", err)
		}
		out = append(out, storage.Incoming{
			Raw:          raw,
			InternalDate: f.now,
			Deliveries:   []storage.Delivery{{Account: a.ID, Mailbox: "INBOX"}},
			// Archived as staff mail about the case, outside the
			// client's case view (no Client).
			Archive: &storage.ArchiveInfo{Direction: storage.DirectionNotice, From: "postmaster@" + f.hostname,
				To: []string{a.Address}, Counsellor: f.conv.Counsellor},
		})
		managers = append(managers, a.Address)
	}
	return out, managers, nil
}

// sign DKIM-signs raw when a signer is set.
func (w *Watcher) sign(raw []byte, from string) ([]byte, error) {
	if w.signer == nil {
		return raw, nil
	}
	signed, _, err := w.signer.Sign(raw, from)
	return signed, err
}
