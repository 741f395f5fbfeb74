package control

import (
	"context"
	"sync"
	"time"
)

// Progress is one progress report of a long operation, sent by the server
// before its reply.
type Progress struct {
	Done  uint64 `json:"done"`
	Total uint64 `json:"total"` // 0 when unknown
}

type progressKey struct{}

// WithProgress returns a context whose long operations (archive verify,
// export and purge) report their progress to fn: called in this process
// when the store is opened directly, relayed from the server through the
// socket otherwise. fn is called from one goroutine at a time.
func WithProgress(ctx context.Context, fn func(done, total uint64)) context.Context {
	if fn == nil {
		return ctx
	}
	return context.WithValue(ctx, progressKey{}, fn)
}

// progressOf returns the progress function of ctx, or nil.
func progressOf(ctx context.Context) func(done, total uint64) {
	fn, _ := ctx.Value(progressKey{}).(func(done, total uint64))
	return fn
}

// progressEvery is the shortest interval between two progress messages
// sent through the socket (the last one, done == total, always goes).
const progressEvery = 100 * time.Millisecond

// relayProgress returns a context whose progress reports are sent with
// send, at most every progressEvery; mu serialises them with the reply.
func relayProgress(ctx context.Context, mu *sync.Mutex, send func(Progress) error) context.Context {
	var last time.Time
	failed := false
	return WithProgress(ctx, func(done, total uint64) {
		now := time.Now()
		if failed || (now.Sub(last) < progressEvery && done != total) {
			return
		}
		last = now
		mu.Lock()
		defer mu.Unlock()
		failed = send(Progress{Done: done, Total: total}) != nil // the reply will fail too
	})
}
