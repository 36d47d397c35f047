package logs

import (
	"regexp"
	"sync"
)

// Ring is a fixed-capacity buffer of lines. At capacity the oldest line goes
// and Dropped counts it. Writers hold the lock only to copy one line in, so
// a slow reader never slows a stream. Safe for concurrent use.
type Ring struct {
	mu      sync.Mutex
	buf     []Line
	next    uint64 // Seq of the next line added
	changed chan struct{}
	// Lossless rings make writers wait instead of dropping (see
	// NewLosslessRing); consumed is how far the one reader has read.
	lossless bool
	consumed uint64
	lost     uint64 // lines a closed lossless ring overwrote unread
	closed   bool
	room     *sync.Cond
}

// NewRing returns a ring holding up to capacity lines (at least 1).
func NewRing(capacity int) *Ring {
	return &Ring{buf: make([]Line, max(capacity, 1)), changed: make(chan struct{}, 1)}
}

// NewLosslessRing returns a ring for a single reader that must see every
// line, such as `ferry logs` writing to a pipe: at capacity Add waits until
// the reader's Since has made room, so slow output slows the streams
// instead of losing lines. Close releases waiting writers for good.
func NewLosslessRing(capacity int) *Ring {
	r := NewRing(capacity)
	r.lossless = true
	r.room = sync.NewCond(&r.mu)
	return r
}

// Close ends a lossless ring's waiting: writers blocked in Add go on, and
// from now on the ring drops the oldest lines like any other.
func (r *Ring) Close() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	if r.room != nil {
		r.room.Broadcast()
	}
}

// Add appends a line, stamps its Seq and returns it.
func (r *Ring) Add(l Line) uint64 {
	r.mu.Lock()
	for r.lossless && !r.closed && r.next-r.consumed >= uint64(len(r.buf)) {
		r.room.Wait()
	}
	if r.lossless && r.next >= uint64(len(r.buf)) && r.next-uint64(len(r.buf)) >= r.consumed {
		r.lost++
	}
	l.Seq = r.next
	r.buf[r.next%uint64(len(r.buf))] = l
	r.next++
	r.mu.Unlock()
	select { // coalescing: one pending wake-up is enough
	case r.changed <- struct{}{}:
	default:
	}
	return l.Seq
}

// Changed receives after lines were added since the last receive.
func (r *Ring) Changed() <-chan struct{} { return r.changed }

// oldest is the Seq of the oldest buffered line; call with mu held.
func (r *Ring) oldest() uint64 {
	if r.next > uint64(len(r.buf)) {
		return r.next - uint64(len(r.buf))
	}
	return 0
}

// Since returns the buffered lines with Seq >= seq in order, the seq to ask
// for next time, and how many lines after seq were dropped before the
// reader got to them.
func (r *Ring) Since(seq uint64) (lines []Line, next uint64, dropped uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if old := r.oldest(); seq < old {
		dropped, seq = old-seq, old
	}
	if r.lossless && r.next > r.consumed {
		// Everything up to next is copied out below: room for writers.
		r.consumed = r.next
		r.room.Broadcast()
	}
	if seq >= r.next {
		return nil, r.next, dropped
	}
	lines = make([]Line, 0, r.next-seq)
	for s := seq; s < r.next; s++ {
		lines = append(lines, r.buf[s%uint64(len(r.buf))])
	}
	return lines, r.next, dropped
}

// Dropped is how many lines the ring has discarded since it was made
// (a lossless ring: discarded unread, which only happens once closed).
func (r *Ring) Dropped() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.lossless {
		return r.lost
	}
	return r.oldest()
}

// Len is how many lines are buffered.
func (r *Ring) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return int(r.next - r.oldest())
}

// Filter holds the three regex controls. Nil fields are off.
type Filter struct {
	Include   *regexp.Regexp // keep only lines matching
	Exclude   *regexp.Regexp // drop lines matching
	Highlight *regexp.Regexp // mark matches; never hides a line
}

// Match reports whether a line passes Include and Exclude.
func (f Filter) Match(l Line) bool {
	if f.Include != nil && !f.Include.MatchString(l.Text) {
		return false
	}
	return f.Exclude == nil || !f.Exclude.MatchString(l.Text)
}

// Highlights returns the byte ranges of l.Text that Highlight matches.
func (f Filter) Highlights(l Line) [][]int {
	if f.Highlight == nil {
		return nil
	}
	return f.Highlight.FindAllStringIndex(l.Text, -1)
}

// Filter returns every buffered line f matches — the whole buffer, not a
// visible tail (k9s #3364) — so a new filter shows all that is still held.
func (r *Ring) Filter(f Filter) []Line {
	all, _, _ := r.Since(0)
	out := all[:0]
	for _, l := range all {
		if f.Match(l) {
			out = append(out, l)
		}
	}
	return out
}
