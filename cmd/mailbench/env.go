package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// environment describes the machine a run measured.
type environment struct {
	Date      time.Time
	NProc     int    // CPUs this process may use, as nproc(1) counts them
	CPU       string // model name from /proc/cpuinfo
	MemTotal  string // from /proc/meminfo
	Kernel    string
	GoVersion string
	Disk      string // df -hT of the data directory
	// Fsync is the latency of a 4 KiB write plus fsync in the data
	// directory; FsyncErr says why it is missing.
	Fsync    summary
	FsyncErr error
}

// readEnvironment describes this machine and the file system of dataDir.
// What cannot be read is left empty or says so.
func readEnvironment(ctx context.Context, dataDir string) environment {
	env := environment{
		Date:      time.Now(),
		NProc:     runtime.NumCPU(),
		CPU:       procField("/proc/cpuinfo", "model name"),
		MemTotal:  memTotal(),
		GoVersion: runtime.Version(),
	}
	if k, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		env.Kernel = strings.TrimSpace(string(k))
	}
	out, err := exec.CommandContext(ctx, "df", "-hT", dataDir).CombinedOutput()
	env.Disk = strings.TrimSpace(string(out))
	if err != nil {
		env.Disk = "df failed: " + err.Error() + "\n" + env.Disk
	}
	env.Fsync, env.FsyncErr = probeFsync(ctx, dataDir)
	return env
}

// fsyncProbes is how many writes probeFsync times.
const fsyncProbes = 50

// probeFsync times fsyncProbes rewrites of a 4 KiB block, each followed by
// fsync, in a scratch file of dir that it removes. Durable delivery waits
// for such a sync, so this is the floor under the SMTP latencies.
func probeFsync(ctx context.Context, dir string) (summary, error) {
	f, err := os.CreateTemp(dir, "fsync-probe-")
	if err != nil {
		return summary{}, err
	}
	block := bytes.Repeat([]byte{'x'}, 4<<10)
	var times []time.Duration
	for range fsyncProbes {
		if ctx.Err() != nil {
			break
		}
		start := time.Now()
		if _, err = f.WriteAt(block, 0); err != nil {
			break
		}
		if err = f.Sync(); err != nil {
			break
		}
		times = append(times, time.Since(start))
	}
	err = errors.Join(err, ctx.Err(), f.Close(), os.Remove(f.Name()))
	return summarize(times), err
}

// memTotal returns the machine's memory from /proc/meminfo, in GiB.
func memTotal() string {
	v := procField("/proc/meminfo", "MemTotal")
	kb, err := strconv.ParseInt(strings.TrimSuffix(v, " kB"), 10, 64)
	if err != nil {
		return v
	}
	return fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
}

// procField returns the value of the first "key: value" line of a /proc
// file, or "unknown".
func procField(path, key string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

// dirUsage is the size of a directory tree.
type dirUsage struct {
	Files    int
	Apparent int64            // sum of the file sizes
	OnDisk   int64            // allocated blocks
	Top      map[string]int64 // apparent size of each file directly in the directory
	Err      error
}

// measureDir walks dir and sums the sizes of its regular files.
func measureDir(dir string) dirUsage {
	u := dirUsage{Top: map[string]int64{}}
	u.Err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		u.Files++
		u.Apparent += info.Size()
		if st, ok := info.Sys().(*syscall.Stat_t); ok {
			u.OnDisk += st.Blocks * 512 // stat(2): st_blocks counts 512-byte units
		}
		if filepath.Dir(path) == dir {
			u.Top[d.Name()] = info.Size()
		}
		return nil
	})
	return u
}
