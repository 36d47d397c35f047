package logs

import (
	"cmp"
	"container/list"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Side says which cluster of a migration a line came from.
type Side uint8

// The two sides of a migration.
const (
	SideSource Side = iota // the cluster being migrated from (KOPS)
	SideTarget             // the cluster being migrated to (EKS)
)

// Defaults and limits of TemplateStats.
const (
	DefaultMaxTemplates = 10000
	DefaultHorizon      = time.Hour
	// bucketsPerHorizon sets the time resolution of target counts: a
	// report's counts and First are exact to Horizon/60 (a minute by
	// default), which bounds memory at 60 buckets per template.
	bucketsPerHorizon = 60
	// Only a message's start is templated and only an example's start is
	// kept, so one huge line cannot hold megabytes in the table.
	maxTemplateInput = 2048
	maxExampleBytes  = 512
)

// TemplateStatsOptions bound and filter what a TemplateStats keeps.
type TemplateStatsOptions struct {
	// MaxTemplates caps the templates tracked, both sides together; the
	// least recently seen is evicted first. Zero means DefaultMaxTemplates.
	MaxTemplates int
	// Horizon is the longest window Report answers for; older target
	// counts are dropped. Zero means DefaultHorizon.
	Horizon time.Duration
	// WarnAndAbove drops target lines whose level is known to be below
	// warn (trace, debug, info, notice). Lines with no known level stay:
	// a plain line's level is often unknown, and a panic has none. Source
	// lines are kept at every level, so an error the source logs at info
	// is not new.
	WarnAndAbove bool
}

// TargetOnly is one template seen on the target and not on the source
// within a report's window.
type TargetOnly struct {
	Template    string
	Count       int       // target lines in the window
	First, Last time.Time // first and last of them, to Horizon/60
	Level       string    // the level of the example line
	Example     string    // one real line, sanitized for a terminal
}

// TemplateStats counts log templates per side to answer "which messages
// does the target log that the source never does?" — the errors a
// migration introduced. It is safe for concurrent use; Add templates the
// message before taking the lock so that streams do not queue behind it.
type TemplateStats struct {
	opts TemplateStatsOptions
	res  int64 // bucket width in nanoseconds

	mu      sync.Mutex
	entries map[string]*templateEntry
	lru     list.List // of *templateEntry, most recently seen first
}

// templateEntry is what is known about one template on both sides.
type templateEntry struct {
	template   string
	elem       *list.Element
	sourceLast int64 // unix ns of the latest source line; 0 when none
	// buckets count target lines per res-wide time slot, oldest first,
	// never spanning more than the horizon.
	buckets        []countBucket
	level, example string
}

type countBucket struct {
	first, last int64 // unix ns
	count       int
}

// NewTemplateStats returns an empty table.
func NewTemplateStats(opts TemplateStatsOptions) *TemplateStats {
	if opts.MaxTemplates <= 0 {
		opts.MaxTemplates = DefaultMaxTemplates
	}
	if opts.Horizon <= 0 {
		opts.Horizon = DefaultHorizon
	}
	return &TemplateStats{
		opts:    opts,
		res:     max(int64(opts.Horizon/bucketsPerHorizon), 1),
		entries: map[string]*templateEntry{},
	}
}

// Add records one line: side, its level ("" when unknown), its message
// (for a structured line the msg field, else the text), its time (zero:
// now, as for a line without a timestamp) and the full line to show as an
// example ("" to use msg).
func (s *TemplateStats) Add(side Side, level, msg string, t time.Time, example string) {
	if side == SideTarget && s.opts.WarnAndAbove && belowWarn(level) {
		return
	}
	if t.IsZero() {
		t = time.Now()
	}
	// Masking can lengthen a text ("5" -> "<n>"), hence the second cut.
	tmpl := truncateUTF8(Template(truncateUTF8(msg, maxTemplateInput)), maxTemplateInput)
	ns := t.UnixNano()
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.touch(tmpl)
	if side == SideSource {
		e.sourceLast = max(e.sourceLast, ns)
		return
	}
	if e.record(ns, s.res) {
		if example == "" {
			example = msg
		}
		e.level, e.example = level, Sanitize(truncateUTF8(example, maxExampleBytes), false)
	}
}

// touch finds or creates the entry and marks it most recently seen,
// evicting the least recently seen when the table is full.
func (s *TemplateStats) touch(tmpl string) *templateEntry {
	if e, ok := s.entries[tmpl]; ok {
		s.lru.MoveToFront(e.elem)
		return e
	}
	if len(s.entries) >= s.opts.MaxTemplates {
		old := s.lru.Remove(s.lru.Back()).(*templateEntry)
		delete(s.entries, old.template)
	}
	e := &templateEntry{template: tmpl}
	e.elem = s.lru.PushFront(e)
	s.entries[tmpl] = e
	return e
}

// record counts a target line at ns and reports whether the entry had no
// live counts before, so the caller refreshes its example. Lines may come
// out of order (two clusters, reconnecting streams), hence the search.
func (e *templateEntry) record(ns, res int64) (fresh bool) {
	slot := ns / res
	// Drop buckets that fell out of the horizon relative to this line.
	drop := 0
	for drop < len(e.buckets) && e.buckets[drop].first/res <= slot-bucketsPerHorizon {
		drop++
	}
	e.buckets = slices.Delete(e.buckets, 0, drop)
	fresh = len(e.buckets) == 0
	k, found := slices.BinarySearchFunc(e.buckets, slot, func(b countBucket, slot int64) int {
		return cmp.Compare(b.first/res, slot)
	})
	if !found {
		if k == 0 && !fresh && slot <= e.buckets[len(e.buckets)-1].first/res-bucketsPerHorizon {
			return false // older than the horizon already covered
		}
		e.buckets = slices.Insert(e.buckets, k, countBucket{first: ns, last: ns})
	}
	b := &e.buckets[k]
	b.first, b.last, b.count = min(b.first, ns), max(b.last, ns), b.count+1
	return fresh
}

// Report lists the templates seen on the target in (now-window, now] and
// not on the source in that window, most frequent first. A window longer
// than the horizon is cut to it.
func (s *TemplateStats) Report(window time.Duration, now time.Time) []TargetOnly {
	window = min(window, s.opts.Horizon)
	from, to := now.Add(-window).UnixNano(), now.UnixNano()
	s.mu.Lock()
	out := make([]TargetOnly, 0, 16)
	for _, e := range s.entries {
		if e.sourceLast > from {
			continue
		}
		if r, ok := e.inWindow(from, to); ok {
			out = append(out, r)
		}
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b TargetOnly) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), b.Last.Compare(a.Last), strings.Compare(a.Template, b.Template))
	})
	return out
}

// inWindow sums the buckets that overlap (from, to].
func (e *templateEntry) inWindow(from, to int64) (TargetOnly, bool) {
	r := TargetOnly{Template: e.template, Level: e.level, Example: e.example}
	var first, last int64
	for _, b := range e.buckets {
		if b.last <= from || b.first > to {
			continue
		}
		if r.Count == 0 {
			first = b.first
		}
		r.Count += b.count
		last = b.last
	}
	if r.Count == 0 {
		return r, false
	}
	r.First, r.Last = time.Unix(0, first), time.Unix(0, last)
	return r, true
}

// belowWarn reports whether a level is known to be below warn.
func belowWarn(level string) bool {
	switch strings.ToLower(level) {
	case "trace", "debug", "dbg", "info", "inf", "information", "notice":
		return true
	}
	return false
}

// truncateUTF8 cuts s to at most n bytes without splitting a rune.
func truncateUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
