package tui

import (
	"context"
	"fmt"
	"time"

	"github.com/ferry-dev/ferry/engine/inventory"
	"github.com/ferry-dev/ferry/logs"
	"github.com/ferry-dev/ferry/tui/logview"
)

// fakeFeed is a log stream with canned lines from both sides in a real
// ring, as a *logs.Tail would hold them.
type fakeFeed struct {
	ring  *logs.Ring
	stats logs.Stats
}

func (f *fakeFeed) Ring() *logs.Ring               { return f.ring }
func (f *fakeFeed) Stats() logs.Stats              { return f.stats }
func (f *fakeFeed) Templates() *logs.TemplateStats { return nil }
func (f *fakeFeed) add(side, pod, text, level string, at time.Time) {
	f.ring.Add(logs.Line{Side: side, Namespace: "payments", Pod: pod, Container: "ledger", Time: at, Text: text, Level: level})
}

// withLogs gives the cockpit a log starter over a fake feed: ledger's two
// pods, one per side, the target one failing on its old-account queue.
func withLogs(c *Config) {
	c.Logs = func(_ context.Context, p inventory.Pair) (logview.Feed, error) {
		f := &fakeFeed{ring: logs.NewRing(100), stats: logs.Stats{Sides: []logs.SideStats{
			{Label: "KOPS", LinesPerSec: 2, Lines: 6, Live: 1},
			{Label: "EKS", LinesPerSec: 2, ErrorsPerSec: 0.5, Lines: 6, Errors: 2, Live: 1},
		}}}
		t0 := now.Add(-30 * time.Second)
		for i := range 6 {
			at := t0.Add(time.Duration(i) * 2 * time.Second)
			f.add("KOPS", "ledger-0", fmt.Sprintf("level=info msg=\"posted batch %d\" entries=%d", 100+i, 10*i), "info", at)
			if i%3 == 2 {
				f.add("EKS", "ledger-0", "level=error msg=\"AccessDenied on arn:aws:sqs:us-east-1:111111111111:ledger-events\"", "error", at.Add(time.Second))
				continue
			}
			f.add("EKS", "ledger-0", fmt.Sprintf("level=info msg=\"posted batch %d\" entries=%d", 100+i, 10*i), "info", at.Add(time.Second))
		}
		return f, nil
	}
}
