package queue

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"

	"mailnet/storage"
)

// domainRcpts are the pending recipients of one domain.
type domainRcpts struct {
	domain string // lower case; empty for addresses without a domain
	rcpts  []string
}

// byDomain groups addresses by their domain, in order of first appearance.
func byDomain(addrs []string) []domainRcpts {
	var out []domainRcpts
	index := make(map[string]int)
	for _, a := range addrs {
		d := ""
		if at := strings.LastIndexByte(a, '@'); at > 0 && at < len(a)-1 {
			d = strings.ToLower(a[at+1:])
		}
		i, ok := index[d]
		if !ok {
			i = len(out)
			index[d] = i
			out = append(out, domainRcpts{domain: d})
		}
		out[i].rcpts = append(out[i].rcpts, a)
	}
	return out
}

// round is one delivery round of one queue entry.
type round struct {
	w     *Worker
	log   *slog.Logger
	entry storage.QueueEntry // as last saved
	raw   []byte
}

// deliver makes one delivery round for entry id: each pending recipient is
// tried once, the results of each host are saved as soon as it has
// answered, and the entry is then finished or rescheduled.
func (w *Worker) deliver(ctx context.Context, id uint64) error {
	e, err := w.store.QueueEntry(ctx, id)
	if err != nil {
		return fmt.Errorf("queue entry %d: %w", id, err)
	}
	log := w.log.With("queue_id", id)
	if pending := e.Pending(); len(pending) > 0 {
		raw, err := w.store.QueueMessage(ctx, id)
		if err != nil {
			return fmt.Errorf("queue entry %d: %w", id, err)
		}
		r := &round{w: w, log: log, entry: e, raw: raw}
		for _, d := range byDomain(pending) {
			if ctx.Err() != nil {
				break
			}
			if err := r.domain(ctx, d); err != nil {
				return fmt.Errorf("queue entry %d: %w", id, err)
			}
		}
		e = r.entry
	}
	if err := w.conclude(ctx, log, e); err != nil {
		return fmt.Errorf("queue entry %d: %w", id, err)
	}
	return nil
}

// domain delivers to one domain's recipients: it finds the domain's hosts,
// then tries them in order until one answers.
func (r *round) domain(ctx context.Context, d domainRcpts) error {
	log := r.log.With("domain", d.domain)
	now := r.w.cfg.Now()
	var hosts []string
	var err error
	if d.domain == "" {
		err = &failure{"5.1.3", "recipient address has no domain"}
	} else {
		hosts, err = r.w.route(ctx, d.domain)
	}
	if err != nil {
		state, reply, _ := outcome(err)
		log.Info("no route", "result", reply)
		res := hostResult{rcpts: make(map[string]rcptResult), tls: tlsNone}
		res.all(d.rcpts, state, reply)
		return r.save(ctx, "", res, storage.Attempt{Time: now, Host: d.domain, TLS: tlsNone, Result: reply})
	}
	rcpts := d.rcpts
	for _, host := range hosts {
		res := r.w.tryHost(ctx, log.With("host", host), host, r.entry.From, rcpts, r.raw)
		a := storage.Attempt{Time: r.w.cfg.Now(), Host: host, TLS: res.tls, Result: res.summary()}
		if err := r.save(ctx, host, res, a); err != nil {
			return err
		}
		if rcpts = stillPending(rcpts, res); !res.next || len(rcpts) == 0 || ctx.Err() != nil {
			return nil
		}
	}
	return nil
}

// stillPending returns the recipients of rcpts that res left pending.
func stillPending(rcpts []string, res hostResult) []string {
	var out []string
	for _, rc := range rcpts {
		if x, ok := res.rcpts[rc]; !ok || x.state == storage.RecipientPending {
			out = append(out, rc)
		}
	}
	return out
}

// tryHost opens a session with host and runs the transaction. When
// STARTTLS fails, it tries again once without TLS (opportunistic TLS,
// RFC 7435 §3).
func (w *Worker) tryHost(ctx context.Context, log *slog.Logger, host, from string, rcpts []string, raw []byte) hostResult {
	s, err := w.connect(ctx, host, tlsOpportunistic)
	if te := (*tlsError)(nil); errors.As(err, &te) {
		log.Warn("starttls failed, retrying without tls", "err", err)
		s, err = w.connect(ctx, host, tlsSkip)
	}
	if err != nil {
		// No session: whatever the reply (greeting, EHLO) or error,
		// the host gave no answer about the recipients.
		_, reply, _ := outcome(err)
		log.Info("host unavailable", "result", reply)
		res := hostResult{rcpts: make(map[string]rcptResult), tls: tlsNone, next: true}
		res.all(rcpts, storage.RecipientPending, reply)
		return res
	}
	defer s.close(log)
	if s.certErr != nil {
		log.Info("tls certificate not verified", "err", s.certErr)
	}
	res := s.send(from, rcpts, raw)
	log.Info("delivery attempt", "remote", s.addr, "tls", s.tls, "result", res.summary())
	return res
}

// save records res and the attempt a in the entry, durably, before
// anything else happens: a recipient the host accepted must not be sent
// again after a crash. It runs even when ctx has ended (shutdown), since
// the remote host's answers are facts; but results that only say the
// round was interrupted are not recorded.
func (r *round) save(ctx context.Context, host string, res hostResult, a storage.Attempt) error {
	interrupted := ctx.Err() != nil
	saved, err := r.w.store.UpdateQueue(context.WithoutCancel(ctx), r.entry.ID, func(e *storage.QueueEntry) error {
		changed := false
		for i := range e.Recipients {
			rc := &e.Recipients[i]
			x, ok := res.rcpts[rc.Address]
			if !ok || rc.State != storage.RecipientPending || (interrupted && x.state == storage.RecipientPending) {
				continue
			}
			rc.State, rc.Reply, rc.Host = x.state, x.reply, host
			changed = true
		}
		if changed || !interrupted {
			e.Record(a)
		}
		return nil
	})
	if err != nil {
		return err
	}
	r.w.observe(r.entry, saved, res, interrupted)
	r.entry = saved
	return nil
}

// observe counts the recipient results that a save recorded: those of res
// that were pending in before, found settled in after, or still pending
// if the round was not interrupted (an interruption is not an answer).
func (w *Worker) observe(before, after storage.QueueEntry, res hostResult, interrupted bool) {
	now := w.cfg.Now()
	for i, rc := range after.Recipients {
		if _, ok := res.rcpts[rc.Address]; !ok || i >= len(before.Recipients) || before.Recipients[i].State != storage.RecipientPending {
			continue
		}
		switch rc.State {
		case storage.RecipientDelivered:
			w.obs.DeliveryAttempt("delivered")
			w.obs.Delivered(now.Sub(after.Created))
		case storage.RecipientFailed:
			w.obs.DeliveryAttempt("failed")
		default:
			if !interrupted {
				w.obs.DeliveryAttempt("deferred")
			}
		}
	}
}

// conclude ends a round: an entry without pending recipients, or past
// MaxAge, is finished; otherwise it is rescheduled by the backoff schedule.
// An interrupted round leaves the entry due, for the next start.
func (w *Worker) conclude(ctx context.Context, log *slog.Logger, e storage.QueueEntry) error {
	now := w.cfg.Now()
	pending := len(e.Pending())
	expired := pending > 0 && now.Sub(e.Created) > w.cfg.MaxAge
	if pending == 0 || expired {
		return w.finish(context.WithoutCancel(ctx), log, e, expired)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	saved, err := w.store.UpdateQueue(ctx, e.ID, func(e *storage.QueueEntry) error {
		e.Attempts++
		e.NextAttempt = now.Add(w.cfg.backoff(e.Attempts)).UTC()
		return nil
	})
	if err != nil {
		return err
	}
	log.Info("delivery deferred", "pending", pending, "attempts", saved.Attempts, "next_attempt", saved.NextAttempt)
	return nil
}

// finish removes e from the queue and, in the same transaction, delivers
// the DSN for its failed recipients (and, when expired, its pending ones).
func (w *Worker) finish(ctx context.Context, log *slog.Logger, e storage.QueueEntry, expired bool) error {
	failed := undelivered(e, expired)
	notice, err := w.notice(ctx, log, e, failed)
	if err != nil {
		return err
	}
	if err := w.store.FinishQueue(ctx, e.ID, notice); err != nil {
		return err
	}
	log.Info("queue entry finished", "delivered", len(e.Recipients)-len(failed), "failed", len(failed),
		"expired", expired, "dsn", notice != nil)
	return nil
}
