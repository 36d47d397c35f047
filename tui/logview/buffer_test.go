package logview

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/ferry-dev/ferry/logs"
)

func sideOfTest(label string) int {
	if label == "EKS" {
		return 1
	}
	return 0
}

// TestBufferIncrementalEqualsFull feeds batches from two streams whose
// clocks interleave, with a filter on and a small capacity, and checks
// after every batch that the buffer is in time order and its lists are
// what a full refilter gives.
func TestBufferIncrementalEqualsFull(t *testing.T) {
	t.Parallel()
	f := logs.Filter{Include: regexp.MustCompile(`[02468]$`), Exclude: regexp.MustCompile(`^x`)}
	for _, capacity := range []int{1, 7, 50, 1000} {
		t.Run(fmt.Sprint(capacity), func(t *testing.T) {
			t.Parallel()
			r := rand.New(rand.NewPCG(1, uint64(capacity)))
			b := newBuffer(capacity)
			var clock [2]time.Duration
			for batch := range 60 {
				var lines []logs.Line
				for range r.IntN(30) {
					s := r.IntN(2)
					clock[s] += time.Duration(r.IntN(50)) * time.Millisecond
					at := clock[s]
					if r.IntN(20) == 0 { // a reconnected stream's late line
						at -= time.Duration(r.IntN(2000)) * time.Millisecond
					}
					lines = append(lines, logs.Line{Side: []string{"KOPS", "EKS"}[s], Time: t0.Add(at),
						Text: fmt.Sprintf("b%d %d", batch, r.IntN(100))})
				}
				b.ingest(lines, f, sideOfTest)
				checkBuffer(t, b, f, capacity)
			}
		})
	}
}

func checkBuffer(t *testing.T, b *buffer, f logs.Filter, capacity int) {
	t.Helper()
	if b.len() > capacity {
		t.Fatalf("holds %d lines, capacity %d", b.len(), capacity)
	}
	if !slices.IsSortedFunc(b.ents, func(x, y entry) int { return x.Time.Compare(y.Time) }) {
		t.Fatal("buffer out of time order")
	}
	got := b.lists
	want := newBuffer(capacity)
	want.ents, want.base = slices.Clone(b.ents), b.base
	want.refilter(f)
	for k := range got {
		if !slices.Equal(got[k], want.lists[k]) {
			t.Fatalf("list %d: incremental %v, full %v", k, got[k], want.lists[k])
		}
	}
}

func TestBufferRelocate(t *testing.T) {
	t.Parallel()
	b := newBuffer(100)
	var lines []logs.Line
	for i := range 10 {
		lines = append(lines, logs.Line{Side: "KOPS", Time: t0.Add(time.Duration(i) * time.Second), Text: fmt.Sprint(i)})
	}
	b.ingest(lines, logs.Filter{}, sideOfTest)
	a := b.anchorOf(listAll, 5) // the line "5"
	moved, _ := b.ingest([]logs.Line{{Side: "EKS", Time: t0.Add(2500 * time.Millisecond), Text: "late"}},
		logs.Filter{}, sideOfTest)
	a = b.relocate(a, moved)
	if got := b.at(a.pos).Text; got != "5" {
		t.Fatalf("relocated anchor points at %q, want 5", got)
	}
	if got := b.at(moved).Text; got != "late" {
		t.Fatalf("the late line went to %q's place", got)
	}
}

func TestCutWidth(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in         string
		w          int
		head, rest string
		hw         int
	}{
		{"hello world", 5, "hello", " world", 5},
		{"hi", 5, "hi", "", 2},
		{"日本語テキスト", 5, "日本", "語テキスト", 4},
		{"héllo", 3, "hél", "lo", 3},
		{"日", 1, "日", "", 2}, // overflows rather than never progressing
		{"abc", 0, "", "abc", 0},
	}
	for _, c := range cases {
		head, rest, hw := cutWidth(c.in, c.w)
		if head != c.head || rest != c.rest || hw != c.hw {
			t.Errorf("cutWidth(%q, %d) = %q, %q, %d; want %q, %q, %d", c.in, c.w, head, rest, hw, c.head, c.rest, c.hw)
		}
	}
}

func TestWrapCutBreaksBetweenWords(t *testing.T) {
	t.Parallel()
	head, rest, hw := wrapCut("connect: connection refused by peer", 24)
	if head != "connect: connection " || rest != "refused by peer" || hw != 20 {
		t.Errorf("wrapCut = %q, %q, %d", head, rest, hw)
	}
	head, _, _ = wrapCut(`{"level":"error","msg":"x"}`, 10)
	if head != `{"level":"` {
		t.Errorf("a token without spaces should be cut hard: %q", head)
	}
}

func TestDisplayText(t *testing.T) {
	t.Parallel()
	if got := displayText("\x1b[31mred\x1b[0m\tafter"); got != "red    after" {
		t.Errorf("displayText = %q", got)
	}
}

func TestTemplateLinesMatchTheLibrary(t *testing.T) {
	t.Parallel()
	m, feed := newTestModel(t, 80, 24, nil)
	for _, r := range feed.tmpl.Report(TemplateWindow, now) {
		got := m.templateLines(r.Template)
		if len(got) != r.Count {
			t.Errorf("%q: %d lines, report counts %d", r.Template, len(got), r.Count)
		}
	}
}

// TestFieldsOfUnparsed: a Tail that did not fill Fields still gets its
// JSON shown, sanitized, nested keys dotted.
func TestFieldsOfUnparsed(t *testing.T) {
	t.Parallel()
	l := logs.Line{JSON: true, Text: `{"level":"warn","msg":"slow \u001b[2Jquery","db":{"ms":812.5},"tags":["a","b"],"ok":false}`}
	got := fieldsOf(l)
	want := map[string]string{"level": "warn", "msg": "slow query", "db.ms": "812.5", "tags": `["a","b"]`, "ok": "false"}
	if len(got) != len(want) {
		t.Fatalf("fieldsOf = %v", got)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
}
