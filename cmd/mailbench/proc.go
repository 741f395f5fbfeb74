package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"
)

// Readers of a process's counters in /proc (proc(5)). The parsers take the
// file's content, so tests can feed them.

// procStatus is the memory of a process as /proc/PID/status reports it, in
// KiB. VmRSS = RssAnon + RssFile + RssShmem.
type procStatus struct {
	VmRSS    int64 // resident set
	VmHWM    int64 // peak resident set since start or the last clear_refs
	RssAnon  int64 // private memory: heaps, stacks
	RssFile  int64 // file-backed pages: the binary and the memory-mapped store
	RssShmem int64 // shared memory
}

// errNoMemoryFields reports a status file without VmRSS, as for a process
// that has exited (a zombie).
var errNoMemoryFields = errors.New("no memory fields in /proc status")

// parseProcStatus reads the memory fields of a /proc/PID/status file. Every
// value must be a whole number of kB; other lines are ignored.
func parseProcStatus(data []byte) (procStatus, error) {
	var st procStatus
	fields := map[string]*int64{
		"VmRSS": &st.VmRSS, "VmHWM": &st.VmHWM,
		"RssAnon": &st.RssAnon, "RssFile": &st.RssFile, "RssShmem": &st.RssShmem,
	}
	seen := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		key, rest, ok := bytes.Cut(sc.Bytes(), []byte(":"))
		dst := fields[string(key)]
		if !ok || dst == nil {
			continue
		}
		num, unit, _ := bytes.Cut(bytes.TrimSpace(rest), []byte(" "))
		if string(bytes.TrimSpace(unit)) != "kB" {
			return procStatus{}, fmt.Errorf("%s: unit %q, want kB", key, unit)
		}
		v, err := strconv.ParseInt(string(num), 10, 64)
		if err != nil {
			return procStatus{}, fmt.Errorf("%s: %w", key, err)
		}
		*dst = v
		seen = seen || string(key) == "VmRSS"
	}
	if err := sc.Err(); err != nil {
		return procStatus{}, err
	}
	if !seen {
		return procStatus{}, errNoMemoryFields
	}
	return st, nil
}

// readProcStatus reads the memory of process pid.
func readProcStatus(pid int) (procStatus, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return procStatus{}, err
	}
	return parseProcStatus(data)
}

// resetPeak sets the VmHWM of process pid back to its current resident set
// (proc(5), /proc/PID/clear_refs, value 5; Linux 4.0 and later).
func resetPeak(pid int) error {
	return os.WriteFile(fmt.Sprintf("/proc/%d/clear_refs", pid), []byte("5"), 0)
}

// userHZ is the unit of the CPU times in /proc/PID/stat: USER_HZ, which
// Linux fixes at 100 on every architecture it exports to user space.
const userHZ = 100

// parseProcStatCPU returns the CPU time (user plus system) of the process
// whose /proc/PID/stat is data. The command name, field 2, is in
// parentheses and may itself contain spaces and parentheses, so the fields
// are counted from the last ')'.
func parseProcStatCPU(data []byte) (time.Duration, error) {
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, errors.New("/proc stat: no command name")
	}
	f := strings.Fields(string(data[i+1:]))
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc stat: %d fields after the name, want at least 13", len(f))
	}
	var ticks int64
	for _, s := range f[11:13] {
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("/proc stat: %w", err)
		}
		ticks += v
	}
	return time.Duration(ticks) * time.Second / userHZ, nil
}

// parseProcIOWrites returns write_bytes of a /proc/PID/io file: the bytes
// the process caused to be sent to the storage layer.
func parseProcIOWrites(data []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "write_bytes:"); ok {
			return strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		}
	}
	if err := sc.Err(); err != nil {
		return 0, err
	}
	return 0, errors.New("/proc io: no write_bytes")
}

// counters are a process's cumulative CPU time and disk writes.
type counters struct {
	CPU     time.Duration
	Written int64 // bytes; -1 when /proc/PID/io cannot be read
}

// readCounters reads the counters of process pid.
func readCounters(pid int) (counters, error) {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return counters{}, err
	}
	cpu, err := parseProcStatCPU(stat)
	if err != nil {
		return counters{}, err
	}
	c := counters{CPU: cpu, Written: -1}
	if io, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid)); err == nil { // needs ptrace rights
		if w, err := parseProcIOWrites(io); err == nil {
			c.Written = w
		}
	}
	return c, nil
}
