package logscli

import (
	"slices"
	"time"

	"github.com/ferry-dev/ferry/logs"
)

// merger puts lines from many streams into timestamp order. Streams deliver
// their own lines in order but interleave with each other as the network
// pleases. Each batch read from the ring waits window after arriving; then
// its lines are printed together with every held line that is not newer
// than its newest, in time order. So no line waits longer than window,
// lines that arrive within window of each other print in order, and what
// is held is bounded by window times the line rate. Lines are held by
// pointer into the batches the ring returned, so sorting and merging move
// 8 bytes a line, not the line.
type merger struct {
	window  time.Duration
	pending []*logs.Line // sorted by time, oldest first, from head on
	head    int
	scratch []*logs.Line
	batches []batchMark // arrival order
}

// batchMark is one batch's arrival and its newest line's time.
type batchMark struct {
	arrived, newest time.Time
}

// add takes one batch read from the ring.
func (m *merger) add(batch []logs.Line, now time.Time) {
	if len(batch) == 0 {
		return
	}
	in := make([]*logs.Line, len(batch))
	mark := batchMark{arrived: now}
	for i := range batch {
		in[i] = &batch[i]
		if batch[i].Time.After(mark.newest) {
			mark.newest = batch[i].Time
		}
	}
	m.batches = append(m.batches, mark)
	// Stable: lines of one stream with equal stamps keep their order.
	slices.SortStableFunc(in, func(a, b *logs.Line) int { return a.Time.Compare(b.Time) })
	held := m.pending[m.head:]
	if len(held) == 0 || !in[0].Time.Before(held[len(held)-1].Time) {
		m.pending = append(m.pending, in...) // the common case when following
		return
	}
	m.scratch = mergeHeld(m.scratch[:0], held, in)
	clear(m.pending)
	m.pending, m.scratch, m.head = m.scratch, m.pending[:0], 0
}

// mergeHeld merges two sorted runs into dst; on equal times a (older
// arrivals) goes first.
func mergeHeld(dst, a, b []*logs.Line) []*logs.Line {
	for len(a) > 0 && len(b) > 0 {
		if b[0].Time.Before(a[0].Time) {
			dst, b = append(dst, b[0]), b[1:]
		} else {
			dst, a = append(dst, a[0]), a[1:]
		}
	}
	dst = append(dst, a...)
	return append(dst, b...)
}

// ready hands the lines that may be printed now to emit, in order. With
// all set (the end of the run) every held line goes.
func (m *merger) ready(now time.Time, all bool, emit func(*logs.Line)) {
	cut := now.Add(-m.window)
	var upTo time.Time
	aged := 0
	for aged < len(m.batches) && (all || !m.batches[aged].arrived.After(cut)) {
		if m.batches[aged].newest.After(upTo) {
			upTo = m.batches[aged].newest
		}
		aged++
	}
	if aged == 0 {
		return
	}
	m.batches = append(m.batches[:0], m.batches[aged:]...)
	for m.head < len(m.pending) && (all || !m.pending[m.head].Time.After(upTo)) {
		emit(m.pending[m.head])
		m.pending[m.head] = nil // let the printed line go
		m.head++
	}
	if m.head == len(m.pending) {
		m.pending, m.head = m.pending[:0], 0
	} else if m.head > len(m.pending)/2 { // compact now and then, not per call
		n := copy(m.pending, m.pending[m.head:])
		clear(m.pending[n:])
		m.pending, m.head = m.pending[:n], 0
	}
}

// held is how many lines wait.
func (m *merger) held() int { return len(m.pending) - m.head }
