package logview

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ferry-dev/ferry/logs"
)

// t0 is when the fixture's logs start; now is pinned ten minutes later.
var (
	t0  = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	now = t0.Add(10 * time.Minute)
)

// fakeFeed is a Feed over a real ring, with stats a test sets.
type fakeFeed struct {
	ring  *logs.Ring
	tmpl  *logs.TemplateStats
	mu    sync.Mutex
	stats logs.Stats
}

func (f *fakeFeed) Ring() *logs.Ring               { return f.ring }
func (f *fakeFeed) Templates() *logs.TemplateStats { return f.tmpl }

func (f *fakeFeed) Stats() logs.Stats {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stats
}

// add puts lines into the ring and the templates table the way a Tail
// does: the message of a JSON line, else its text.
func (f *fakeFeed) add(lines ...logs.Line) {
	for _, l := range lines {
		f.ring.Add(l)
		if f.tmpl == nil {
			continue
		}
		side, msg := logs.SideSource, l.Msg
		if l.Side == "EKS" {
			side = logs.SideTarget
		}
		if msg == "" {
			msg = l.Text
		}
		f.tmpl.Add(side, l.Level, msg, l.Time, l.Text)
	}
}

func newFeed(capacity int) *fakeFeed {
	return &fakeFeed{
		ring: logs.NewRing(capacity),
		tmpl: logs.NewTemplateStats(logs.TemplateStatsOptions{}),
		stats: logs.Stats{Sides: []logs.SideStats{
			{Label: "KOPS", LinesPerSec: 12.5, Lines: 7500, Live: 3},
			{Label: "EKS", LinesPerSec: 11.2, ErrorsPerSec: 0.8, Lines: 6720, Errors: 480,
				Live: 2, Reconnecting: 1},
		}},
	}
}

// plain is a plain-text line.
func plain(side string, at time.Duration, pod, text string) logs.Line {
	return logs.Line{Side: side, Namespace: "shop", Pod: pod, Container: "app", Time: t0.Add(at), Text: text}
}

// jsonLine is a structured line, parsed the way the library parses one.
func jsonLine(side string, at time.Duration, pod, level, msg string, fields map[string]string, text string) logs.Line {
	l := plain(side, at, pod, text)
	l.JSON, l.Level, l.Msg = true, level, msg
	l.Fields = map[string]string{"level": level, "msg": msg}
	for k, v := range fields {
		l.Fields[k] = v
	}
	return l
}

const (
	kopsPod = "checkout-api-5f7c9d8b4-q7w2e"
	eksPod  = "checkout-api-7d9f8b6c5-x2x9z"
)

// fixture is a few seconds of checkout-api on both clusters: the same
// traffic on each, and on EKS a database it cannot reach and an SQS queue
// still named by the old account. Each side's lines come in their own
// time order, the sides interleaved out of order, as streams deliver.
func fixture() []logs.Line {
	var src, dst []logs.Line
	for i := range 12 {
		at := time.Duration(i) * 700 * time.Millisecond
		id := 1040 + i
		src = append(src, plain("KOPS", at, kopsPod,
			fmt.Sprintf("GET /api/orders/%d 200 %dms", id, 10+i)))
		dst = append(dst, plain("EKS", at+150*time.Millisecond, eksPod,
			fmt.Sprintf("GET /api/orders/%d 200 %dms", id, 14+i)))
		if i%4 == 1 {
			src = append(src, jsonLine("KOPS", at+300*time.Millisecond, kopsPod, "info", "order created",
				map[string]string{"order_id": fmt.Sprint(id), "http.method": "POST", "http.status": "201"},
				fmt.Sprintf(`{"level":"info","msg":"order created","order_id":%d,"http":{"method":"POST","status":201}}`, id)))
		}
		if i%3 == 2 {
			dst = append(dst, jsonLine("EKS", at+400*time.Millisecond, eksPod, "error",
				"dial tcp 10.0.3.4:5432: connect: connection refused",
				map[string]string{"db.host": "orders-db.shop.svc", "db.port": "5432", "retry": fmt.Sprint(i / 3)},
				`{"level":"error","msg":"dial tcp 10.0.3.4:5432: connect: connection refused","db":{"host":"orders-db.shop.svc","port":5432},"retry":`+fmt.Sprint(i/3)+`}`))
		}
	}
	dst = append(dst, plain("EKS", 8*time.Second, eksPod,
		"level=error msg=\"AccessDenied: not authorized to perform sqs:SendMessage on arn:aws:sqs:us-east-1:111122223333:refunds\""))
	dst[len(dst)-1].Level = "error"
	// Interleave in chunks, as two streams would: the ring is in arrival
	// order, not time order.
	var out []logs.Line
	for len(src) > 0 || len(dst) > 0 {
		n, k := min(3, len(src)), min(4, len(dst))
		out = append(out, dst[:k]...)
		out = append(out, src[:n]...)
		src, dst = src[n:], dst[k:]
	}
	return out
}

// newTestModel is a pane at w x h over a feed holding the fixture, after
// its first tick.
func newTestModel(t testing.TB, w, h int, mod func(*Options)) (Model, *fakeFeed) {
	t.Helper()
	feed := newFeed(10_000)
	feed.add(fixture()...)
	opts := Options{
		Title:  "shop/checkout-api",
		Source: SideStyle{Label: "KOPS", Color: "208"},
		Target: SideStyle{Label: "EKS", Color: "#33aaff"},
		Now:    func() time.Time { return now },
	}
	if mod != nil {
		mod(&opts)
	}
	m := New(feed, opts)
	m.SetSize(w, h)
	return tick(m), feed
}

// tick delivers the pane's own tick, as the program would.
func tick(m Model) Model {
	m, _ = m.Update(tickMsg{id: m.id, at: now})
	return m
}

// press sends keys by their names ("s", "space", "ctrl+s", ...).
func press(m Model, keys ...string) Model {
	for _, k := range keys {
		m, _ = m.Update(keyMsg(k))
	}
	return m
}

// typeText types s into whatever has focus.
func typeText(m Model, s string) Model {
	for _, r := range s {
		m, _ = m.Update(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
	return m
}

func keyMsg(k string) tea.KeyPressMsg {
	special := map[string]rune{"space": tea.KeySpace, "enter": tea.KeyEnter, "esc": tea.KeyEscape,
		"up": tea.KeyUp, "down": tea.KeyDown, "pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown,
		"tab": tea.KeyTab, "backspace": tea.KeyBackspace, "home": tea.KeyHome, "end": tea.KeyEnd,
		"left": tea.KeyLeft, "right": tea.KeyRight, "delete": tea.KeyDelete}
	if c, ok := special[k]; ok {
		return tea.KeyPressMsg{Code: c}
	}
	if rest, ok := strings.CutPrefix(k, "ctrl+"); ok {
		return tea.KeyPressMsg{Code: rune(rest[0]), Mod: tea.ModCtrl}
	}
	return tea.KeyPressMsg{Code: rune(k[0]), Text: k}
}

// checkFrame asserts the pane's contract: exactly h rows, none wider than
// w. It returns the screen with escape sequences stripped.
func checkFrame(t *testing.T, view string, w, h int) string {
	t.Helper()
	rows := strings.Split(view, "\n")
	if len(rows) != h {
		t.Errorf("view has %d rows, want %d", len(rows), h)
	}
	for i, r := range rows {
		if got := ansi.StringWidth(r); got > w {
			t.Errorf("row %d is %d cells wide, want <= %d: %q", i, got, w, ansi.Strip(r))
		}
	}
	return ansi.Strip(view)
}

func checkStrip(s string) string { return ansi.Strip(s) }
