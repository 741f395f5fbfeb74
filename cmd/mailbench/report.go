package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

// benchReport is everything a run measured. Parts the run did not reach
// are empty, and Err says why it stopped.
type benchReport struct {
	Command  string
	Opts     options
	Env      environment
	Elapsed  time.Duration
	MX       []mxResult
	Populate []populateResult
	IMAP     []imapResult
	Memory   []phaseStats
	// SampleFailures counts failed reads of /proc/PID/status; SampleErr is
	// the last one.
	SampleFailures int
	SampleErr      error
	Data           *dirUsage // nil when not measured
	ServerWarn     int
	ServerErrors   int
	ServerExit     error
	ServerLog      string // path of the kept server log, or ""
	Client         procStatus
	Err            error
}

// The targets, next to which the measures are reported.
const (
	rssTargetKiB     = 150 << 10
	fetchAllTarget   = 300 * time.Millisecond
	searchSubjTarget = 30 * time.Millisecond
	imapTargetSize   = 10_000
)

// mxTargets are the least msgs/s wanted, per MX configuration.
var mxTargets = map[mxCase]float64{
	{4 << 10, 16}:   2000,
	{4 << 10, 1}:    600,
	{200 << 10, 16}: 400,
}

// imapTargets are the longest median wanted on the mailbox of
// imapTargetSize messages, per operation.
var imapTargets = map[opID]time.Duration{
	opFetchAll:      fetchAllTarget,
	opSearchSubject: searchSubjTarget,
}

// verdict renders a pass or a failure.
func verdict(pass bool) string {
	if pass {
		return "pass"
	}
	return "**FAIL**"
}

// targetRow is one line of the targets table.
type targetRow struct {
	what, target, measured, verdict string
}

// targets compares the measures with the targets. A target whose measure
// the run did not reach is reported as not measured, which is a failure.
func (r *benchReport) targets() []targetRow {
	var rows []targetRow
	for _, c := range []mxCase{{4 << 10, 16}, {4 << 10, 1}, {200 << 10, 16}} {
		row := targetRow{
			what:   fmt.Sprintf("SMTP MX, %s, %s", sizeName(c.Size), plural(c.Conns, "connection")),
			target: fmt.Sprintf("≥ %s msgs/s", group(int64(mxTargets[c]))),
		}
		if res, ok := r.mx(c); ok {
			row.measured = fmt.Sprintf("%s msgs/s", group(int64(res.Rate())))
			row.verdict = verdict(res.Rate() >= mxTargets[c] && res.Errors == 0)
		} else {
			row.measured, row.verdict = "not measured", verdict(false)
		}
		rows = append(rows, row)
	}
	for _, t := range []struct {
		id   opID
		name string
	}{{opFetchAll, "FETCH 1:* ENVELOPE BODYSTRUCTURE"}, {opSearchSubject, "UID SEARCH SUBJECT"}} {
		id, name := t.id, t.name
		row := targetRow{
			what:   fmt.Sprintf("IMAP %s, %s messages (median)", name, group(imapTargetSize)),
			target: "≤ " + dur(imapTargets[id]),
		}
		if op, n, ok := r.imapOp(id); ok {
			row.measured = dur(op.Median)
			row.verdict = verdict(op.Median <= imapTargets[id])
			if n != imapTargetSize { // a smaller mailbox proves nothing
				row.measured += fmt.Sprintf(" (on %s messages)", group(int64(n)))
				row.verdict = "not comparable"
			}
		} else {
			row.measured, row.verdict = "not measured", verdict(false)
		}
		rows = append(rows, row)
	}
	peak, anon := r.peakMemory()
	row := targetRow{what: "Server peak RSS (VmHWM, whole run)", target: "≤ " + mib(rssTargetKiB)}
	if peak > 0 {
		row.measured = fmt.Sprintf("%s (of which RssAnon peaked at %s)", mib(peak), mib(anon))
		row.verdict = verdict(peak <= rssTargetKiB)
	} else {
		row.measured, row.verdict = "not measured", verdict(false)
	}
	return append(rows, row)
}

// mx returns the result of an MX configuration, if it ran.
func (r *benchReport) mx(c mxCase) (mxResult, bool) {
	for _, res := range r.MX {
		if res.mxCase == c {
			return res, true
		}
	}
	return mxResult{}, false
}

// imapOp returns an operation on the mailbox of --small messages, if it
// ran, with that mailbox's size.
func (r *benchReport) imapOp(id opID) (opResult, int, bool) {
	for _, res := range r.IMAP {
		if res.Messages != r.Opts.small {
			continue
		}
		for _, op := range res.Ops {
			if op.ID == id {
				return op, res.Messages, true
			}
		}
	}
	return opResult{}, 0, false
}

// peakMemory returns the largest VmHWM and RssAnon over all phases, in KiB.
func (r *benchReport) peakMemory() (hwm, anon int64) {
	for _, p := range r.Memory {
		hwm = max(hwm, p.HWM)
		anon = max(anon, p.PeakAnon)
	}
	return hwm, anon
}

// render writes the report as Markdown.
func (r *benchReport) render(w io.Writer) error {
	var b strings.Builder
	r.renderHeader(&b)
	r.renderTargets(&b)
	r.renderMX(&b)
	r.renderPopulate(&b)
	r.renderIMAP(&b)
	r.renderMemory(&b)
	r.renderData(&b)
	if r.Err != nil {
		fmt.Fprintf(&b, "\n## Run stopped early\n\n```\n%v\n```\n", r.Err)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (r *benchReport) renderHeader(b *strings.Builder) {
	e := r.Env
	fmt.Fprintf(b, "# mailnet load benchmark\n\n")
	fmt.Fprintf(b, "| | |\n|---|---|\n")
	fmt.Fprintf(b, "| Date | %s |\n", e.Date.Format("2006-01-02 15:04:05 MST"))
	fmt.Fprintf(b, "| nproc | %d |\n", e.NProc)
	fmt.Fprintf(b, "| CPU | %s |\n", e.CPU)
	fmt.Fprintf(b, "| Memory | %s |\n", e.MemTotal)
	fmt.Fprintf(b, "| Kernel | %s |\n", e.Kernel)
	fmt.Fprintf(b, "| Go | %s |\n", e.GoVersion)
	fmt.Fprintf(b, "| Command | `%s` |\n", r.Command)
	fmt.Fprintf(b, "| Run time | %s |\n", r.Elapsed.Round(time.Second))
	fmt.Fprintf(b, "\nThe server runs as a separate process (`mailnet serve`, default limits, "+
		"listeners on 127.0.0.1); the load generator runs on the same machine and shares its %d CPU(s), "+
		"so the figures are those of server and clients together. Everything goes over loopback.\n", e.NProc)
	fmt.Fprintf(b, "\nDisk of the data directory (`df -hT`):\n\n```\n%s\n```\n", e.Disk)
	if e.FsyncErr != nil {
		fmt.Fprintf(b, "\nThe fsync probe failed: `%v`.\n", e.FsyncErr)
	} else {
		fmt.Fprintf(b, "\nA 4 KiB write plus fsync in the data directory takes %s (median of %d; min %s, max %s): "+
			"the floor under each durable commit.\n", dur(e.Fsync.Median), fsyncProbes, dur(e.Fsync.Min), dur(e.Fsync.Max))
	}
}

func (r *benchReport) renderTargets(b *strings.Builder) {
	fmt.Fprintf(b, "\n## Targets\n\n| Measure | Target | Measured | Result |\n|---|---|---|---|\n")
	for _, t := range r.targets() {
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", t.what, t.target, t.measured, t.verdict)
	}
}

func (r *benchReport) renderMX(b *strings.Builder) {
	fmt.Fprintf(b, "\n## SMTP MX delivery\n\nEach client opens one SMTP session per message (dial, EHLO, MAIL, RCPT, DATA, QUIT) "+
		"to the MX listener, for %s per configuration; the message goes to bench-a@%s. "+
		"Latency runs from the dial to the 250 reply after DATA, which the server sends once the message is on disk. "+
		"4 KiB messages are quoted-printable text; 200 KiB ones carry a base64 PDF attachment.\n\n", r.Opts.duration, benchDomain)
	fmt.Fprintf(b, "| Size | Connections | Time | Messages | Errors | msgs/s | p50 | p99 | Target | Result |\n|---|---|---|---|---|---|---|---|---|---|\n")
	for _, m := range r.MX {
		target, result := "—", "—"
		if t, ok := mxTargets[m.mxCase]; ok {
			target = fmt.Sprintf("≥ %s msgs/s", group(int64(t)))
			result = verdict(m.Rate() >= t && m.Errors == 0)
		}
		fmt.Fprintf(b, "| %s | %d | %s | %s | %d | %s | %s | %s | %s | %s |\n",
			sizeName(m.Size), m.Conns, m.Elapsed.Round(10*time.Millisecond), group(int64(m.Messages)), m.Errors,
			group(int64(m.Rate())), dur(m.P50), dur(m.P99), target, result)
	}
	for _, m := range r.MX {
		if m.FirstErr != nil {
			fmt.Fprintf(b, "\nFirst error with %s × %d: `%v`\n", sizeName(m.Size), m.Conns, m.FirstErr)
		}
	}
}

func (r *benchReport) renderPopulate(b *strings.Builder) {
	fmt.Fprintf(b, "\n## Mailbox population\n\nMessages of about 4 KiB (subject \"Demande numéro N.\", "+
		"\"référence [N]\" in the text; one in four multipart/alternative), delivered over the MX listener by "+
		"%d clients that each reuse one SMTP session.\n\n", populateConns)
	fmt.Fprintf(b, "| Account | Messages | Sessions | Time | msgs/s |\n|---|---|---|---|---|\n")
	for _, p := range r.Populate {
		fmt.Fprintf(b, "| %s | %s | %d | %s | %s |\n", p.Account, group(int64(p.Messages)), p.Conns,
			p.Elapsed.Round(100*time.Millisecond), group(int64(p.Rate())))
	}
}

func (r *benchReport) renderIMAP(b *strings.Builder) {
	fmt.Fprintf(b, "\n## IMAP\n\ngo-imap/v2 imapclient over STARTTLS, trusting the server's generated certificate. "+
		"Each operation runs %d times in a row on INBOX; the FETCH 1:* responses are streamed, one message at a time.\n", r.Opts.reps)
	for _, res := range r.IMAP {
		fmt.Fprintf(b, "\n### %s: %s messages\n\nLOGIN (argon2id check) took %s.\n\n", res.Account, group(int64(res.Messages)), dur(res.Login))
		fmt.Fprintf(b, "| Operation | Result | Median | Min | Max | Target | Result |\n|---|---|---|---|---|---|---|\n")
		for _, op := range res.Ops {
			target, result := "—", "—"
			if t, ok := imapTargets[op.ID]; ok && res.Messages == imapTargetSize {
				target, result = "≤ "+dur(t), verdict(op.Median <= t)
			}
			fmt.Fprintf(b, "| `%s` | %s | %s | %s | %s | %s | %s |\n", op.Name, op.Result, dur(op.Median), dur(op.Min), dur(op.Max), target, result)
		}
	}
}

func (r *benchReport) renderMemory(b *strings.Builder) {
	fmt.Fprintf(b, "\n## Server memory\n\nRead from the server's `/proc/PID/status` every %s. "+
		"VmHWM is the kernel's peak resident set", sampleInterval)
	if len(r.Memory) > 0 && r.Memory[0].HWMReset {
		fmt.Fprintf(b, ", reset at the start of each phase (`/proc/PID/clear_refs`), so it is the peak of that phase")
	} else {
		fmt.Fprintf(b, " since the server started (it could not be reset per phase)")
	}
	fmt.Fprintf(b, ". RssAnon is private memory (Go heap, stacks); RssFile is file-backed memory, mostly the memory-mapped "+
		"store file, i.e. page cache the kernel can reclaim. Their peaks are sampled, so they may miss a short spike that VmHWM catches.\n\n")
	fmt.Fprintf(b, "| Phase | Time | Samples | Peak RSS (VmHWM) | Peak RssAnon | Peak RssFile | RSS at end (anon + file) |\n|---|---|---|---|---|---|---|\n")
	for _, p := range r.Memory {
		fmt.Fprintf(b, "| %s | %s | %d | %s | %s | %s | %s (%s + %s) |\n", p.Name, p.End.Sub(p.Start).Round(100*time.Millisecond), p.Samples,
			mib(p.HWM), mib(p.PeakAnon), mib(p.PeakFile), mib(p.Last.VmRSS), mib(p.Last.RssAnon), mib(p.Last.RssFile))
	}
	r.renderCPU(b)
	if r.SampleFailures > 0 {
		fmt.Fprintf(b, "\n%d reads of the status file failed; the last: `%v`.\n", r.SampleFailures, r.SampleErr)
	}
	if r.Client.VmHWM > 0 {
		fmt.Fprintf(b, "\nFor comparison, the load generator itself (not counted above) peaked at %s (VmHWM).\n", mib(r.Client.VmHWM))
	}
}

// renderCPU shows how the machine's CPUs were shared between the server
// and the load generator, and what the server wrote to disk, per phase,
// next to the message bytes delivered in the phase.
func (r *benchReport) renderCPU(b *strings.Builder) {
	fmt.Fprintf(b, "\nCPU time (user + system, from `/proc/PID/stat`) and disk writes (`write_bytes` of `/proc/PID/io`) per phase; "+
		"a share is of the %d CPU(s) over the phase's wall time. Delivered is the size of the messages accepted in the phase.\n\n", r.Env.NProc)
	fmt.Fprintf(b, "| Phase | Server CPU | mailbench CPU | Delivered | Server disk writes | Writes / delivered |\n|---|---|---|---|---|---|\n")
	for _, p := range r.Memory {
		delivered := r.delivered(p.Name)
		written, ratio := "unknown", "—"
		if p.Server.Written >= 0 {
			written = bytesize(p.Server.Written)
			if delivered > 0 {
				ratio = fmt.Sprintf("%.1f×", float64(p.Server.Written)/float64(delivered))
			}
		}
		deliveredCell := "—"
		if delivered > 0 {
			deliveredCell = bytesize(delivered)
		}
		wall := p.End.Sub(p.Start)
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s | %s |\n", p.Name, cpuShare(p.Server.CPU, wall, r.Env.NProc),
			cpuShare(p.Self.CPU, wall, r.Env.NProc), deliveredCell, written, ratio)
	}
}

// delivered returns the bytes of the messages delivered in the named phase.
func (r *benchReport) delivered(phase string) int64 {
	var n int64
	switch phase {
	case phaseMX:
		for _, m := range r.MX {
			n += m.Bytes
		}
	case phasePopulate:
		for _, p := range r.Populate {
			n += p.Bytes
		}
	}
	return n
}

// cpuShare formats CPU time with its share of ncpu CPUs over wall.
func cpuShare(cpu, wall time.Duration, ncpu int) string {
	if wall <= 0 || ncpu <= 0 {
		return cpu.Round(10 * time.Millisecond).String()
	}
	return fmt.Sprintf("%s (%.0f %%)", cpu.Round(10*time.Millisecond), 100*cpu.Seconds()/(wall.Seconds()*float64(ncpu)))
}

func (r *benchReport) renderData(b *strings.Builder) {
	fmt.Fprintf(b, "\n## Data directory and server\n\n")
	if d := r.Data; d != nil {
		delivered := int64(0)
		for _, m := range r.MX {
			delivered += int64(m.Messages)
		}
		for _, p := range r.Populate {
			delivered += int64(p.Messages)
		}
		fmt.Fprintf(b, "%d files, %s (%s allocated on disk) after %s delivered messages.\n\n", d.Files,
			bytesize(d.Apparent), bytesize(d.OnDisk), group(delivered))
		fmt.Fprintf(b, "| File | Size |\n|---|---|\n")
		for _, name := range slices.Sorted(maps.Keys(d.Top)) {
			fmt.Fprintf(b, "| %s | %s |\n", name, bytesize(d.Top[name]))
		}
		if d.Err != nil {
			fmt.Fprintf(b, "\nWalking the directory failed: `%v`.\n", d.Err)
		}
	}
	fmt.Fprintf(b, "\nServer log: %d WARN and %d ERROR lines", r.ServerWarn, r.ServerErrors)
	if r.ServerLog != "" {
		fmt.Fprintf(b, " (kept in `%s`)", r.ServerLog)
	}
	if r.ServerExit != nil {
		fmt.Fprintf(b, "; exit after SIGTERM: `%v`.\n", r.ServerExit)
	} else {
		fmt.Fprintf(b, "; clean exit after SIGTERM.\n")
	}
}

// dur formats a duration for a table: "850 µs", "12.3 ms", "1.42 s".
func dur(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%d µs", d.Microseconds())
	case d < 100*time.Millisecond:
		return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}

// mib formats an amount of KiB in MiB.
func mib(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }

// bytesize formats an amount of bytes with a binary unit: "1.2 KiB".
func bytesize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.2f GiB", float64(n)/(1<<30))
}

// plural formats a count of things: "1 connection", "16 connections".
func plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return fmt.Sprintf("%d %ss", n, thing)
}

// sizeName formats a message size: "4 KiB", "200 KiB".
func sizeName(n int) string {
	if n%1024 == 0 {
		return fmt.Sprintf("%d KiB", n/1024)
	}
	return fmt.Sprintf("%d B", n)
}

// group formats n with thousands separators: 100000 → "100,000".
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
