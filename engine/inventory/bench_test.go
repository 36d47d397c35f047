package inventory

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"k8s.io/client-go/kubernetes"

	"github.com/ferry-dev/ferry/engine/plan"
	"github.com/ferry-dev/ferry/sandbox"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

// make bench: ferry's inventory against its baseline, "2 × kubectl get
// deploy,pods -A -o json", on a private sandbox loaded with 1,000
// Deployments per cluster. The sandbox starts inside the benchmark, so
// `go test ./...` (no -bench) never starts it; FERRY_BENCH_SANDBOX keeps a
// loaded one between runs (bench_sandbox_test.go).
const (
	benchNamespace   = "bench"
	benchDeployments = 1000
)

var benchLoaded struct {
	once sync.Once
	took time.Duration
	err  error
}

// benchRun is one measurement of everything the benchmark reports.
type benchRun struct {
	ferry, synced            time.Duration // inventory complete; WaitSynced returned
	generation               uint64        // snapshots built until complete
	requests                 requestCounts
	kubectlSeq               time.Duration // two runs, one after the other
	kubectlPar               time.Duration // the same two, at once
	kubectlBytes             int64
	informers                time.Duration // both sides' informers alone, no rebuild
	rebuildCold, rebuildWarm time.Duration // buildPairs with an empty / a filled pair cache
}

// BenchmarkInventory1000Deployments times ferry's inventory until complete
// (its ns/op) and reports beside it the kubectl baseline, ferry's API
// requests and where its time goes; -benchtime 1x measures once.
func BenchmarkInventory1000Deployments(b *testing.B) {
	env := benchEnv(b)
	loadBench(b, env)
	sbCfg := env.SB.Config()
	kc := sbCfg.KubeconfigPath()
	kubectl, err := sandbox.Kubectl(b.Context(), sbCfg, os.Stderr)
	if err != nil {
		b.Fatal(err)
	}
	p, err := plan.Load(sbCfg.PlanPath())
	if err != nil {
		b.Fatal(err)
	}
	cfg := Config{SourceName: p.Source.Label, TargetName: p.Target.Label,
		Namespaces: append(append([]string{}, p.Namespaces...), benchNamespace), Mapping: p.Mapping}
	kubectlReqs := warmKubectl(b, kubectl, kc)
	version, _ := exec.CommandContext(b.Context(), kubectl, "version", "--client").Output()
	kubectlName := kubectl + " " + strings.TrimPrefix(strings.SplitN(string(version), "\n", 2)[0], "Client Version: ")

	var runs []benchRun
	b.ResetTimer()
	for range b.N {
		r := measureFerry(b, kc, cfg)
		b.StopTimer()
		r.kubectlSeq, r.kubectlBytes = timeKubectl(b, kubectl, kc, false)
		r.kubectlPar, _ = timeKubectl(b, kubectl, kc, true)
		r.informers, r.rebuildCold, r.rebuildWarm = timeParts(b, kc, cfg)
		runs = append(runs, r)
		b.StartTimer()
	}
	b.StopTimer()
	m := mean(runs)
	b.ReportMetric(ms(m.ferry), "ferry-ms")
	b.ReportMetric(ms(m.kubectlSeq), "kubectl-ms")
	b.ReportMetric(ms(m.kubectlPar), "kubectl-parallel-ms")
	b.ReportMetric(float64(m.requests.total), "requests")
	b.ReportMetric(float64(kubectlReqs), "kubectl-requests")
	b.ReportMetric(ms(m.informers), "informers-ms")
	b.ReportMetric(ms(m.rebuildCold), "rebuild-ms")
	printTable(os.Stdout, m, kubectlName, kubectlReqs, len(runs))
}

// loadBench fills both clusters once per test binary.
func loadBench(b *testing.B, env *sandboxtest.Env) {
	b.Helper()
	benchLoaded.once.Do(func() {
		start := time.Now()
		fmt.Fprintf(os.Stderr, "bench: loading %d Deployments into %q on kops and eks (once per sandbox)\n", benchDeployments, benchNamespace)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, side := range sandbox.Sides() {
			rc, err := sandbox.RESTConfig(env.SB.Config().KubeconfigPath(), side.Name)
			if err != nil {
				errs[i] = err
				continue
			}
			rc.QPS, rc.Burst = 200, 400
			cs, err := kubernetes.NewForConfig(rc)
			if err != nil {
				errs[i] = err
				continue
			}
			l := sandbox.Load{Namespace: benchNamespace, Deployments: benchDeployments, Workers: 16}
			wg.Go(func() { errs[i] = l.Apply(b.Context(), cs, side, 20*time.Minute) })
		}
		wg.Wait()
		benchLoaded.took, benchLoaded.err = time.Since(start), errors.Join(errs...)
		fmt.Fprintf(os.Stderr, "bench: load took %s\n", benchLoaded.took.Round(time.Second))
	})
	if benchLoaded.err != nil {
		b.Fatal(benchLoaded.err)
	}
}

// measureFerry starts an inventory on both clusters as `ferry status` does
// and times it until its snapshot pairs every loaded service on both sides.
func measureFerry(b *testing.B, kc string, cfg Config) benchRun {
	b.Helper()
	var n requestCounts
	src, dst := benchClient(b, kc, "kops", &n), benchClient(b, kc, "eks", &n)
	start := time.Now()
	inv := New(src, dst, cfg)
	ctx, cancel := context.WithCancel(b.Context())
	done := make(chan struct{})
	go func() { _ = inv.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	wait, wcancel := context.WithTimeout(ctx, 2*time.Minute)
	defer wcancel()
	if err := inv.WaitSynced(wait); err != nil {
		b.Fatal(err)
	}
	r := benchRun{synced: time.Since(start)}
	for {
		snap := inv.Snapshot()
		if complete(snap) {
			r.ferry, r.generation = time.Since(start), snap.Generation
			break
		}
		select {
		case <-inv.Changed():
		case <-time.After(5 * time.Millisecond):
		case <-wait.Done():
			b.Fatalf("no snapshot with %d %s pairs on both sides: %s is %s, %s is %s", benchDeployments, benchNamespace,
				snap.Source.Name, snap.Source.Health, snap.Target.Name, snap.Target.Health)
		}
	}
	r.requests = n.snapshot()
	return r
}

func complete(s Snapshot) bool {
	if s.Source.Health != HealthUp || s.Target.Health != HealthUp {
		return false
	}
	both := 0
	for _, p := range s.Pairs {
		if p.Namespace == benchNamespace && p.Source != nil && p.Target != nil {
			both++
		}
	}
	return both >= benchDeployments
}

// timeParts splits ferry's time: both sides' informers alone until synced,
// then one rebuild of every pair from those caches, first with an empty pair
// cache (the first snapshot), then with a filled one (any later event).
func timeParts(b *testing.B, kc string, cfg Config) (informers, cold, warm time.Duration) {
	b.Helper()
	var n requestCounts
	ctx, cancel := context.WithCancel(b.Context())
	defer cancel()
	start := time.Now()
	src := newSide("src", benchClient(b, kc, "kops", &n), func() {})
	dst := newSide("dst", benchClient(b, kc, "eks", &n), func() {})
	for _, s := range []*side{src, dst} {
		if err := s.start(ctx); err != nil {
			b.Fatal(err)
		}
	}
	deadline := time.Now().Add(2 * time.Minute)
	for !src.synced() || !dst.synced() {
		if time.Now().After(deadline) {
			b.Fatal("informers not synced after 2 min")
		}
		time.Sleep(time.Millisecond)
	}
	informers = time.Since(start)
	pc := newPairCache()
	sd, dd := readSide(src), readSide(dst)
	start = time.Now()
	buildPairs(sd, dd, cfg, pc, time.Now())
	cold = time.Since(start)
	start = time.Now()
	buildPairs(sd, dd, cfg, pc, time.Now())
	warm = time.Since(start)
	return informers, cold, warm
}

// benchClient builds a clientset as cluster.Connect does (default QPS and
// burst, user agent ferry), with every request counted.
func benchClient(b *testing.B, kc, context string, n *requestCounts) kubernetes.Interface {
	b.Helper()
	rc, err := sandbox.RESTConfig(kc, context)
	if err != nil {
		b.Fatal(err)
	}
	rc.UserAgent = "ferry"
	rc.Wrap(func(rt http.RoundTripper) http.RoundTripper { return countingTransport{rt, n} })
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		b.Fatal(err)
	}
	return cs
}

// requestCounts counts API requests by kind: watches, other GETs (the
// informers' lists, one per kind), everything else.
type requestCounts struct{ total, watches, gets, other int64 }

func (n *requestCounts) snapshot() requestCounts {
	return requestCounts{atomic.LoadInt64(&n.total), atomic.LoadInt64(&n.watches), atomic.LoadInt64(&n.gets), atomic.LoadInt64(&n.other)}
}

type countingTransport struct {
	next http.RoundTripper
	n    *requestCounts
}

func (t countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	atomic.AddInt64(&t.n.total, 1)
	switch {
	case req.Method == http.MethodGet && req.URL.Query().Get("watch") == "true":
		atomic.AddInt64(&t.n.watches, 1)
	case req.Method == http.MethodGet:
		atomic.AddInt64(&t.n.gets, 1)
	default:
		atomic.AddInt64(&t.n.other, 1)
	}
	return t.next.RoundTrip(req)
}

func kubectlCmd(ctx context.Context, kubectl, kc, context string, extra ...string) *exec.Cmd {
	args := append([]string{"--kubeconfig", kc, "--context", context, "--cache-dir", filepath.Join(filepath.Dir(kc), "kubectl-cache"),
		"get", "deploy,pods", "-A", "-o", "json"}, extra...)
	return exec.CommandContext(ctx, kubectl, args...)
}

// warmKubectl runs the baseline once per cluster untimed, so the timed runs
// find kubectl's discovery cache warm as a user's would be, then once more
// at -v=6 to count the requests a warm kubectl makes.
func warmKubectl(b *testing.B, kubectl, kc string) int {
	b.Helper()
	requests := 0
	re := regexp.MustCompile(`\b(GET|POST|PUT|PATCH|DELETE) https?://`)
	for _, side := range sandbox.Sides() {
		if out, err := kubectlCmd(b.Context(), kubectl, kc, side.Name).CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", kubectl, err, tail(out))
		}
		var stderr bytes.Buffer
		cmd := kubectlCmd(b.Context(), kubectl, kc, side.Name, "-v=6")
		cmd.Stdout, cmd.Stderr = io.Discard, &stderr
		if err := cmd.Run(); err != nil {
			b.Fatalf("%s -v=6: %v\n%s", kubectl, err, tail(stderr.Bytes()))
		}
		sc := bufio.NewScanner(&stderr)
		for sc.Scan() {
			if re.MatchString(sc.Text()) {
				requests++
			}
		}
	}
	return requests
}

// timeKubectl runs the baseline on both clusters, one after the other or at
// once, and returns the wall time and the bytes kubectl printed.
func timeKubectl(b *testing.B, kubectl, kc string, parallel bool) (time.Duration, int64) {
	b.Helper()
	var total atomic.Int64
	run := func(context string) error {
		var out countWriter
		cmd := kubectlCmd(b.Context(), kubectl, kc, context)
		var stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("kubectl --context %s: %w\n%s", context, err, tail(stderr.Bytes()))
		}
		total.Add(int64(out))
		return nil
	}
	start := time.Now()
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, side := range sandbox.Sides() {
		if parallel {
			wg.Go(func() { errs[i] = run(side.Name) })
		} else {
			errs[i] = run(side.Name)
		}
	}
	wg.Wait()
	d := time.Since(start)
	if err := errors.Join(errs...); err != nil {
		b.Fatal(err)
	}
	return d, total.Load()
}

type countWriter int64

func (w *countWriter) Write(p []byte) (int, error) { *w += countWriter(len(p)); return len(p), nil }

func tail(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	return strings.Join(lines[max(0, len(lines)-10):], "\n")
}

func mean(runs []benchRun) benchRun {
	var m benchRun
	for _, r := range runs {
		m.ferry += r.ferry
		m.synced += r.synced
		m.generation += r.generation
		m.requests.total += r.requests.total
		m.requests.watches += r.requests.watches
		m.requests.gets += r.requests.gets
		m.requests.other += r.requests.other
		m.kubectlSeq += r.kubectlSeq
		m.kubectlPar += r.kubectlPar
		m.kubectlBytes += r.kubectlBytes
		m.informers += r.informers
		m.rebuildCold += r.rebuildCold
		m.rebuildWarm += r.rebuildWarm
	}
	n := max(len(runs), 1)
	d := time.Duration(n)
	m.ferry, m.synced, m.kubectlSeq, m.kubectlPar = m.ferry/d, m.synced/d, m.kubectlSeq/d, m.kubectlPar/d
	m.informers, m.rebuildCold, m.rebuildWarm = m.informers/d, m.rebuildCold/d, m.rebuildWarm/d
	m.generation /= uint64(n)
	m.requests.total /= int64(n)
	m.requests.watches /= int64(n)
	m.requests.gets /= int64(n)
	m.requests.other /= int64(n)
	m.kubectlBytes /= int64(n)
	return m
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func printTable(w io.Writer, m benchRun, kubectl string, kubectlReqs, runs int) {
	r := func(d time.Duration) string { return fmt.Sprintf("%7.0f ms", ms(d)) }
	fmt.Fprintf(w, "\n%d Deployments (and %d pods) per cluster in %q, kops + eks; mean of %d run(s); kubectl is %s\n",
		benchDeployments, benchDeployments, benchNamespace, runs, kubectl)
	fmt.Fprintf(w, "  %-46s %s  %d API requests (%d watch, %d get, %d other)\n", "ferry inventory complete, both clusters", r(m.ferry),
		m.requests.total, m.requests.watches, m.requests.gets, m.requests.other)
	fmt.Fprintf(w, "  %-46s %s  (snapshot generation %d)\n", "  of which until WaitSynced", r(m.synced), m.generation)
	fmt.Fprintf(w, "  %-46s %s  %d API requests, %.1f MB of JSON\n", "2 × kubectl get deploy,pods -A -o json", r(m.kubectlSeq), kubectlReqs, float64(m.kubectlBytes)/1e6)
	fmt.Fprintf(w, "  %-46s %s\n", "  the same two at once", r(m.kubectlPar))
	fmt.Fprintf(w, "  where ferry's time goes: informers alone (12 kinds × 2 clusters) %s; rebuilding every pair %s with an empty pair cache, %s from a filled one\n",
		strings.TrimSpace(r(m.informers)), strings.TrimSpace(r(m.rebuildCold)), strings.TrimSpace(r(m.rebuildWarm)))
	goal := "met"
	if m.ferry >= 2*time.Second || m.ferry > m.kubectlSeq {
		goal = "NOT met"
	}
	fmt.Fprintf(w, "  goal (under 2 s, no slower than kubectl): %s; ferry takes %.2f× the time of the two kubectl runs, %.2f× of both at once\n\n",
		goal, float64(m.ferry)/float64(m.kubectlSeq), float64(m.ferry)/float64(m.kubectlPar))
}
