package logview

import (
	"slices"
	"sort"
	"time"

	"github.com/ferry-dev/ferry/logs"
)

// The pane's three lists: every matching line in time order, and each
// side's matching lines for the split layout.
const (
	listAll = iota
	listSource
	listTarget
)

// entry is one line as the pane holds it, or a marker (Mark) between
// the lines.
type entry struct {
	logs.Line
	id     uint64 // arrival order; stays with the line while positions shift
	side   int    // 0 source, 1 target
	match  bool   // passes the current filter, decided once per filter
	marker bool   // a marker: in every list, whatever the filter
}

// anchor pins a line across ingests: pos is where it was, id finds it
// again after lines were merged in before it.
type anchor struct {
	pos int64
	id  uint64
}

// buffer keeps up to capacity lines ordered by Line.Time, with the
// positions of the lines that pass the filter per list. Positions are
// absolute (base counts evictions), so evicting the oldest never moves
// the others; only a late line merged in before them shifts them by one.
type buffer struct {
	capacity int
	ents     []entry // ents[i] is at position base+i
	base     int64
	lists    [3][]int64 // positions of matching entries, ascending
	nextID   uint64
	evicted  uint64 // lines dropped at capacity
	scratch  []entry
	marked   map[markerKey]struct{} // every marker added, so none is added twice
	markers  int                    // markers held, in every list: not lines to count
}

func newBuffer(capacity int) *buffer {
	return &buffer{capacity: max(capacity, 1), marked: map[markerKey]struct{}{}}
}

func (b *buffer) len() int             { return len(b.ents) }
func (b *buffer) list(k int) []int64   { return b.lists[k] }
func (b *buffer) at(pos int64) *entry  { return &b.ents[pos-b.base] }
func (b *buffer) end() int64           { return b.base + int64(len(b.ents)) }
func (b *buffer) item(k, i int) *entry { return b.at(b.lists[k][i]) }
func (b *buffer) anchorOf(k, i int) anchor {
	p := b.lists[k][i]
	return anchor{pos: p, id: b.at(p).id}
}

// ingest merges a batch from the ring and returns the position from which
// entries moved (anchors at or after it must be relocated) and how many
// of the new lines match. Lines arrive in time order per stream but not
// across streams, so the batch is sorted and merged with the buffer's
// tail from the first place it reaches: usually the very end.
func (b *buffer) ingest(batch []logs.Line, f logs.Filter, sideOf func(string) int) (moved int64, matched int) {
	add := make([]entry, len(batch))
	for i, l := range batch {
		add[i] = entry{Line: l, side: sideOf(l.Side), match: f.Match(l)}
		if add[i].match {
			matched++
		}
	}
	return b.insert(add), matched
}

// insert merges entries in time order and returns the position from
// which entries moved.
func (b *buffer) insert(add []entry) (moved int64) {
	if len(add) == 0 {
		return b.end()
	}
	for i := range add {
		add[i].id = b.nextID
		b.nextID++
		if add[i].marker {
			b.markers++
		}
	}
	slices.SortStableFunc(add, func(x, y entry) int { return x.Time.Compare(y.Time) })
	i := b.mergeStart(add[0].Time)
	moved = b.base + int64(i)
	b.scratch = append(b.scratch[:0], b.ents[i:]...)
	b.ents = b.ents[:i]
	b.cutLists(moved)
	b.merge(b.scratch, add)
	clear(b.scratch)
	b.evict()
	return moved
}

// mergeStart is the index of the first entry later than t.
func (b *buffer) mergeStart(t time.Time) int {
	n := len(b.ents)
	if n == 0 || !t.Before(b.ents[n-1].Time) {
		return n
	}
	return sort.Search(n, func(i int) bool { return b.ents[i].Time.After(t) })
}

// merge appends old and add in time order; on equal times the line held
// longer goes first, so a line never jumps above one it followed.
func (b *buffer) merge(old, add []entry) {
	for len(old) > 0 || len(add) > 0 {
		var e entry
		if len(add) == 0 || len(old) > 0 && !old[0].Time.After(add[0].Time) {
			e, old = old[0], old[1:]
		} else {
			e, add = add[0], add[1:]
		}
		b.push(e)
	}
}

func (b *buffer) push(e entry) {
	pos := b.end()
	b.ents = append(b.ents, e)
	switch {
	case e.marker:
		for k := range b.lists {
			b.lists[k] = append(b.lists[k], pos)
		}
	case e.match:
		b.lists[listAll] = append(b.lists[listAll], pos)
		b.lists[listSource+e.side] = append(b.lists[listSource+e.side], pos)
	}
}

// cutLists forgets the positions at or after pos.
func (b *buffer) cutLists(pos int64) {
	for k := range b.lists {
		l := b.lists[k]
		b.lists[k] = l[:searchPos(l, pos)]
	}
}

// evict drops the oldest lines beyond capacity.
func (b *buffer) evict() {
	over := len(b.ents) - b.capacity
	if over <= 0 {
		return
	}
	for _, e := range b.ents[:over] {
		if e.marker {
			b.markers--
		}
	}
	clear(b.ents[:over]) // let the strings go
	b.ents = b.ents[over:]
	b.base += int64(over)
	b.evicted += uint64(over)
	for k := range b.lists {
		l := b.lists[k]
		b.lists[k] = l[searchPos(l, b.base):]
	}
}

// refilter decides every held line against a new filter: the only full
// pass, done once per filter change.
func (b *buffer) refilter(f logs.Filter) {
	for k := range b.lists {
		b.lists[k] = b.lists[k][:0]
	}
	ents := b.ents
	b.ents = b.ents[:0]
	for _, e := range ents {
		e.match = e.marker || f.Match(e.Line)
		b.push(e)
	}
}

// relocate finds an anchored line again after an ingest that moved the
// entries from moved on. A line can only have moved later, and by no more
// than the batch, so the scan is short. An evicted line gives way to the
// oldest held one.
func (b *buffer) relocate(a anchor, moved int64) anchor {
	if a.pos < b.base {
		return anchor{pos: b.base, id: ^uint64(0)}
	}
	if a.pos < moved {
		return a
	}
	for p := a.pos; p < b.end(); p++ {
		if b.at(p).id == a.id {
			return anchor{pos: p, id: a.id}
		}
	}
	return anchor{pos: b.base, id: ^uint64(0)}
}

// index is where a line at pos is, or would be, in list k.
func (b *buffer) index(k int, pos int64) int { return searchPos(b.lists[k], pos) }

// lastUpTo is the index in list k of the last line not later than t,
// or -1 when every line is later.
func (b *buffer) lastUpTo(k int, t time.Time) int {
	l := b.lists[k]
	return sort.Search(len(l), func(i int) bool { return b.at(l[i]).Time.After(t) }) - 1
}

func searchPos(l []int64, pos int64) int {
	i, _ := slices.BinarySearch(l, pos)
	return i
}
