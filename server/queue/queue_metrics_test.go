package queue

import (
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"mailnet/internal/testutil"
	"mailnet/server/metrics"
)

// TestDeliveryMetrics runs two rounds against a fake MX that accepts one
// recipient, defers one (then accepts it) and refuses one, and checks the
// attempts and latencies scraped.
func TestDeliveryMetrics(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := metrics.New(metrics.Options{})
	e.observer = m
	var second atomic.Bool
	mx := startMX(t, "mx1.example.org", mxOptions{rcpt: func(to string) error {
		switch {
		case to == "later@example.org" && !second.Load():
			return reply(451, smtp.EnhancedCode{4, 2, 0}, "try later")
		case to == "nobody@example.org":
			return reply(550, smtp.EnhancedCode{5, 1, 1}, "no such user")
		}
		return nil
	}})
	e.mx("example.org", net.MX{Host: "mx1.example.org.", Pref: 10})
	e.host("mx1.example.org", "192.0.2.1", mx)
	id := e.enqueue(sender, "now@example.org", "later@example.org", "nobody@example.org")
	w := e.worker(Config{})

	e.clock.Advance(90 * time.Second)
	deliverNow(t, w, id)
	s := testutil.Scrape(t, m.Handler())
	want := map[string]float64{"delivered": 1, "deferred": 1, "failed": 1}
	for result, n := range want {
		if got := s.Value("mailnet_delivery_attempts_total", "result", result); got != n {
			t.Errorf("round 1: delivery_attempts_total{%s} = %v, want %v", result, got, n)
		}
	}
	if c, sum := s.Value("mailnet_delivery_latency_seconds_count"), s.Value("mailnet_delivery_latency_seconds_sum"); c != 1 || sum != 90 {
		t.Errorf("round 1: latency count %v sum %v, want 1 and 90", c, sum)
	}

	second.Store(true)
	e.clock.Advance(10 * time.Minute)
	deliverNow(t, w, id)
	s = testutil.Scrape(t, m.Handler())
	want["delivered"] = 2
	for result, n := range want {
		if got := s.Value("mailnet_delivery_attempts_total", "result", result); got != n {
			t.Errorf("round 2: delivery_attempts_total{%s} = %v, want %v", result, got, n)
		}
	}
	if c, sum := s.Value("mailnet_delivery_latency_seconds_count"), s.Value("mailnet_delivery_latency_seconds_sum"); c != 2 || sum != 90+690 {
		t.Errorf("round 2: latency count %v sum %v, want 2 and %d", c, sum, 90+690)
	}
	if _, ok := e.entry(id); ok {
		t.Error("entry still queued after every recipient settled")
	}
}
