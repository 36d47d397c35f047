package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
	"k8s.io/client-go/kubernetes"

	"github.com/ferry-dev/ferry/cmd/internal/handoff"
	"github.com/ferry-dev/ferry/sandbox"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

// make bench: `ferry logs` against stern v1.33.0 on a private sandbox with
// logBenchPods pods per cluster, each starting with a logBenchHistory-line
// log. The sandbox starts inside the benchmark, so `go test ./...` (no
// -bench) never starts it.
const (
	logBenchNS       = "logbench"
	logBenchPods     = 100
	logBenchHistory  = 10000
	logBenchStreams  = 50 // --max-log-requests, the same for both tools
	logFollowNS      = "logfollow"
	logFollowPods    = 8
	logFollowRate    = 60 // lines per second per pod
	logFollowFor     = 15 * time.Second
	sternVersion     = "v1.33.0"
	gnuTime          = "/usr/bin/time" // the measure of peak RSS and CPU
	sternPackage     = "github.com/stern/stern@" + sternVersion
	logBenchDeadline = 20 * time.Minute
	logBenchRounds   = 3 // timed runs per reader; the figures are their medians
)

// procRun is one measured run of a log reader writing to /dev/null.
type procRun struct {
	wall   time.Duration
	cpu    time.Duration // user + system
	maxRSS int64         // KiB
	// The largest anonymous (heap, stacks) and file-backed (the binary's
	// pages) resident sizes seen while it ran, KiB: what the peak is made of.
	anon, file   int64
	rssLo, rssHi int64 // of the runs a median was taken over
	lines        int64 // from the counting run
}

func (r procRun) cpuPerMillion() float64 {
	return r.cpu.Seconds() / float64(r.lines) * 1e6
}

// BenchmarkLogs measures (a) a --no-follow drain of one cluster, ferry vs
// stern at the same concurrency; (b) ferry draining both clusters; (c) the
// delay from a line being written to ferry printing it while following.
func BenchmarkLogs(b *testing.B) {
	if _, err := os.Stat(gnuTime); err != nil {
		b.Fatalf("the bench measures both tools with GNU time: %v (apt-get install time)", err)
	}
	env := sandboxtest.Isolated(b)
	cfg := env.SB.Config()
	loadLogBench(b, env)
	bin := b.TempDir()
	ferry := buildPair(b, bin, fmt.Sprint(time.Now().UnixNano())) // as make build: ferry logs hands over to ferry-logs
	stern := installStern(b, cfg.CacheDir)
	childEnv := os.Environ()
	for _, v := range env.SB.Env() {
		childEnv = append(childEnv, v.Name+"="+v.Value)
	}
	kc := cfg.KubeconfigPath()
	sternArgs := []string{"load-", "-n", logBenchNS, "--kubeconfig", kc, "--context", "kops", "--no-follow",
		"--tail", "-1", "--max-log-requests", fmt.Sprint(logBenchStreams), "--color", "never"}
	ferryArgs := func(side string) []string {
		return []string{"logs", "load-", "-n", logBenchNS, "--side", side, "--no-follow", "--tail", "-1",
			"--max-log-requests", fmt.Sprint(logBenchStreams), "--color", "never"}
	}
	want := int64(logBenchPods * logBenchHistory)
	readers := []*reader{
		{label: "stern " + sternVersion + " (kops)", bin: stern, args: sternArgs, want: want},
		{label: "ferry logs (kops)", bin: ferry, args: ferryArgs("source"), want: want},
		{label: "  in ferry, no ferry-logs", bin: ferry, args: ferryArgs("source"), want: want, env: []string{handoff.EnvInProcess + "=1"}},
		{label: "ferry logs (kops + eks)", bin: ferry, args: ferryArgs("both"), want: 2 * want},
	}
	var sternUp, ferryUp, leanUp procRun
	var delays []time.Duration
	b.ResetTimer()
	for range b.N {
		for _, r := range readers {
			r.lines = countRun(b, append(slices.Clip(childEnv), r.env...), r)
		}
		for range logBenchRounds { // interleaved, so drift on the machine hits all alike
			for _, r := range readers {
				r.runs = append(r.runs, timedRun(b, append(slices.Clip(childEnv), r.env...), r.bin, r.args...))
			}
		}
		sternUp = timedRun(b, childEnv, stern, "--version")
		ferryUp = timedRun(b, childEnv, ferry, "--help")
		leanUp = timedRun(b, childEnv, ferry, "logs", "--help")
		delays = followDelays(b, childEnv, ferry)
	}
	b.StopTimer()
	sternR, ferryR := readers[0].median(), readers[1].median()
	b.ReportMetric(ferryR.cpuPerMillion(), "ferry-cpu-s/Mlines")
	b.ReportMetric(sternR.cpuPerMillion(), "stern-cpu-s/Mlines")
	b.ReportMetric(float64(ferryR.maxRSS)/1024, "ferry-MiB")
	b.ReportMetric(float64(sternR.maxRSS)/1024, "stern-MiB")
	p50, p99 := percentile(delays, 50), percentile(delays, 99)
	b.ReportMetric(float64(p99.Milliseconds()), "follow-p99-ms")
	printLogBench(os.Stdout, readers, sternUp, ferryUp, leanUp, p50, p99, len(delays))
}

// loadLogBench starts the pods on both clusters: logBenchPods with their
// history and no new lines, and a few that keep logging for the follow.
func loadLogBench(b *testing.B, env *sandboxtest.Env) {
	b.Helper()
	start := time.Now()
	fmt.Fprintf(os.Stderr, "bench: %d pods with %d-line logs and %d logging %d lines/s, on kops and eks\n",
		logBenchPods, logBenchHistory, logFollowPods, logFollowRate)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, side := range sandbox.Sides() {
		rc, err := sandbox.RESTConfig(env.SB.Config().KubeconfigPath(), side.Name)
		if err != nil {
			b.Fatal(err)
		}
		rc.QPS, rc.Burst = 100, 200
		cs, err := kubernetes.NewForConfig(rc)
		if err != nil {
			b.Fatal(err)
		}
		wg.Go(func() {
			hist := sandbox.Load{Namespace: logBenchNS, Deployments: logBenchPods, LogHistory: logBenchHistory, LogProfile: "http-json"}
			follow := sandbox.Load{Namespace: logFollowNS, Deployments: logFollowPods, LogRate: logFollowRate, LogProfile: "http-json"}
			errs[i] = errors.Join(hist.Apply(b.Context(), cs, side, logBenchDeadline), follow.Apply(b.Context(), cs, side, logBenchDeadline))
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		b.Fatal(err)
	}
	fmt.Fprintf(os.Stderr, "bench: pods running after %s\n", time.Since(start).Round(time.Second))
}

// installStern builds the baseline once into the cache dir.
func installStern(b *testing.B, cache string) string {
	b.Helper()
	dir := filepath.Join(cache, "stern@"+sternVersion)
	path := filepath.Join(dir, "stern")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	fmt.Fprintf(os.Stderr, "bench: go install %s into %s\n", sternPackage, dir)
	cmd := exec.CommandContext(b.Context(), "go", "install", sternPackage)
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=-mod=mod")
	cmd.Dir = b.TempDir() // outside our module
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("install stern: %v\n%s", err, out)
	}
	return path
}

// reader is one log reader under test: how it is run, and its runs.
type reader struct {
	label string
	bin   string
	args  []string
	env   []string // besides the sandbox's
	want  int64    // lines it must print
	lines int64    // what the counting run printed
	runs  []procRun
}

// median is the reader's median run, figure by figure, with the lowest and
// highest peak RSS seen.
func (r *reader) median() procRun {
	mid := func(f func(procRun) int64) int64 {
		v := make([]int64, len(r.runs))
		for i, run := range r.runs {
			v[i] = f(run)
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	m := procRun{
		wall:   time.Duration(mid(func(p procRun) int64 { return int64(p.wall) })),
		cpu:    time.Duration(mid(func(p procRun) int64 { return int64(p.cpu) })),
		maxRSS: mid(func(p procRun) int64 { return p.maxRSS }),
		anon:   mid(func(p procRun) int64 { return p.anon }),
		file:   mid(func(p procRun) int64 { return p.file }),
		lines:  r.lines,
	}
	m.rssLo, m.rssHi = m.maxRSS, m.maxRSS
	for _, run := range r.runs {
		m.rssLo, m.rssHi = min(m.rssLo, run.maxRSS), max(m.rssHi, run.maxRSS)
	}
	return m
}

// countRun runs a reader piped to a line counter, which also warms the
// servers' caches, and checks it read everything.
func countRun(b *testing.B, env []string, r *reader) int64 {
	b.Helper()
	count := exec.CommandContext(b.Context(), r.bin, r.args...)
	count.Env = env
	var stderr bytes.Buffer
	count.Stderr = &stderr
	out, err := count.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := count.Start(); err != nil {
		b.Fatal(err)
	}
	lines, _ := countLines(out)
	if err := count.Wait(); err != nil || lines != r.want {
		b.Fatalf("%s read %d lines, want %d: %v\n%s", filepath.Base(r.bin), lines, r.want, err, stderr.String())
	}
	return lines
}

// timedRun runs a reader once writing to /dev/null and measures it.
func timedRun(b *testing.B, env []string, name string, args ...string) procRun {
	b.Helper()
	var stderr bytes.Buffer
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer devnull.Close()
	// GNU time forks the reader from its own small image. Started from
	// this test (os/exec spawns with vfork semantics), the reader's
	// ru_maxrss would start at this process's peak: Linux keeps the high
	// water mark of the image left at exec (golang/go#32054).
	usage := filepath.Join(b.TempDir(), "usage")
	run := exec.CommandContext(b.Context(), gnuTime, append([]string{"-f", "%M %U %S", "-o", usage, name}, args...)...)
	run.Env, run.Stdout, run.Stderr = env, devnull, &stderr
	if dir := os.Getenv("FERRY_BENCH_PROFILES"); dir != "" && filepath.Base(name) == "ferry" && len(args) > 6 {
		p := filepath.Join(dir, strings.Join(args[5:7], "-")) // --side SIDE
		run.Env = append(slices.Clip(env), "FERRY_CPUPROFILE="+p+".cpu", "FERRY_MEMPROFILE="+p+".mem")
	}
	// Each tool starts from its binary as read from disk: how the file
	// last reached the page cache moves the peak by tens of MiB. ferry,
	// run straight after `go build` wrote it, maps 82 MiB before reading
	// a line; read from disk, 54 MiB.
	dropFromPageCache(b, name)
	if lean := filepath.Join(filepath.Dir(name), "ferry-logs"); filepath.Base(name) == "ferry" {
		dropFromPageCache(b, lean)
	}
	start := time.Now()
	if err := run.Start(); err != nil {
		b.Fatal(err)
	}
	var r procRun
	sampled := make(chan struct{})
	go func() { defer close(sampled); r.anon, r.file = sampleRSS(run.Process.Pid) }()
	if err := run.Wait(); err != nil {
		b.Fatalf("%s: %v\n%s", filepath.Base(name), err, stderr.String())
	}
	<-sampled
	r.wall = time.Since(start)
	data, err := os.ReadFile(usage)
	if err != nil {
		b.Fatal(err)
	}
	var user, sys float64
	if _, err := fmt.Sscanf(string(data), "%d %f %f", &r.maxRSS, &user, &sys); err != nil {
		b.Fatalf("%s wrote %q: %v", gnuTime, data, err)
	}
	r.cpu = time.Duration((user + sys) * float64(time.Second))
	return r
}

// dropFromPageCache evicts a binary's clean pages from the page cache so
// that the next start reads it from disk.
func dropFromPageCache(b *testing.B, path string) {
	b.Helper()
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		b.Fatal(err)
	}
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		b.Fatalf("evict %s from the page cache: %v", path, err)
	}
}

// sampleRSS reads the resident sizes of the process GNU time (pid) runs
// every 20 ms until it exits and returns the largest anonymous and
// file-backed ones, KiB.
func sampleRSS(pid int) (anon, file int64) {
	children := fmt.Sprintf("/proc/%d/task/%d/children", pid, pid)
	var child string
	for child == "" {
		data, err := os.ReadFile(children)
		if err != nil {
			return 0, 0
		}
		child, _, _ = strings.Cut(strings.TrimSpace(string(data)), " ")
		time.Sleep(time.Millisecond)
	}
	status := "/proc/" + child + "/status"
	for {
		data, err := os.ReadFile(status)
		if err != nil {
			return anon, file
		}
		for line := range strings.Lines(string(data)) {
			var kib int64
			if _, err := fmt.Sscanf(line, "RssAnon: %d kB", &kib); err == nil {
				anon = max(anon, kib)
			} else if _, err := fmt.Sscanf(line, "RssFile: %d kB", &kib); err == nil {
				file = max(file, kib)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func countLines(r io.Reader) (int64, error) {
	buf := make([]byte, 256<<10)
	var n int64
	for {
		k, err := r.Read(buf)
		n += int64(bytes.Count(buf[:k], []byte{'\n'}))
		if err != nil {
			return n, err
		}
	}
}

// followDelays follows the logging pods on both clusters with -o json and
// returns, per line, how long after its timestamp ferry printed it.
func followDelays(b *testing.B, env []string, ferry string) []time.Duration {
	b.Helper()
	cmd := exec.CommandContext(b.Context(), ferry, "logs", "load-", "-n", logFollowNS, "--tail", "0", "-o", "json")
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	settle := time.Now().Add(3 * time.Second) // streams connecting
	time.AfterFunc(logFollowFor, func() { _ = cmd.Process.Signal(os.Interrupt) })
	var delays []time.Duration
	sc := bufio.NewScanner(out)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		now := time.Now()
		var l struct{ Time time.Time }
		if json.Unmarshal(sc.Bytes(), &l) == nil && now.After(settle) && l.Time.After(settle) {
			delays = append(delays, now.Sub(l.Time))
		}
	}
	if err := cmd.Wait(); err != nil || len(delays) == 0 {
		b.Fatalf("follow: %v, %d lines\n%s", err, len(delays), stderr.String())
	}
	return delays
}

func percentile(d []time.Duration, p int) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func printLogBench(w io.Writer, readers []*reader, sternUp, ferryUp, leanUp procRun, p50, p99 time.Duration, n int) {
	fmt.Fprintf(w, "\nlogs: --no-follow drain, %d pods x %d lines, --max-log-requests %d, output to /dev/null; median of %d runs each\n",
		logBenchPods, logBenchHistory, logBenchStreams, logBenchRounds)
	fmt.Fprintf(w, "  %-28s %9s %8s %13s %9s %14s %17s %8s\n", "", "lines", "wall", "CPU s/Mlines", "peak RSS", "(lowest-highest)", "(anon / file)", "lines/s")
	for _, r := range readers {
		m := r.median()
		fmt.Fprintf(w, "  %-28s %9d %7.1fs %13.2f %5.0f MiB %8.0f-%.0f MiB %6.0f / %3.0f MiB %8.0f\n", r.label, m.lines, m.wall.Seconds(),
			m.cpuPerMillion(), inMiB(m.maxRSS), inMiB(m.rssLo), inMiB(m.rssHi), inMiB(m.anon), inMiB(m.file), float64(m.lines)/m.wall.Seconds())
	}
	stern, ferry := readers[0].median(), readers[1].median()
	fmt.Fprintf(w, "  ferry/stern: CPU per line %.2fx, peak RSS %.2fx, wall %.2fx (goal: <= 0.5, <= 0.5, <= 1)\n",
		ferry.cpuPerMillion()/stern.cpuPerMillion(), float64(ferry.maxRSS)/float64(stern.maxRSS), ferry.wall.Seconds()/stern.wall.Seconds())
	fmt.Fprintf(w, "  before reading a line: ferry logs --help (in ferry-logs) %.0f MiB, ferry --help %.0f MiB, stern --version %.0f MiB\n",
		inMiB(leanUp.maxRSS), inMiB(ferryUp.maxRSS), inMiB(sternUp.maxRSS))
	fmt.Fprintf(w, "  peak RSS and CPU by %s; every run starts from its binary read from disk (evicted from the page cache)\n", gnuTime)
	fmt.Fprintf(w, "logs: follow, %d pods a side at %d lines/s: delay from written to printed over %d lines: median %s, p99 %s (goal p99 < 1s)\n",
		logFollowPods, logFollowRate, n, p50.Round(time.Millisecond), p99.Round(time.Millisecond))
}

func inMiB(kib int64) float64 { return float64(kib) / 1024 }
