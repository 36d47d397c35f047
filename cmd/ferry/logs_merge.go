package main

import (
	"slices"
	"time"

	"github.com/ferry-dev/ferry/logs"
)

// merger puts lines from many streams into timestamp order. Streams deliver
// their own lines in order but interleave with each other as the network
// pleases, so a line is held until it has waited window after arriving:
// any line from another stream that is older and still in flight arrives
// within that time and is printed first. Memory is bounded by window times
// the line rate.
type merger struct {
	window  time.Duration
	pending []heldLine // sorted by line time, oldest first
	scratch []heldLine
}

type heldLine struct {
	l       logs.Line
	arrived time.Time
}

// add takes one batch read from the ring.
func (m *merger) add(batch []logs.Line, now time.Time) {
	if len(batch) == 0 {
		return
	}
	in := make([]heldLine, len(batch))
	for i, l := range batch {
		in[i] = heldLine{l: l, arrived: now}
	}
	// Stable: lines of one stream with equal stamps keep their order.
	slices.SortStableFunc(in, func(a, b heldLine) int { return a.l.Time.Compare(b.l.Time) })
	if len(m.pending) == 0 || !in[0].l.Time.Before(m.pending[len(m.pending)-1].l.Time) {
		m.pending = append(m.pending, in...) // the common case in follow mode
		return
	}
	m.scratch = mergeHeld(m.scratch[:0], m.pending, in)
	m.pending, m.scratch = m.scratch, m.pending
}

// mergeHeld merges two sorted runs into dst; on equal times a (older
// arrivals) goes first.
func mergeHeld(dst, a, b []heldLine) []heldLine {
	for len(a) > 0 && len(b) > 0 {
		if b[0].l.Time.Before(a[0].l.Time) {
			dst, b = append(dst, b[0]), b[1:]
		} else {
			dst, a = append(dst, a[0]), a[1:]
		}
	}
	dst = append(dst, a...)
	return append(dst, b...)
}

// ready hands the lines that may be printed now to emit, in order: the
// oldest lines that have waited their window. With all set (the end of the
// run) every held line goes.
func (m *merger) ready(now time.Time, all bool, emit func(*logs.Line)) {
	cut := now.Add(-m.window)
	n := 0
	for n < len(m.pending) && (all || !m.pending[n].arrived.After(cut)) {
		emit(&m.pending[n].l)
		n++
	}
	if n == 0 {
		return
	}
	rest := copy(m.pending, m.pending[n:])
	clear(m.pending[rest:]) // let the printed lines' strings go
	m.pending = m.pending[:rest]
}

// held is how many lines wait.
func (m *merger) held() int { return len(m.pending) }
