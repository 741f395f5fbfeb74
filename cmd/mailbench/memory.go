package main

import (
	"context"
	"errors"
	"os"
	"sync"
	"time"
)

// sampleInterval is how often the server's memory is read.
const sampleInterval = 100 * time.Millisecond

// phaseStats is what the server (and, for comparison, mailbench) used
// during one phase of the run. Memory is in KiB.
type phaseStats struct {
	Name       string
	Start, End time.Time
	Samples    int
	// HWM is the kernel's peak resident set over the phase when HWMReset,
	// otherwise since the server started.
	HWM      int64
	HWMReset bool
	// PeakAnon and PeakFile are the largest sampled values.
	PeakAnon, PeakFile int64
	// Last is the final sample of the phase.
	Last procStatus
	// Server and Self are the growth over the phase of the server's and
	// mailbench's counters; Server.Written is -1 when unknown.
	Server, Self counters
	// start are the counters at the start of the phase.
	startServer, startSelf counters
}

// sampler reads a process's memory every sampleInterval and keeps the
// peaks of each phase, with the CPU time and disk writes of the phase. Its
// methods are safe for concurrent use.
type sampler struct {
	pid int

	mu      sync.Mutex
	phases  []*phaseStats
	cur     *phaseStats // nil between phases
	errs    int
	lastErr error
}

func newSampler(pid int) *sampler { return &sampler{pid: pid} }

// run samples until ctx ends.
func (s *sampler) run(ctx context.Context) {
	t := time.NewTicker(sampleInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			s.sample()
		}
	}
}

// sample reads the process's memory once into the current phase.
func (s *sampler) sample() {
	st, err := readProcStatus(s.pid)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.noteErr(err)
		return
	}
	p := s.cur
	if p == nil {
		return
	}
	p.Samples++
	p.Last = st
	p.HWM = max(p.HWM, st.VmHWM)
	p.PeakAnon = max(p.PeakAnon, st.RssAnon)
	p.PeakFile = max(p.PeakFile, st.RssFile)
}

// begin ends the current phase, if any, and starts the named one, with the
// kernel's peak reset when the system allows it.
func (s *sampler) begin(name string) {
	s.end()
	reset := resetPeak(s.pid) == nil
	srv, errSrv := readCounters(s.pid)
	self, errSelf := readCounters(os.Getpid())
	s.mu.Lock()
	s.noteErr(errors.Join(errSrv, errSelf))
	s.cur = &phaseStats{Name: name, Start: time.Now(), HWMReset: reset, startServer: srv, startSelf: self}
	s.phases = append(s.phases, s.cur)
	s.mu.Unlock()
	s.sample()
}

// end takes a last sample of the current phase and closes it.
func (s *sampler) end() {
	s.sample()
	srv, errSrv := readCounters(s.pid)
	self, errSelf := readCounters(os.Getpid())
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noteErr(errors.Join(errSrv, errSelf))
	p := s.cur
	if p == nil {
		return
	}
	p.End = time.Now()
	p.Server = srv.sub(p.startServer)
	p.Self = self.sub(p.startSelf)
	s.cur = nil
}

// noteErr counts a failed read; s.mu must be held.
func (s *sampler) noteErr(err error) {
	if err != nil {
		s.errs++
		s.lastErr = err
	}
}

// sub returns the growth from start to c; unknown writes stay unknown.
func (c counters) sub(start counters) counters {
	d := counters{CPU: c.CPU - start.CPU, Written: -1}
	if c.Written >= 0 && start.Written >= 0 {
		d.Written = c.Written - start.Written
	}
	return d
}

// results returns a copy of the phases so far, and the number of failed
// reads with the last failure.
func (s *sampler) results() ([]phaseStats, int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]phaseStats, len(s.phases))
	for i, p := range s.phases {
		out[i] = *p
	}
	return out, s.errs, s.lastErr
}

// selfStatus is the memory of the mailbench process itself, for context in
// the report; the zero value when it cannot be read.
func selfStatus() procStatus {
	st, err := readProcStatus(os.Getpid())
	if err != nil {
		return procStatus{}
	}
	return st
}
