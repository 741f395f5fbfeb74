package storage

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"
)

// fillArchive archives n distinct messages of about size bytes, spread
// over 100 clients, 1,000 per transaction, all now.
func fillArchive(b *testing.B, db *DB, n, size int) {
	fillArchiveAt(b, db, n, size, func(int) time.Time { return time.Now() })
}

// fillArchiveAt is fillArchive with message i archived at at(i).
func fillArchiveAt(b *testing.B, db *DB, n, size int, at func(i int) time.Time) {
	b.Helper()
	ctx := context.Background()
	body := bytes.Repeat([]byte("Bonjour, une question sur mon dossier.\r\n"), size/40)
	for start := 0; start < n; start += 1000 {
		type prepared struct {
			raw, summary []byte
			h            Hash
		}
		var batch []prepared
		for i := start; i < min(n, start+1000); i++ {
			raw := append(testMessage(fmt.Sprint("m", i)), body...)
			summary, h, err := prepare(raw)
			if err != nil {
				b.Fatal(err)
			}
			batch = append(batch, prepared{raw, summary, h})
		}
		err := db.write(ctx, func(w *writeTx) error {
			for i, p := range batch {
				info := ArchiveInfo{Direction: DirectionIn, From: "jean@example.org", To: []string{"marie@mailnet.test"}, Client: fmt.Sprint("J", (start+i)%100)}
				if _, err := archiveMessage(w, info, p.h, p.raw, p.summary, at(start+i)); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyArchive verifies an archive of 10,000 messages of 4 KiB:
// the chain and every body's SHA-256.
func BenchmarkVerifyArchive(b *testing.B) {
	db := newTestDB(b)
	fillArchive(b, db, 10_000, 4096)
	ctx := context.Background()
	b.ResetTimer()
	var rep ArchiveReport
	for b.Loop() {
		var err error
		if rep, err = db.VerifyArchive(ctx, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(rep.Bytes)
	b.ReportMetric(float64(rep.Messages), "messages")
}

// BenchmarkCaseBox reads the view of one client's case among 100 sharing
// 10,000 archived messages (100 each).
func BenchmarkCaseBox(b *testing.B) {
	db := newTestDB(b)
	fillArchive(b, db, 10_000, 512)
	ctx := context.Background()
	for b.Loop() {
		box, err := db.CaseBox(ctx, "J42")
		if err != nil || box.Messages != 100 {
			b.Fatal(box, err)
		}
	}
}

// BenchmarkArchivePeriod selects the last 30 days of an archive of 100,000
// messages spread over a year (about 8,200 entries), as the dashboard
// does, through the time index; "whole chain" is a selection without a
// period (one client), which reads every entry.
func BenchmarkArchivePeriod(b *testing.B) {
	db := newTestDB(b)
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const n = 100_000
	step := 365 * 24 * time.Hour / n
	fillArchiveAt(b, db, n, 256, func(i int) time.Time { return start.Add(time.Duration(i) * step) })
	ctx := context.Background()
	end := start.Add(365 * 24 * time.Hour)
	for _, bc := range []struct {
		name string
		f    ArchiveFilter
	}{
		{"30 days", ArchiveFilter{From: end.Add(-30 * 24 * time.Hour), To: end}},
		{"whole chain", ArchiveFilter{Client: "J7"}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			var got int
			for b.Loop() {
				es, err := db.ArchiveEntries(ctx, bc.f)
				if err != nil {
					b.Fatal(err)
				}
				got = len(es)
			}
			b.ReportMetric(float64(got), "entries")
		})
	}
}
