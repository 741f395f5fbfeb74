package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
)

const (
	// ehloName is the name the load generator greets with.
	ehloName = "mailbench.example.org"
	// envelopeFrom is the reverse path of every generated message.
	envelopeFrom = "expediteur@example.org"
	// smtpTimeout bounds each SMTP command and the reply after DATA.
	smtpTimeout = 60 * time.Second
	// maxWorkerErrors is how many failed deliveries stop one benchmark
	// client, so a broken server does not spin the loop for --duration.
	maxWorkerErrors = 5
	// populateConns is the number of clients that fill a mailbox.
	populateConns = 16
)

// mxCase is one configuration of the SMTP MX benchmark.
type mxCase struct {
	Size  int // message size in bytes, about
	Conns int // concurrent clients
}

// mxCases are the configurations of the SMTP MX benchmark, in order.
var mxCases = []mxCase{{4 << 10, 1}, {4 << 10, 16}, {200 << 10, 1}, {200 << 10, 16}}

// mxResult is the outcome of one configuration of the SMTP MX benchmark.
type mxResult struct {
	mxCase
	Messages int           // messages accepted (250 after DATA)
	Bytes    int64         // size of the accepted messages
	Errors   int           // failed deliveries
	FirstErr error         // the first failure, if any
	Elapsed  time.Duration // from the first dial to the last client's end
	P50, P99 time.Duration // latency from dial to the 250 after DATA
}

// Rate returns the accepted messages per second.
func (r mxResult) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Messages) / r.Elapsed.Seconds()
}

// mxWorker is what one client of the MX benchmark measured.
type mxWorker struct {
	latencies []time.Duration
	bytes     int64 // of the accepted messages
	errors    int
	firstErr  error
}

// runMX runs one configuration of the MX benchmark for d: each of c.Conns
// clients delivers messages to rcpt at addr, one SMTP session per message,
// until d has passed or ctx ends.
func runMX(ctx context.Context, addr, rcpt string, c mxCase, d time.Duration) (mxResult, error) {
	tmpl, err := newMXTemplate(c.Size)
	if err != nil {
		return mxResult{}, err
	}
	workers := make([]mxWorker, c.Conns)
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for i := range workers {
		w := &workers[i]
		wg.Go(func() {
			var buf bytes.Buffer
			for seq := 0; time.Now().Before(deadline) && ctx.Err() == nil && w.errors < maxWorkerErrors; seq++ {
				buf.Reset()
				if err := tmpl.write(&buf, i, seq, rcpt); err != nil {
					w.fail(err)
					continue
				}
				lat, err := deliverOnce(ctx, addr, rcpt, buf.Bytes())
				if err != nil {
					w.fail(err)
					continue
				}
				w.latencies = append(w.latencies, lat)
				w.bytes += int64(buf.Len())
			}
		})
	}
	wg.Wait()
	res := mxResult{mxCase: c, Elapsed: time.Since(start)}
	var all []time.Duration
	for _, w := range workers {
		all = append(all, w.latencies...)
		res.Bytes += w.bytes
		res.Errors += w.errors
		if res.FirstErr == nil {
			res.FirstErr = w.firstErr
		}
	}
	slices.Sort(all)
	res.Messages = len(all)
	res.P50, res.P99 = percentile(all, 50), percentile(all, 99)
	return res, ctx.Err()
}

func (w *mxWorker) fail(err error) {
	w.errors++
	if w.firstErr == nil {
		w.firstErr = err
	}
}

// dialSMTP opens an SMTP session to addr and sends EHLO. The connection is
// closed if ctx ends; the returned stop function detaches it from ctx.
func dialSMTP(ctx context.Context, addr string) (*smtp.Client, func() bool, error) {
	d := net.Dialer{Timeout: smtpTimeout}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	c := smtp.NewClient(conn)
	c.CommandTimeout = smtpTimeout
	c.SubmissionTimeout = smtpTimeout
	if err := c.Hello(ehloName); err != nil {
		stop()
		return nil, nil, errors.Join(fmt.Errorf("EHLO: %w", err), c.Close())
	}
	return c, stop, nil
}

// sendMessage runs one mail transaction (MAIL, RCPT, DATA) on c.
func sendMessage(c *smtp.Client, rcpt string, msg []byte) error {
	if err := c.Mail(envelopeFrom, &smtp.MailOptions{Size: int64(len(msg))}); err != nil {
		return fmt.Errorf("MAIL: %w", err)
	}
	if err := c.Rcpt(rcpt, nil); err != nil {
		return fmt.Errorf("RCPT: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("DATA: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return errors.Join(fmt.Errorf("DATA: %w", err), w.Close())
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("end of DATA: %w", err)
	}
	return nil
}

// deliverOnce delivers msg to rcpt in an SMTP session of its own and
// returns the time from the dial to the 250 reply after DATA.
func deliverOnce(ctx context.Context, addr, rcpt string, msg []byte) (time.Duration, error) {
	start := time.Now()
	c, stop, err := dialSMTP(ctx, addr)
	if err != nil {
		return 0, err
	}
	defer stop()
	if err := sendMessage(c, rcpt, msg); err != nil {
		return 0, errors.Join(err, c.Close())
	}
	lat := time.Since(start)
	if err := c.Quit(); err != nil {
		return 0, errors.Join(fmt.Errorf("QUIT: %w", err), c.Close())
	}
	return lat, nil
}

// populateResult is the outcome of filling one mailbox.
type populateResult struct {
	Account  string
	Messages int
	Bytes    int64 // size of the delivered messages
	Conns    int
	Elapsed  time.Duration
}

// Rate returns the delivered messages per second.
func (r populateResult) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Messages) / r.Elapsed.Seconds()
}

// populate delivers messages 1 to n (see mailboxTemplate) to rcpt over
// populateConns SMTP sessions, each reused for many messages. The first
// failure stops every session: the IMAP benchmark needs the whole mailbox.
func populate(ctx context.Context, log *slog.Logger, addr, rcpt string, n int) (populateResult, error) {
	p := &populator{addr: addr, rcpt: rcpt, n: n, tmpl: newMailboxTemplate(), log: log, start: time.Now()}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var wg sync.WaitGroup
	for range populateConns {
		wg.Go(func() {
			if err := p.session(ctx); err != nil {
				cancel(err) // only the first cause is kept
			}
		})
	}
	wg.Wait()
	res := populateResult{Account: rcpt, Messages: int(p.done.Load()), Bytes: p.bytes.Load(), Conns: populateConns, Elapsed: time.Since(p.start)}
	return res, context.Cause(ctx) // nil unless a session failed or the parent ended
}

// populator is the state the sessions of populate share.
type populator struct {
	addr, rcpt string
	n          int
	tmpl       *mailboxTemplate
	log        *slog.Logger
	start      time.Time
	next       atomic.Int64 // the last message number taken
	done       atomic.Int64 // messages delivered
	bytes      atomic.Int64 // size of the messages delivered
}

// session delivers messages in one SMTP session until all n are taken.
func (p *populator) session(ctx context.Context) error {
	c, stop, err := dialSMTP(ctx, p.addr)
	if err != nil {
		return err
	}
	defer stop()
	var buf bytes.Buffer
	for i := int(p.next.Add(1)); i <= p.n; i = int(p.next.Add(1)) {
		buf.Reset()
		if err := p.tmpl.write(&buf, i, p.rcpt); err != nil {
			return errors.Join(err, c.Close())
		}
		if err := sendMessage(c, p.rcpt, buf.Bytes()); err != nil {
			return errors.Join(fmt.Errorf("message %d: %w", i, err), c.Close())
		}
		p.bytes.Add(int64(buf.Len()))
		if d := p.done.Add(1); d%10_000 == 0 {
			p.log.Info("populating", "account", p.rcpt, "delivered", d, "of", p.n, "elapsed", time.Since(p.start).Round(time.Second))
		}
	}
	if err := c.Quit(); err != nil {
		return errors.Join(fmt.Errorf("QUIT: %w", err), c.Close())
	}
	return nil
}
