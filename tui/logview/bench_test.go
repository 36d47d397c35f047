package logview

import (
	"fmt"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/logs"
)

// BenchmarkView measures View with 1k and 100k held lines, an include
// regexp and a highlight active, at 160x48, and reports the median and
// p99 of single calls: the goal is p99 < 5 ms and the 100k figure within
// 1.5x of the 1k one, because drawing must cost what the screen holds.
func BenchmarkView(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("lines=%dk", n/1000), func(b *testing.B) {
			m := benchModel(b, n)
			for _, mode := range []string{"merged", "split"} {
				if mode == "split" {
					m = press(m, "s")
				}
				b.Run(mode, func(b *testing.B) { timeViews(b, m) })
			}
		})
	}
}

// timeViews times each View call on its own, for the percentiles.
func timeViews(b *testing.B, m Model) {
	times := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		_ = m.View()
		times = append(times, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)/2].Nanoseconds()), "p50-ns/view")
	b.ReportMetric(float64(times[min(len(times)*99/100, len(times)-1)].Nanoseconds()), "p99-ns/view")
}

// benchModel is a pane holding n lines of both sides, a third of them
// JSON, every tenth an error, with an include that keeps about half.
func benchModel(b *testing.B, n int) Model {
	feed := newFeed(n)
	for i := range n {
		side, pod := "KOPS", kopsPod
		if i%2 == 1 {
			side, pod = "EKS", eksPod
		}
		at := time.Duration(i) * time.Millisecond
		var l logs.Line
		switch {
		case i%10 == 9:
			l = jsonLine(side, at, pod, "error", "dial tcp 10.0.3.4:5432: connect: connection refused",
				map[string]string{"retry": fmt.Sprint(i)},
				fmt.Sprintf(`{"level":"error","msg":"dial tcp 10.0.3.4:5432: connect: connection refused","retry":%d}`, i))
		case i%3 == 0:
			l = jsonLine(side, at, pod, "info", "order created", map[string]string{"order_id": fmt.Sprint(i)},
				fmt.Sprintf(`{"level":"info","msg":"order created","order_id":%d,"http":{"method":"POST","status":201,"path":"/api/orders"}}`, i))
		default:
			l = plain(side, at, pod, fmt.Sprintf("GET /api/orders/%d 200 %dms user-agent=Mozilla/5.0 (X11; Linux x86_64) trace=%x", i, i%97, i*7919))
		}
		feed.ring.Add(l)
	}
	m := New(feed, Options{Title: "shop/checkout-api", Capacity: n,
		Source: SideStyle{Label: "KOPS"}, Target: SideStyle{Label: "EKS"}})
	m.SetSize(160, 48)
	m = tick(m)
	m.flt.Include = regexp.MustCompile(`orders/\d*[02468] |error`)
	m.flt.Highlight = regexp.MustCompile(`\b200\b|refused`)
	m.refilter()
	if got := len(m.buf.list(listAll)); got < n/3 {
		b.Fatalf("include kept %d of %d lines; the benchmark wants a busy filter", got, n)
	}
	return m
}
