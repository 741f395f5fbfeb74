package storage

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
)

// BenchmarkDeliver measures durable deliveries of 4 KiB messages by 16
// concurrent writers into one mailbox, and the bytes written to disk per
// byte delivered (bbolt rewrites every page it touches: the write
// amplification of copy-on-write):
//
//	go test -run '^$' -bench Deliver ./storage
func BenchmarkDeliver(b *testing.B) {
	db := newTestDB(b)
	a := newTestAccount(b, db, "a@mailnet.test")
	body := strings.Repeat("Bonjour, une question sur mon dossier. ", 100)
	var seq atomic.Int64
	var delivered atomic.Int64
	before := diskWrites()
	b.SetParallelism(8) // 16 writers on 2 cores
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			raw := fmt.Sprintf("Subject: %d\r\n\r\n%s\r\n", seq.Add(1), body)
			if _, err := db.Deliver(context.Background(), Incoming{Raw: []byte(raw), Deliveries: []Delivery{{Account: a.ID, Mailbox: "INBOX"}}}); err != nil {
				b.Error(err)
				return
			}
			delivered.Add(int64(len(raw)))
		}
	})
	b.StopTimer()
	st := db.Stats()
	if written := diskWrites() - before; written > 0 && delivered.Load() > 0 {
		b.ReportMetric(float64(written)/float64(delivered.Load()), "written/delivered")
	}
	b.ReportMetric(float64(st.Writes)/float64(st.Commits), "writes/commit")
}

// diskWrites returns the bytes this process caused to be written to disk
// (/proc/self/io write_bytes), or 0 where that is not available.
func diskWrites() int64 {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "write_bytes: "); ok {
			var n int64
			fmt.Sscan(v, &n)
			return n
		}
	}
	return 0
}
