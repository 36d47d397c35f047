package logview

import (
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ferry-dev/ferry/logs"
	"github.com/ferry-dev/ferry/tui/internal/input"
)

// Feed is where the pane reads from; *logs.Tail satisfies it.
type Feed interface {
	Ring() *logs.Ring
	Stats() logs.Stats
	Templates() *logs.TemplateStats // nil when not collected
}

// SideStyle is how one side is labelled: its label as the lines carry it
// and its colour ("#rrggbb" or an ANSI 256 number; "" for the cockpit's
// default for that side).
type SideStyle struct{ Label, Color string }

// Options configure a pane. Zero values take the documented defaults.
type Options struct {
	Title          string // e.g. "shop/checkout-api"
	Source, Target SideStyle
	NoColor        bool
	Capacity       int           // lines the pane keeps (drop-oldest, counted); default 100_000
	Tick           time.Duration // pull interval, default 100ms
	Now            func() time.Time
	SaveDir        string // where ctrl+s writes; default "."
}

// Defaults for zero Options.
const (
	DefaultCapacity = 100_000
	DefaultTick     = 100 * time.Millisecond
	// TemplateWindow is how far back the templates view looks.
	TemplateWindow = 15 * time.Minute
)

// The layout's fixed rows: a title row, one status row per side and the
// message row (prompt, save result or filters).
const chromeRows = 4

var nextID atomic.Int64

// tickMsg carries the pane's id so that a tick armed by a pane the parent
// has since replaced stops instead of driving the new one twice as often.
type tickMsg struct {
	id int64
	at time.Time
}

// Model is the log pane. It is a value like every bubbletea model, but
// the buffer behind it is shared by its copies: use the one Update
// returned.
type Model struct {
	id    int64
	feed  Feed
	opts  Options
	st    styles
	keys  keyMap
	w, h  int
	buf   *buffer
	next  uint64 // the ring seq to ask for next
	lost  uint64 // lines the ring dropped before the pane read them
	stats logs.Stats
	flt   logs.Filter

	split, showTime, wrap bool
	focus                 int // the split column the cursor is in
	follow                bool
	sel, top              anchor // cursor and first visible line while paused
	fresh                 int    // matching lines arrived while paused

	tags [2]string // each side's label as the merged layout tags it

	prompt prompt
	note   note     // the last action's result, until the next key
	stack  []screen // detail and templates views over the lines
	ticks  int
}

// New returns a pane reading from feed. Call Init to start pulling and
// SetSize before the first View.
func New(feed Feed, opts Options) Model {
	opts = withDefaults(opts, feed)
	m := Model{
		id: nextID.Add(1), feed: feed, opts: opts,
		st: newStyles(opts), keys: defaultKeyMap(),
		buf: newBuffer(opts.Capacity), showTime: true, follow: true,
		w: 80, h: 24,
	}
	m.prompt.input = input.New("", m.st.input, m.st.noColor)
	for s := range m.tags {
		w := m.tagWidth()
		m.tags[s] = m.st.side[s].r(padRight(ansi.Truncate(m.label(s), w, ""), w))
	}
	m.syncKeys()
	return m
}

func withDefaults(o Options, feed Feed) Options {
	if o.Capacity <= 0 {
		o.Capacity = DefaultCapacity
	}
	if o.Tick <= 0 {
		o.Tick = DefaultTick
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.SaveDir == "" {
		o.SaveDir = "."
	}
	if o.Source.Label == "" || o.Target.Label == "" {
		// The feed knows the labels the lines carry; ask once.
		sides := feed.Stats().Sides
		if o.Source.Label == "" {
			o.Source.Label = labelAt(sides, 0, "source")
		}
		if o.Target.Label == "" {
			o.Target.Label = labelAt(sides, 1, "target")
		}
	}
	return o
}

func labelAt(sides []logs.SideStats, i int, fallback string) string {
	if i < len(sides) && sides[i].Label != "" {
		return sides[i].Label
	}
	return fallback
}

// Init starts the pull tick.
func (m Model) Init() tea.Cmd { return m.tick() }

func (m Model) tick() tea.Cmd {
	id := m.id
	return tea.Tick(m.opts.Tick, func(t time.Time) tea.Msg { return tickMsg{id: id, at: t} })
}

// SetSize sets the pane's size in cells; View fills exactly that.
func (m *Model) SetSize(w, h int) {
	m.w, m.h = max(w, 1), max(h, 1)
	m.keepCursorVisible()
}

// Capturing reports whether the pane wants every key, the parent's global
// ones (q, esc, :) included: while a filter prompt has focus, and while
// the JSON detail or the templates view is open, where esc and q go back
// one level instead of leaving the logs screen.
func (m Model) Capturing() bool { return m.prompt.open() || len(m.stack) > 0 }

// sideOf maps a line's label to its column: the target's label, else the
// source, so a line from an unexpected label still shows.
func (m Model) sideOf(label string) int {
	if label == m.opts.Target.Label {
		return 1
	}
	return 0
}

// pull reads what the ring gained since the last tick. Since copies the
// lines out under the ring's lock, so streams never wait on the pane.
func (m *Model) pull() {
	lines, next, dropped := m.feed.Ring().Since(m.next)
	m.next, m.lost = next, m.lost+dropped
	m.stats = m.feed.Stats()
	if len(lines) == 0 {
		return
	}
	m.merged(m.buf.ingest(lines, m.flt, m.sideOf))
}

// merged keeps a paused view on the lines it showed after entries were
// merged in from moved on, and counts the matched ones as fresh.
func (m *Model) merged(moved int64, matched int) {
	if m.follow {
		return
	}
	m.fresh += matched
	k := m.activeList()
	m.sel = m.snap(k, m.buf.relocate(m.sel, moved))
	m.top = m.snap(k, m.buf.relocate(m.top, moved))
	m.keepCursorVisible()
}

// activeList is the list the cursor moves in.
func (m Model) activeList() int {
	if m.split {
		return listSource + m.focus
	}
	return listAll
}

// snap moves an anchor onto list k: the line at or after it, else the
// last line, so a cursor on a line a filter hid stays near where it was.
func (m Model) snap(k int, a anchor) anchor {
	l := m.buf.list(k)
	if len(l) == 0 {
		return anchor{}
	}
	return m.buf.anchorOf(k, min(m.buf.index(k, a.pos), len(l)-1))
}
