package clonetest

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

// BenchRun is one source size a clone benchmark copies, and the latencies
// it copies it at, in milliseconds a request (SetLatency).
type BenchRun struct {
	Size      int
	Latencies []int
}

// Copies are the two copies a clone benchmark compares, of one seeded
// source: Ferry by the step, Naive by the loop a person writes first. Each
// copies the source once into a fresh target, named by ms and run so that
// no two collide, fails the benchmark unless the target then holds what
// the source does, drops the target, and returns the copy's Phase.
type Copies struct {
	Ferry, Naive func(b *testing.B, ms, run int) Phase
}

// CopyBench compares ferry's copy with the naive loop at each run's size
// and latencies, on env (a BenchSandbox), and reports the figures.
type CopyBench struct {
	// Unit is what is copied, plural: "items", "objects". It names the
	// sub-benchmarks ("items=10000") and the rates ("ferry-items/s").
	Unit string
	// Detail follows the count in the log line, e.g. " of 1024 B".
	Detail string
	Runs   []BenchRun
	// Source seeds the source of a size, before any latency is set (seeding
	// is no part of the figures), and returns its copies.
	Source func(b *testing.B, size int) Copies
}

// Run runs a sub-benchmark per run's size and under it one per latency,
// each copying b.N times both ways and reporting the latency, both rates,
// the speedup and both peak RSS.
func (cb CopyBench) Run(b *testing.B, env *sandboxtest.Env) {
	for _, run := range cb.Runs {
		b.Run(fmt.Sprintf("%s=%d", cb.Unit, run.Size), func(b *testing.B) {
			copies := cb.Source(b, run.Size)
			for _, ms := range run.Latencies {
				b.Run(fmt.Sprintf("latency=%dms", ms), func(b *testing.B) {
					SetLatency(b, env, ms)
					cb.compare(b, run.Size, ms, copies)
				})
			}
		})
	}
}

// compare copies size things b.N times each way at ms a request and
// reports the figures. Only the Ferry copies run under the benchmark's
// timer (MeasureTimed), so ns/op is ferry's.
func (cb CopyBench) compare(b *testing.B, size, ms int, c Copies) {
	b.ResetTimer()
	b.StopTimer()
	var ferry, naive Phase
	for i := range b.N {
		ferry.Add(c.Ferry(b, ms, i))
		naive.Add(c.Naive(b, ms, i))
	}
	copied := float64(size * b.N)
	fr, nr := copied/ferry.Took.Seconds(), copied/naive.Took.Seconds()
	b.ReportMetric(float64(ms), "latency-ms")
	b.ReportMetric(fr, "ferry-"+cb.Unit+"/s")
	b.ReportMetric(nr, "naive-"+cb.Unit+"/s")
	b.ReportMetric(fr/nr, "speedup-x")
	b.ReportMetric(ferry.PeakMiB, "ferry-peak-MiB")
	b.ReportMetric(naive.PeakMiB, "naive-peak-MiB")
	b.Logf("%d %s%s, %d ms a request: ferry %s (%.0f %s/s, peak RSS %.1f MiB), naive loop %s (%.0f %s/s, peak RSS %.1f MiB): %.1fx",
		size, cb.Unit, cb.Detail, ms, (ferry.Took / time.Duration(b.N)).Round(time.Millisecond), fr, cb.Unit, ferry.PeakMiB,
		(naive.Took / time.Duration(b.N)).Round(time.Millisecond), nr, cb.Unit, naive.PeakMiB, fr/nr)
}

// MeasureTimed is Measure with the benchmark's timer running for fn alone.
func MeasureTimed(b *testing.B, fn func() error) (Phase, error) {
	b.StartTimer()
	defer b.StopTimer()
	return Measure(fn)
}

// SeedWriters is how many writers Seed runs at once.
const SeedWriters = 8

// Seed writes a benchmark's n things of a source, what, SeedWriters
// writers at a time: write(from, to) writes things [from, to), at most
// chunk of them (1 for one request a thing, a batch's size for batches).
// It fails tb (a benchmark) on the first error and logs how long seeding
// took.
func Seed(tb testing.TB, what, unit string, n, chunk int, write func(from, to int) error) {
	start := time.Now()
	var wg sync.WaitGroup
	errs := make([]error, SeedWriters)
	for w := range SeedWriters {
		wg.Go(func() {
			for from := w * chunk; from < n && errs[w] == nil; from += SeedWriters * chunk {
				errs[w] = write(from, min(from+chunk, n))
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		tb.Fatalf("seed %s: %v", what, err)
	}
	tb.Logf("seeded %d %s into %s in %s", n, unit, what, time.Since(start).Round(time.Millisecond))
}
