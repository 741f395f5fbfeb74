package smtpd

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/foxcpp/go-mockdns"

	"mailnet/mailauth"
	"mailnet/resolver"
)

// BenchmarkMXDelivery measures whole MX deliveries over loopback TCP into
// a store on disk: one connection per message (EHLO, MAIL, RCPT, DATA,
// QUIT), each message durably committed before its 250. conns is the
// number of clients sending at once; their deliveries share fsyncs
// through the store's group commit. Every message's sender is checked
// (SPF and DMARC against published records, through the resolver cache),
// as in production.
//
// The clients are plain goroutines rather than b.RunParallel, whose
// goroutine count is a multiple of GOMAXPROCS: this way "conns=16" means
// exactly 16 concurrent connections on any machine.
func BenchmarkMXDelivery(b *testing.B) {
	for _, size := range []int{4 << 10, 200 << 10} {
		for _, conns := range []int{1, 16} {
			b.Run(fmt.Sprintf("size=%dKiB/conns=%d", size>>10, conns), func(b *testing.B) {
				benchmarkMXDelivery(b, size, conns)
			})
		}
	}
}

func benchmarkMXDelivery(b *testing.B, size, conns int) {
	zones := map[string]mockdns.Zone{
		"example.org.":        {TXT: []string{"v=spf1 ip4:127.0.0.1 -all"}},
		"_dmarc.example.org.": {TXT: []string{"v=DMARC1; p=reject"}},
	}
	checker := mailauth.New(resolver.Cached(&mockdns.Resolver{Zones: zones}, nil), mailauth.Options{AuthServID: testHostname})
	ts := startServer(b, testOptions{checker: checker})
	msg := benchMessage(size)
	recipients := []string{marie, paul, lea}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var next atomic.Int64
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	for w := range conns {
		wg.Go(func() {
			for i := next.Add(1); i <= int64(b.N); i = next.Add(1) {
				if err := deliverOnce(ts.addr, recipients[w%len(recipients)], msg); err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err := failed.Load(); err != nil {
		b.Fatal(*err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "msgs/s")
}

// deliverOnce sends msg to rcpt in a session of its own.
func deliverOnce(addr, rcpt, msg string) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("bench.example.org"); err != nil {
		return err
	}
	if err := c.Mail("sender@example.org", &smtp.MailOptions{Size: int64(len(msg))}); err != nil {
		return err
	}
	if err := c.Rcpt(rcpt, nil); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// benchMessage returns a message of about size bytes with 76-character
// lines, like base64 attachments.
func benchMessage(size int) string {
	var sb strings.Builder
	sb.WriteString("From: sender@example.org\r\nTo: marie@mailnet.test\r\nSubject: benchmark\r\n" +
		"Date: Sat, 28 Nov 2026 10:00:00 +0100\r\nMessage-ID: <bench@example.org>\r\n\r\n")
	line := strings.Repeat("QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo", 3)[:76] + "\r\n"
	for sb.Len() < size {
		sb.WriteString(line)
	}
	return sb.String()
}
