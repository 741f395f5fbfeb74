package metrics

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"mailnet/storage"
)

// Store is what the scrape-time metrics read (*storage.DB implements it).
type Store interface {
	// ConversationCounts counts the unanswered conversations at an
	// instant.
	ConversationCounts(ctx context.Context, at time.Time) (storage.ConversationCounts, error)
	// Queue returns the outbound queue.
	Queue(ctx context.Context) ([]storage.QueueEntry, error)
	// Path is the store file, whose size is reported.
	Path() string
	// ObserveCommits registers the observer of durable commits.
	ObserveCommits(fn func(writes int, d time.Duration))
}

// storeCollector reads the queue, the SLA counts and the file size at
// each scrape.
type storeCollector struct {
	store Store
	now   func() time.Time
	queue *prometheus.Desc
	sla   *prometheus.Desc
	size  *prometheus.Desc
}

var _ prometheus.Collector = (*storeCollector)(nil)

func newStoreCollector(s Store, now func() time.Time) *storeCollector {
	return &storeCollector{
		store: s,
		now:   now,
		queue: prometheus.NewDesc("mailnet_queue_messages",
			"Messages in the outbound queue: new (never tried) or deferred (waiting for a retry).", []string{"state"}, nil),
		sla: prometheus.NewDesc("mailnet_sla_conversations",
			"Unanswered conversations: open (in time), warned (notice sent, in time) or overdue.", []string{"state"}, nil),
		size: prometheus.NewDesc("mailnet_storage_file_bytes", "Size of the store file.", nil, nil),
	}
}

// Describe sends the descriptors of the store metrics.
func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.queue
	ch <- c.sla
	ch <- c.size
}

// Collect reads the store. A metric whose read fails is sent as invalid,
// which the handler logs, leaving the others served.
func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx := context.Background()
	if q, err := c.store.Queue(ctx); err != nil {
		ch <- prometheus.NewInvalidMetric(c.queue, fmt.Errorf("queue: %w", err))
	} else {
		var fresh, deferred int
		for _, e := range q {
			if e.Attempts == 0 {
				fresh++
			} else {
				deferred++
			}
		}
		ch <- prometheus.MustNewConstMetric(c.queue, prometheus.GaugeValue, float64(fresh), "new")
		ch <- prometheus.MustNewConstMetric(c.queue, prometheus.GaugeValue, float64(deferred), "deferred")
	}
	if n, err := c.store.ConversationCounts(ctx, c.now()); err != nil {
		ch <- prometheus.NewInvalidMetric(c.sla, err)
	} else {
		ch <- prometheus.MustNewConstMetric(c.sla, prometheus.GaugeValue, float64(n.Open), "open")
		ch <- prometheus.MustNewConstMetric(c.sla, prometheus.GaugeValue, float64(n.Warned), "warned")
		ch <- prometheus.MustNewConstMetric(c.sla, prometheus.GaugeValue, float64(n.Overdue), "overdue")
	}
	if fi, err := os.Stat(c.store.Path()); err != nil {
		ch <- prometheus.NewInvalidMetric(c.size, fmt.Errorf("store file: %w", err))
	} else {
		ch <- prometheus.MustNewConstMetric(c.size, prometheus.GaugeValue, float64(fi.Size()))
	}
}
