package logs

import (
	"fmt"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"
)

func TestRingWrapSinceDropped(t *testing.T) {
	t.Parallel()
	r := NewRing(3)
	for i := range 5 {
		r.Add(Line{Text: fmt.Sprint(i)})
	}
	lines, next, dropped := r.Since(0)
	if got := texts(lines); got != "2,3,4" || next != 5 || dropped != 2 {
		t.Errorf("Since(0) = %s next %d dropped %d, want 2,3,4 5 2", got, next, dropped)
	}
	if r.Dropped() != 2 || r.Len() != 3 {
		t.Errorf("Dropped %d Len %d", r.Dropped(), r.Len())
	}
	lines, next, dropped = r.Since(3)
	if got := texts(lines); got != "3,4" || next != 5 || dropped != 0 {
		t.Errorf("Since(3) = %s %d %d", got, next, dropped)
	}
	if lines, next, _ := r.Since(5); len(lines) != 0 || next != 5 {
		t.Errorf("Since(next) = %v %d, want nothing", lines, next)
	}
	for i := 5; i < 9; i++ { // wrap again past a reader's position
		r.Add(Line{Text: fmt.Sprint(i)})
	}
	lines, next, dropped = r.Since(5)
	if got := texts(lines); got != "6,7,8" || next != 9 || dropped != 1 {
		t.Errorf("Since(5) after wrap = %s %d %d", got, next, dropped)
	}
}

func texts(ls []Line) string {
	s := ""
	for i, l := range ls {
		if i > 0 {
			s += ","
		}
		s += l.Text
	}
	return s
}

func TestRingConcurrent(t *testing.T) {
	t.Parallel()
	r := NewRing(100)
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			for i := range 500 {
				r.Add(Line{Pod: fmt.Sprint(w), Text: fmt.Sprint(i)})
			}
		})
	}
	stop := make(chan struct{})
	var seen uint64
	go func() { // a reader pulling while writers write
		var next uint64
		for {
			select {
			case <-stop:
				return
			case <-r.Changed():
				ls, n, d := r.Since(next)
				seen += uint64(len(ls)) + d
				next = n
			}
		}
	}()
	wg.Wait()
	close(stop)
	ls, next, dropped := r.Since(0)
	if next != 4000 || dropped != 3900 || len(ls) != 100 {
		t.Errorf("next %d dropped %d len %d", next, dropped, len(ls))
	}
	for i := 1; i < len(ls); i++ {
		if ls[i].Seq != ls[i-1].Seq+1 {
			t.Fatalf("seq gap %d -> %d", ls[i-1].Seq, ls[i].Seq)
		}
	}
}

func TestFilterAllBuffered(t *testing.T) {
	t.Parallel()
	r := NewRing(1000)
	for i := range 1000 {
		lvl := "info"
		if i%100 == 0 {
			lvl = "error"
		}
		r.Add(Line{Text: fmt.Sprintf("%s line %d", lvl, i)})
	}
	f := Filter{Include: regexp.MustCompile(`^error`), Exclude: regexp.MustCompile(`line 500$`), Highlight: regexp.MustCompile(`\d+`)}
	got := r.Filter(f)
	if len(got) != 9 || got[0].Text != "error line 0" { // the oldest match, far outside any tail
		t.Fatalf("Filter = %d lines, first %q; want 9 from line 0", len(got), got[0].Text)
	}
	if h := f.Highlights(got[1]); len(h) != 1 || got[1].Text[h[0][0]:h[0][1]] != "100" {
		t.Errorf("Highlights = %v", h)
	}
	if all := r.Filter(Filter{}); len(all) != 1000 {
		t.Errorf("empty filter kept %d of 1000", len(all))
	}
}

func TestRate(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	r := newRate(10*time.Second, func() time.Time { return now })
	for range 10 {
		r.add(5) // 50 lines in second 1000
		now = now.Add(100 * time.Millisecond)
	}
	// second 1001 now; 1000 is complete: 50 lines over a 10 s window.
	if got := r.perSecond(); got != 5 {
		t.Errorf("rate = %v, want 5", got)
	}
	now = now.Add(10 * time.Second) // second 1000 left the window
	if got := r.perSecond(); got != 0 {
		t.Errorf("rate after window = %v, want 0", got)
	}
	r.add(1)
	now = now.Add(time.Second)
	if got, total := r.perSecond(), r.count(); got != 0.1 || total != 51 {
		t.Errorf("rate %v total %d, want 0.1 51", got, total)
	}
}

func TestResumeDedupe(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 1, 1, 0, 0, 5, 0, time.UTC)
	at := func(ns int) time.Time { return t0.Add(time.Duration(ns)) }
	var r resume
	// First connection: two identical lines at the same instant are both real.
	for _, in := range []struct {
		ns   int
		text string
	}{{1, "a"}, {2, "b"}, {2, "b"}, {2, "c"}} {
		if !r.admit(at(in.ns), []byte(in.text)) {
			t.Fatalf("first pass dropped %v", in)
		}
	}
	r.rewind()
	// The server replays from the second (SinceTime rounds down), then new lines.
	var got []string
	for _, in := range []struct {
		ns   int
		text string
	}{{0, "old"}, {1, "a"}, {2, "b"}, {2, "b"}, {2, "c"}, {2, "d"}, {2, "b"}, {3, "e"}} {
		if r.admit(at(in.ns), []byte(in.text)) {
			got = append(got, in.text)
		}
	}
	if fmt.Sprint(got) != "[d b e]" {
		t.Errorf("after resume delivered %v, want [d b e]", got)
	}
}

// TestLosslessRingWaits: a writer at capacity waits for the reader instead
// of dropping, so every line arrives; Close releases a blocked writer.
func TestLosslessRingWaits(t *testing.T) {
	t.Parallel()
	r := NewLosslessRing(4)
	const n = 1000
	go func() {
		for i := range n {
			r.Add(Line{Text: strconv.Itoa(i)})
		}
	}()
	var got []Line
	var next uint64
	for len(got) < n {
		lines, nx, dropped := r.Since(next)
		if dropped != 0 {
			t.Fatalf("dropped %d lines", dropped)
		}
		got, next = append(got, lines...), nx
		time.Sleep(time.Microsecond)
	}
	for i, l := range got {
		if l.Text != strconv.Itoa(i) {
			t.Fatalf("line %d is %q", i, l.Text)
		}
	}
	if r.Dropped() != 0 {
		t.Errorf("Dropped() = %d", r.Dropped())
	}

	full := NewLosslessRing(1)
	full.Add(Line{Text: "a"})
	done := make(chan struct{})
	go func() { full.Add(Line{Text: "b"}); close(done) }()
	select {
	case <-done:
		t.Fatal("Add did not wait at capacity")
	case <-time.After(50 * time.Millisecond):
	}
	full.Close()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not release the writer")
	}
}
