package clonetest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Phase is one measured copy of a clone benchmark: its wall time and the
// process's peak resident set while it ran.
type Phase struct {
	Took    time.Duration
	PeakMiB float64
}

// Add counts q into p, for a benchmark that copies b.N times: the times add
// up, the peak is the higher one.
func (p *Phase) Add(q Phase) {
	p.Took += q.Took
	p.PeakMiB = max(p.PeakMiB, q.PeakMiB)
}

// Measure runs fn, timing it and watching the process's peak resident set.
// The heap goes back to the OS first, so what an earlier phase left behind
// does not count; the peak still holds the process's resting set (test
// binary, SDK clients), the same in every phase.
func Measure(fn func() error) (Phase, error) {
	runtime.GC()
	debug.FreeOSMemory()
	peak := watchPeak()
	start := time.Now()
	err := fn()
	p := Phase{Took: time.Since(start)}
	mib, perr := peak()
	p.PeakMiB = mib
	return p, errors.Join(err, perr)
}

// watchPeak starts watching the resident set and returns what stops it and
// gives the peak in MiB. Linux resets the kernel's own peak (VmHWM) to the
// current RSS when 5 is written to clear_refs; where that is refused (an
// older kernel, a sandboxed /proc), RSS is sampled every 10 ms instead,
// which can miss a shorter spike.
func watchPeak() func() (float64, error) {
	if os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil {
		return func() (float64, error) {
			kib, err := statusKiB("VmHWM")
			return kib / 1024, err
		}
	}
	var (
		mu   sync.Mutex
		top  float64
		serr error
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	sample := func() {
		mib, err := rssMiB()
		mu.Lock()
		defer mu.Unlock()
		top, serr = max(top, mib), errors.Join(serr, err)
	}
	wg.Go(func() {
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			sample()
			select {
			case <-tick.C:
			case <-done:
				return
			}
		}
	})
	return func() (float64, error) {
		close(done)
		wg.Wait()
		sample()
		mu.Lock()
		defer mu.Unlock()
		return top, serr
	}
}

// statusKiB is one "Name:   123 kB" line of /proc/self/status.
func statusKiB(name string) (float64, error) {
	raw, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, fmt.Errorf("peak RSS needs Linux's /proc: %w", err)
	}
	for line := range strings.Lines(string(raw)) {
		if v, ok := strings.CutPrefix(line, name+":"); ok {
			return strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/self/status", name)
}

// rssMiB is the resident set now, from /proc/self/statm (in pages).
func rssMiB() (float64, error) {
	raw, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0, fmt.Errorf("peak RSS needs Linux's /proc: %w", err)
	}
	f := bytes.Fields(raw)
	if len(f) < 2 {
		return 0, fmt.Errorf("/proc/self/statm: %q", raw)
	}
	pages, err := strconv.ParseFloat(string(f[1]), 64)
	return pages * float64(os.Getpagesize()) / (1 << 20), err
}
