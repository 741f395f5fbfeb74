package storage

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"
)

// fillArchive archives n distinct messages of about size bytes, spread
// over 100 clients, 1,000 per transaction.
func fillArchive(b *testing.B, db *DB, n, size int) {
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
				if _, err := archiveMessage(w, info, p.h, p.raw, p.summary, time.Now()); err != nil {
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
