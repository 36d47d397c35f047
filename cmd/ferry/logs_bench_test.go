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
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"

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
	sternPackage     = "github.com/stern/stern@" + sternVersion
	logBenchDeadline = 20 * time.Minute
)

// procRun is one measured run of a log reader writing to /dev/null.
type procRun struct {
	wall   time.Duration
	cpu    time.Duration // user + system
	maxRSS int64         // KiB
	lines  int64         // from the counting run
}

func (r procRun) cpuPerMillion() float64 {
	return r.cpu.Seconds() / float64(r.lines) * 1e6
}

// BenchmarkLogs measures (a) a --no-follow drain of one cluster, ferry vs
// stern at the same concurrency; (b) ferry draining both clusters; (c) the
// delay from a line being written to ferry printing it while following.
func BenchmarkLogs(b *testing.B) {
	env := sandboxtest.Isolated(b)
	cfg := env.SB.Config()
	loadLogBench(b, env)
	bin := b.TempDir()
	ferry := filepath.Join(bin, "ferry")
	if out, err := exec.CommandContext(b.Context(), "go", "build", "-o", ferry, ".").CombinedOutput(); err != nil {
		b.Fatalf("build ferry: %v\n%s", err, out)
	}
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
	var sternR, ferryR, bothR procRun
	var delays []time.Duration
	b.ResetTimer()
	for range b.N {
		sternR = measureProc(b, childEnv, want, stern, sternArgs...)
		ferryR = measureProc(b, childEnv, want, ferry, ferryArgs("source")...)
		bothR = measureProc(b, childEnv, 2*want, ferry, ferryArgs("both")...)
		delays = followDelays(b, childEnv, ferry)
	}
	b.StopTimer()
	b.ReportMetric(ferryR.cpuPerMillion(), "ferry-cpu-s/Mlines")
	b.ReportMetric(sternR.cpuPerMillion(), "stern-cpu-s/Mlines")
	b.ReportMetric(float64(ferryR.maxRSS)/1024, "ferry-MiB")
	b.ReportMetric(float64(sternR.maxRSS)/1024, "stern-MiB")
	p50, p99 := percentile(delays, 50), percentile(delays, 99)
	b.ReportMetric(float64(p99.Milliseconds()), "follow-p99-ms")
	printLogBench(os.Stdout, sternR, ferryR, bothR, p50, p99, len(delays))
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

// measureProc runs a reader once piped to a line counter (which also warms
// the servers' caches and checks it read everything), then once writing to
// /dev/null with its rusage taken.
func measureProc(b *testing.B, env []string, want int64, name string, args ...string) procRun {
	b.Helper()
	count := exec.CommandContext(b.Context(), name, args...)
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
	if err := count.Wait(); err != nil || lines != want {
		b.Fatalf("%s read %d lines, want %d: %v\n%s", filepath.Base(name), lines, want, err, stderr.String())
	}
	devnull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer devnull.Close()
	run := exec.CommandContext(b.Context(), name, args...)
	run.Env, run.Stdout, run.Stderr = env, devnull, &stderr
	if dir := os.Getenv("FERRY_BENCH_PROFILES"); dir != "" && filepath.Base(name) == "ferry" {
		p := filepath.Join(dir, strings.Join(args[5:7], "-")) // --side SIDE
		run.Env = append(slices.Clip(env), "FERRY_CPUPROFILE="+p+".cpu", "FERRY_MEMPROFILE="+p+".mem")
	}
	start := time.Now()
	if err := run.Run(); err != nil {
		b.Fatalf("%s: %v\n%s", filepath.Base(name), err, stderr.String())
	}
	r := procRun{wall: time.Since(start), lines: lines, cpu: run.ProcessState.UserTime() + run.ProcessState.SystemTime()}
	if ru, ok := run.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = ru.Maxrss
	}
	return r
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

func printLogBench(w io.Writer, stern, ferry, both procRun, p50, p99 time.Duration, n int) {
	fmt.Fprintf(w, "\nlogs: --no-follow drain, %d pods x %d lines, --max-log-requests %d, output to /dev/null\n",
		logBenchPods, logBenchHistory, logBenchStreams)
	fmt.Fprintf(w, "  %-28s %10s %10s %14s %10s %12s\n", "", "lines", "wall", "CPU s/Mlines", "peak RSS", "lines/s")
	row := func(name string, r procRun) {
		fmt.Fprintf(w, "  %-28s %10d %9.1fs %14.2f %7.0f MiB %12.0f\n", name, r.lines, r.wall.Seconds(),
			r.cpuPerMillion(), float64(r.maxRSS)/1024, float64(r.lines)/r.wall.Seconds())
	}
	row("stern "+sternVersion+" (kops)", stern)
	row("ferry logs (kops)", ferry)
	row("ferry logs (kops + eks)", both)
	fmt.Fprintf(w, "  ferry/stern: CPU per line %.2fx, peak RSS %.2fx, wall %.2fx (goal: <= 0.5, <= 0.5, <= 1)\n",
		ferry.cpuPerMillion()/stern.cpuPerMillion(), float64(ferry.maxRSS)/float64(stern.maxRSS), ferry.wall.Seconds()/stern.wall.Seconds())
	fmt.Fprintf(w, "logs: follow, %d pods a side at %d lines/s: delay from written to printed over %d lines: median %s, p99 %s (goal p99 < 1s)\n",
		logFollowPods, logFollowRate, n, p50.Round(time.Millisecond), p99.Round(time.Millisecond))
}
