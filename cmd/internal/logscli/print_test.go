package logscli

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/logs"
)

func at(sec int) time.Time { return time.Date(2026, 1, 1, 0, 0, sec, 0, time.UTC) }

// TestMergerOrders: batches from interleaved streams come out in time
// order; a batch waits its window, then goes with every held line not
// newer than its newest; the end of the run prints what is left.
func TestMergerOrders(t *testing.T) {
	t.Parallel()
	m := &merger{window: time.Second}
	t0 := time.Now()
	var got []string
	emit := func(l *logs.Line) { got = append(got, l.Text) }
	m.add([]logs.Line{{Text: "a3", Time: at(3)}, {Text: "b1", Time: at(1)}, {Text: "a5", Time: at(5)}}, t0)
	m.add([]logs.Line{{Text: "b2", Time: at(2)}, {Text: "b6", Time: at(6)}}, t0.Add(500*time.Millisecond))
	m.ready(t0.Add(900*time.Millisecond), false, emit)
	if len(got) != 0 {
		t.Fatalf("printed %v before the window passed", got)
	}
	m.ready(t0.Add(time.Second), false, emit)
	// The first batch has aged: it goes, and b2 (older than its a5) with
	// it; b6 is newer and waits for its own batch.
	if strings.Join(got, ",") != "b1,b2,a3,a5" || m.held() != 1 {
		t.Fatalf("after the first window: %v (held %d), want b1,b2,a3,a5", got, m.held())
	}
	m.ready(t0.Add(1500*time.Millisecond), false, emit)
	if strings.Join(got, ",") != "b1,b2,a3,a5,b6" || m.held() != 0 {
		t.Fatalf("got %v (held %d)", got, m.held())
	}
	m.add([]logs.Line{{Text: "late", Time: at(0)}}, t0.Add(2*time.Second))
	m.ready(t0.Add(2*time.Second), true, emit)
	if got[len(got)-1] != "late" || m.held() != 0 {
		t.Errorf("the end of the run prints every held line: %v", got)
	}
}

// TestMergerBounded: a drain where every batch is older than what is held
// (many streams' histories) still prints each batch one window after it
// came, so what is held stays within a window's worth of lines.
func TestMergerBounded(t *testing.T) {
	t.Parallel()
	m := &merger{window: 100 * time.Millisecond}
	t0 := time.Now()
	printed := 0
	for i := range 100 {
		now := t0.Add(time.Duration(i) * 10 * time.Millisecond)
		// Stream A is far ahead in its history; stream B's lines are
		// always older than everything A delivered.
		m.add([]logs.Line{{Time: at(1000 + i)}, {Time: at(i)}}, now)
		m.ready(now, false, func(*logs.Line) { printed++ })
		if m.held() > 2*11 {
			t.Fatalf("after %d batches %d lines held; want at most a window's worth", i+1, m.held())
		}
	}
	if printed < 2*(100-11) {
		t.Errorf("printed %d of 200 lines", printed)
	}
}

func TestLinePrinter(t *testing.T) {
	t.Parallel()
	l := &logs.Line{Side: "EKS", Namespace: "shop", Pod: "web-1", Container: "app", Time: at(7),
		Text: `{"level":"error","msg":"boom"}`, Level: "error", Msg: "boom", JSON: true, Fields: map[string]string{"level": "error", "msg": "boom"}}
	cases := []struct {
		name string
		o    logsOptions
		want string
	}{
		{"plain", logsOptions{output: "text"}, "EKS  web-1 app {\"level\":\"error\",\"msg\":\"boom\"}\n"},
		{"timestamps and namespace", logsOptions{output: "text", timestamps: true, multiNamespace: true},
			"2026-01-01T00:00:07.000Z EKS  shop/web-1 app {\"level\":\"error\",\"msg\":\"boom\"}\n"},
		{"excluded", logsOptions{output: "text", filter: logs.Filter{Exclude: regexp.MustCompile("boom")}}, ""},
		{"colour", logsOptions{output: "text", colorOn: true, filter: logs.Filter{Highlight: regexp.MustCompile("boom")}},
			"\x1b[1;38;2;255;135;0mEKS \x1b[0m " + podColor("web-1") + "web-1\x1b[0m \x1b[2mapp\x1b[0m \x1b[31m{\"level\":\"error\",\"msg\":\"\x1b[7mboom\x1b[27m\"}\x1b[0m\n"},
	}
	for _, c := range cases {
		var buf bytes.Buffer
		p := newLinePrinter(&buf, c.o, map[string]string{"EKS": "#ff8700"})
		p.pad = padLabels([]string{"KOPS", "EKS"})
		if err := p.print(l); err != nil {
			t.Fatal(err)
		}
		p.flush()
		if buf.String() != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, buf.String(), c.want)
		}
	}
	var buf bytes.Buffer
	p := newLinePrinter(&buf, logsOptions{output: "json"}, nil)
	p.print(l)
	p.flush()
	var j JSONLine
	if err := json.Unmarshal(buf.Bytes(), &j); err != nil || j.Side != "EKS" || j.Level != "error" || j.Fields["msg"] != "boom" || !j.Time.Equal(at(7)) {
		t.Errorf("json line %q: %v %+v", buf.String(), err, j)
	}
}
