package logs

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

// sandboxCommon are lines both clusters log (sandboxd's worker and http
// profiles); sandboxTarget are those only eks logs: the crash-loop's
// broker error and refund-worker's injected AccessDenied.
var (
	sandboxCommon = []struct{ level, tmpl string }{
		{"info", "INFO  [worker-{small}] processed message {uuid} in {ms}ms"},
		{"info", "INFO  [worker-{small}] acked receipt {hex}{hex}"},
		{"warn", "WARN  [worker-{small}] retrying job {n} (attempt {small}) in {ms}ms: throttled"},
		{"error", "ERROR [worker-{small}] job {n} failed after {ms}ms: ThrottlingException: Rate exceeded (RequestID {uuid})"},
		{"info", `{ip} - - [{nginxtime}] "POST /api/v1/carts/{hex}/items HTTP/1.1" {status} {n} "-" "python-requests/2.32.3" 0.0{ms}`},
	}
	sandboxTarget = []struct{ level, tmpl string }{
		{"error", `level=error msg="connect to broker failed" err="dial tcp 10.1.218.216:5672: connect: connection refused" attempt={small} backoff={ms}ms`},
		{"error", "ERROR publish refund {n} to https://sqs.us-east-1.amazonaws.com/111111111111/refunds failed: AccessDenied: cross-account access denied (request id {uuid})"},
	}
)

var t0 = time.Date(2025, 11, 25, 12, 0, 0, 0, time.UTC)

// feedSandbox adds n seconds of sandbox-like traffic from start: common
// lines on both sides, the target-only ones on the target at every k-th
// second (the broker error twice as often as the refund one).
func feedSandbox(s *TemplateStats, start time.Time, n int) {
	rng := rand.New(rand.NewPCG(3, 4))
	for sec := range n {
		at := start.Add(time.Duration(sec) * time.Second)
		for _, c := range sandboxCommon {
			s.Add(SideSource, c.level, fillSandbox(c.tmpl, rng), at, "")
			s.Add(SideTarget, c.level, fillSandbox(c.tmpl, rng), at, "")
		}
		for i, c := range sandboxTarget {
			if sec%(i+1) == 0 {
				s.Add(SideTarget, c.level, fillSandbox(c.tmpl, rng), at, "eks fulfillment-worker "+fillSandbox(c.tmpl, rng))
			}
		}
	}
}

func TestTemplateStatsReport(t *testing.T) {
	t.Parallel()
	s := NewTemplateStats(TemplateStatsOptions{})
	feedSandbox(s, t0, 60)
	got := s.Report(5*time.Minute, t0.Add(60*time.Second))
	if len(got) != 2 {
		t.Fatalf("Report: %d templates, want the 2 target-only ones: %+v", len(got), got)
	}
	broker, refund := got[0], got[1]
	if !strings.Contains(broker.Template, `msg="connect to broker failed" err="dial tcp <ip>: connect: connection refused" attempt=<n> backoff=<dur>`) {
		t.Errorf("first template = %q, want the broker error (most frequent)", broker.Template)
	}
	if want := "ERROR publish refund <n> to https://sqs.us-east-1.amazonaws.com/<n>/refunds failed: AccessDenied: cross-account access denied (request id <uuid>)"; refund.Template != want {
		t.Errorf("second template = %q, want %q", refund.Template, want)
	}
	if broker.Count != 60 || refund.Count != 30 {
		t.Errorf("counts = %d, %d, want 60, 30", broker.Count, refund.Count)
	}
	if !broker.First.Equal(t0) || !broker.Last.Equal(t0.Add(59*time.Second)) {
		t.Errorf("broker first/last = %v, %v, want %v, %v", broker.First, broker.Last, t0, t0.Add(59*time.Second))
	}
	if broker.Level != "error" || !strings.HasPrefix(refund.Example, "eks fulfillment-worker ERROR publish refund ") ||
		!strings.Contains(refund.Example, "/111111111111/") {
		t.Errorf("level %q, example %q: want error and a real line with its account id", broker.Level, refund.Example)
	}
}

func TestTemplateStatsWindow(t *testing.T) {
	t.Parallel()
	crash := `level=error msg="connect to broker failed" err="dial tcp 10.1.2.3:5672: connect: connection refused" attempt=1 backoff=200ms`
	tests := []struct {
		name      string
		sourceAt  []time.Duration // offsets from t0 of the same message on the source
		targetAt  []time.Duration
		now       time.Duration
		window    time.Duration
		wantCount int // 0: not reported
	}{
		{"target only", nil, []time.Duration{0, time.Minute}, 2 * time.Minute, 5 * time.Minute, 2},
		{"also on source", []time.Duration{30 * time.Second}, []time.Duration{time.Minute}, 2 * time.Minute, 5 * time.Minute, 0},
		{"target sightings expired", nil, []time.Duration{0}, 10 * time.Minute, 5 * time.Minute, 0},
		{"only recent ones counted", nil, []time.Duration{0, 8 * time.Minute, 9 * time.Minute}, 10 * time.Minute, 5 * time.Minute, 2},
		{"source sighting expired", []time.Duration{0}, []time.Duration{9 * time.Minute}, 10 * time.Minute, 5 * time.Minute, 1},
		{"source seen later than target", []time.Duration{9 * time.Minute}, []time.Duration{6 * time.Minute}, 10 * time.Minute, 5 * time.Minute, 0},
		{"out of order", nil, []time.Duration{9 * time.Minute, 6 * time.Minute, 7 * time.Minute}, 10 * time.Minute, 5 * time.Minute, 3},
		{"window cut to horizon", nil, []time.Duration{0, 2 * time.Hour}, 2 * time.Hour, 5 * time.Hour, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := NewTemplateStats(TemplateStatsOptions{})
			for _, d := range tt.sourceAt {
				s.Add(SideSource, "error", crash, t0.Add(d), "")
			}
			for _, d := range tt.targetAt {
				s.Add(SideTarget, "error", crash, t0.Add(d), "")
			}
			got := s.Report(tt.window, t0.Add(tt.now))
			count := 0
			if len(got) == 1 {
				count = got[0].Count
			}
			if len(got) > 1 || count != tt.wantCount {
				t.Errorf("Report = %+v, want count %d", got, tt.wantCount)
			}
		})
	}
}

func TestTemplateStatsLevels(t *testing.T) {
	t.Parallel()
	s := NewTemplateStats(TemplateStatsOptions{WarnAndAbove: true})
	for i, level := range []string{"debug", "INFO", "warn", "error", "", "fatal"} {
		s.Add(SideTarget, level, fmt.Sprintf("message %s %d", strings.Repeat("x", i+1), i), t0, "")
	}
	var levels []string
	for _, r := range s.Report(time.Minute, t0) {
		levels = append(levels, r.Level)
	}
	if got := strings.Join(levels, ","); len(levels) != 4 || strings.Contains(got, "debug") || strings.Contains(got, "INFO") {
		t.Errorf("levels reported = %q, want warn, error, unknown and fatal only", got)
	}
}

// TestTemplateStatsBounded: the table never holds more than MaxTemplates,
// and the least recently seen go first.
func TestTemplateStatsBounded(t *testing.T) {
	t.Parallel()
	s := NewTemplateStats(TemplateStatsOptions{MaxTemplates: 3})
	for _, w := range []string{"alpha", "bravo", "charlie", "alpha", "delta"} {
		s.Add(SideTarget, "error", w+" failed", t0, "")
	}
	var got []string
	for _, r := range s.Report(time.Minute, t0) {
		got = append(got, strings.TrimSuffix(r.Template, " failed"))
	}
	if strings.Join(got, ",") != "alpha,charlie,delta" {
		t.Errorf("kept %v, want alpha (seen twice), charlie and delta; bravo was least recent", got)
	}
	big := "\x1b]52;c;ZWNobyBoaQ==\x07" + strings.Repeat("é", 1<<16)
	s.Add(SideTarget, "error", big, t0, big)
	var r TargetOnly
	for _, x := range s.Report(time.Minute, t0) {
		if strings.Contains(x.Template, "é") {
			r = x
		}
	}
	if r.Template == "" || len(r.Template) > maxTemplateInput || len(r.Example) > maxExampleBytes || strings.ContainsRune(r.Example, 0x1b) {
		t.Errorf("huge line missing or kept as %d-byte template, %d-byte example (escape kept: %v)",
			len(r.Template), len(r.Example), strings.ContainsRune(r.Example, 0x1b))
	}
}

// TestTemplateStatsConcurrent is for -race: streams add from many
// goroutines while a reader reports, and the cap holds throughout.
func TestTemplateStatsConcurrent(t *testing.T) {
	t.Parallel()
	s := NewTemplateStats(TemplateStatsOptions{MaxTemplates: 50})
	var wg sync.WaitGroup
	for g := range 8 {
		side, name := Side(g%2), [2]string{"source", "target"}[g%2]
		wg.Go(func() {
			for i := range 500 {
				s.Add(side, "error", fmt.Sprintf("%s job %d kind%c failed", name, i, 'a'+i%26), t0.Add(time.Duration(i)*time.Millisecond), "")
				if i%100 == 0 {
					_ = s.Report(time.Minute, t0.Add(time.Second))
				}
			}
		})
	}
	wg.Wait()
	s.Add(SideTarget, "error", "last one", t0, "")
	got := s.Report(time.Minute, t0.Add(time.Second))
	s.mu.Lock()
	n, listed := len(s.entries), s.lru.Len()
	s.mu.Unlock()
	if len(got) == 0 || n > 50 || listed != n {
		t.Errorf("after concurrent adds: %d reported, %d tracked, %d in the LRU; want >= 1 and 50 at most, in step", len(got), n, listed)
	}
}
