package imapd

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"mailnet/storage"
)

// Benchmarks of the IMAP operations a client runs on a large mailbox:
//
//	go test -run '^$' -bench IMAP -benchtime 5x ./server/imapd
//
// Each size's mailbox is built once per process (10,000 and 100,000
// messages of about 4 KiB) and shared by the benchmarks of that size.

var benchSizes = []int{10_000, 100_000}

// benchMailbox is a populated server shared by the benchmarks of one size.
type benchMailbox struct {
	once sync.Once
	env  *testEnv
	err  error
}

var (
	benchMu    sync.Mutex
	benchBoxes = map[int]*benchMailbox{}
)

func benchEnv(b *testing.B, n int) *testEnv {
	b.Helper()
	benchMu.Lock()
	bm := benchBoxes[n]
	if bm == nil {
		bm = &benchMailbox{}
		benchBoxes[n] = bm
	}
	benchMu.Unlock()
	bm.once.Do(func() {
		// The fixture outlives one benchmark, so it cannot use b.TempDir.
		dir, err := os.MkdirTemp("", "mailnet-imap-bench")
		if err != nil {
			bm.err = err
			return
		}
		bm.env, bm.err = populate(b, filepath.Join(dir, "mailnet.db"), n)
		b.Logf("fixture of %d messages in %s (not removed)", n, dir)
	})
	if bm.err != nil {
		b.Fatal(bm.err)
	}
	return bm.env
}

// populate delivers n messages with 16 concurrent writers (group commit).
func populate(b *testing.B, path string, n int) (*testEnv, error) {
	env := newBenchIMAP(b, path)
	body := strings.Repeat("Bonjour, je vous écris au sujet de mon inscription et de mon rendez-vous. ", 50)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for w := range 16 {
		wg.Go(func() {
			for i := w; i < n; i += 16 {
				raw := fmt.Sprintf("From: Client %d <client%d@example.org>\r\nTo: marie.dupont@mailnet.test\r\nSubject: Demande numéro %d\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\nMessage-ID: <%d@example.org>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\nréférence [%d]\r\n", i, i, i, i, body, i)
				if _, err := env.db.Deliver(context.Background(), storage.Incoming{Raw: []byte(raw), Deliveries: []storage.Delivery{{Account: env.account.ID, Mailbox: "INBOX"}}}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return env, <-errs
}

func benchClient(b *testing.B, env *testEnv) *imapclient.Client {
	b.Helper()
	c, err := imapclient.DialStartTLS(env.plainAddr, &imapclient.Options{TLSConfig: env.clientTLS})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	if err := c.Login(env.account.Address, testPassword).Wait(); err != nil {
		b.Fatal(err)
	}
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		b.Fatal(err)
	}
	return c
}

func BenchmarkIMAPSelect(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			c := benchClient(b, benchEnv(b, n))
			for b.Loop() {
				if _, err := c.Select("INBOX", nil).Wait(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkIMAPFetchEnvelopeBodyStructure(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			c := benchClient(b, benchEnv(b, n))
			all := imap.SeqSet{}
			all.AddRange(1, 0)
			for b.Loop() {
				msgs, err := c.Fetch(all, &imap.FetchOptions{Flags: true, Envelope: true, BodyStructure: &imap.FetchItemBodyStructure{Extended: true}}).Collect()
				if err != nil || len(msgs) != n {
					b.Fatalf("fetched %d, %v", len(msgs), err)
				}
			}
			reportRSS(b)
		})
	}
}

func BenchmarkIMAPSearchSubject(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			c := benchClient(b, benchEnv(b, n))
			crit := &imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Subject", Value: "numéro 4242"}}}
			for b.Loop() {
				data, err := c.UIDSearch(crit, nil).Wait()
				if err != nil || len(data.AllUIDs()) == 0 {
					b.Fatalf("search: %v, %v", data, err)
				}
			}
		})
	}
}

func BenchmarkIMAPSearchText(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			c := benchClient(b, benchEnv(b, n))
			crit := &imap.SearchCriteria{Text: []string{"référence [4242]"}}
			for b.Loop() {
				data, err := c.UIDSearch(crit, nil).Wait()
				if err != nil || len(data.AllUIDs()) != 1 {
					b.Fatalf("search: %v, %v", data, err)
				}
			}
			reportRSS(b)
		})
	}
}

func BenchmarkIMAPFetchFullBody(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			c := benchClient(b, benchEnv(b, n))
			for b.Loop() {
				msgs, err := c.Fetch(imap.SeqSetNum(uint32(n/2)), &imap.FetchOptions{BodySection: []*imap.FetchItemBodySection{{Peek: true}}}).Collect()
				if err != nil || len(msgs) != 1 {
					b.Fatal(err)
				}
			}
		})
	}
}

// reportRSS adds the process's memory (server and client together) to the
// benchmark output: peak resident set (VmHWM) and, of the current resident
// set, the private part (RssAnon: heaps and stacks) apart from the mapped
// store file (RssFile: page cache the kernel can reclaim).
func reportRSS(b *testing.B) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	metrics := map[string]string{"VmHWM:": "peak-RSS-MiB", "RssAnon:": "anon-RSS-MiB", "RssFile:": "file-RSS-MiB"}
	for _, line := range strings.Split(string(data), "\n") {
		for prefix, unit := range metrics {
			if rest, ok := strings.CutPrefix(line, prefix); ok {
				var kb float64
				fmt.Sscanf(strings.TrimSpace(rest), "%f", &kb)
				b.ReportMetric(kb/1024, unit)
			}
		}
	}
}
