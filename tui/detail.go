package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/viewport"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/ferry-dev/ferry/engine/inventory"
	"github.com/ferry-dev/ferry/engine/rewrite"
)

// detailTab is one section of the service detail.
type detailTab int

const (
	tabDiff detailTab = iota
	tabEnv
	tabAWS
	tabEvents
	tabCount
)

var tabNames = [tabCount]string{"diff", "env", "aws & refs", "events"}

// detailData is what the detail shows beyond the snapshot's pair, built in
// a command from the inventory's objects: the diff and everything read out
// of the objects. Secret values never get in: Diffs hashes them and the env
// and AWS readers skip Secrets.
type detailData struct {
	diffs []rewrite.ObjectDiff
	env   []envRow
	deps  []awsDep
	err   error
}

// detailLoadedMsg brings a detail's data; seq drops answers that a newer
// load has overtaken.
type detailLoadedMsg struct {
	key  string
	seq  int
	data detailData
}

// loadDetail reads the pair's objects and renders the diff off the loop.
// It takes only copied values, so the closure races with nothing.
func loadDetail(inv Inventory, m rewrite.Mapping, key string, seq int) tea.Cmd {
	if inv == nil {
		return nil
	}
	return func() tea.Msg {
		src, dst := inv.Objects(key)
		diffs, err := rewrite.Diffs(m, src, dst, 0)
		if err != nil {
			err = fmt.Errorf("diff %s: %w", key, err)
		}
		maskLiterals(diffs)
		return detailLoadedMsg{key: key, seq: seq, data: detailData{
			diffs: diffs, env: envRows(m, src, dst), deps: awsDeps(src, dst), err: err}}
	}
}

// detailScreen is one service: a summary line, tabs, and the tab's content
// in a scrolling viewport.
type detailScreen struct {
	keys     *keyMap
	st       *styles
	src, dst string
	inv      Inventory
	mapping  rewrite.Mapping
	now      func() time.Time

	key    string
	pair   inventory.Pair
	found  bool
	gen    uint64
	seq    int
	data   *detailData
	tab    detailTab
	unfold bool // show the unchanged runs the diff folds away

	vp            viewport.Model
	width, height int
}

func newDetailScreen(m *Model, key string) (*detailScreen, tea.Cmd) {
	d := &detailScreen{keys: m.keys, st: m.st, src: m.src, dst: m.dst, inv: m.cfg.Inventory,
		mapping: m.cfg.Mapping, now: m.clock, key: key, vp: viewport.New()}
	d.setSnapshot(m.snap)
	d.render()
	return d, loadDetail(d.inv, d.mapping, key, d.seq)
}

func (d *detailScreen) Title() string   { return d.key }
func (d *detailScreen) Capturing() bool { return false }
func (d *detailScreen) Close()          {}

func (d *detailScreen) SetSize(width, height int) {
	d.width, d.height = width, height
	d.vp.SetWidth(width)
	d.vp.SetHeight(max(1, height-2))
	d.render()
}

// ShortHelp is the footer's help on the detail.
func (d *detailScreen) ShortHelp() []key.Binding {
	return []key.Binding{d.keys.NextTab, d.keys.Fold, d.keys.Logs}
}

// FullHelp is the detail group of the full help.
func (d *detailScreen) FullHelp() [][]key.Binding {
	k := d.keys
	return [][]key.Binding{{k.NextTab, k.PrevTab, k.Tabs}, {k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}, {k.Fold, k.Logs}}
}

func (d *detailScreen) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case snapshotMsg:
		if msg.snap.Generation == d.gen {
			return nil
		}
		d.setSnapshot(msg.snap)
		d.render()
		d.seq++
		return loadDetail(d.inv, d.mapping, d.key, d.seq)
	case detailLoadedMsg:
		if msg.key == d.key && msg.seq == d.seq {
			d.data = &msg.data
			d.render()
			if msg.data.err != nil {
				return statusErr(msg.data.err.Error())
			}
		}
	case tickMsg:
		if d.tab == tabEvents {
			d.render() // the events' ages
		}
	case tea.KeyPressMsg:
		return d.handleKey(msg)
	}
	return nil
}

func (d *detailScreen) setSnapshot(snap inventory.Snapshot) {
	d.gen = snap.Generation
	d.pair, d.found = snap.Pair(d.key)
}

func (d *detailScreen) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k := d.keys
	switch {
	case key.Matches(msg, k.NextTab):
		d.setTab((d.tab + 1) % tabCount)
	case key.Matches(msg, k.PrevTab):
		d.setTab((d.tab + tabCount - 1) % tabCount)
	case key.Matches(msg, k.Tabs):
		d.setTab(detailTab(msg.String()[0] - '1'))
	case key.Matches(msg, k.Down):
		d.vp.ScrollDown(1)
	case key.Matches(msg, k.Up):
		d.vp.ScrollUp(1)
	case key.Matches(msg, k.PageDown):
		d.vp.PageDown()
	case key.Matches(msg, k.PageUp):
		d.vp.PageUp()
	case key.Matches(msg, k.Top):
		d.vp.GotoTop()
	case key.Matches(msg, k.Bottom):
		d.vp.GotoBottom()
	case key.Matches(msg, k.Fold):
		d.unfold = !d.unfold
		d.render()
	case key.Matches(msg, k.Logs):
		if d.found {
			return send(openLogsMsg{pair: d.pair})
		}
	}
	return nil
}

func (d *detailScreen) setTab(t detailTab) {
	if t < 0 || t >= tabCount || t == d.tab {
		return
	}
	d.tab = t
	d.render()
	d.vp.GotoTop()
}

// render rebuilds the viewport's content for the tab and width; the scroll
// position stays, so a live update does not throw the reader back.
func (d *detailScreen) render() {
	if d.width <= 0 {
		return
	}
	var lines []string
	switch {
	case d.data == nil:
		lines = []string{d.st.dim.Render("reading the service's objects…")}
	case d.tab == tabDiff:
		lines = diffLines(d.data, d.src, d.dst, d.width, !d.unfold, d.st)
	case d.tab == tabEnv:
		lines = envLines(d.data.env, d.src, d.dst, d.width, d.st)
	case d.tab == tabAWS:
		lines = awsLines(d.pair, d.data.deps, d.src, d.dst, d.st)
	case d.tab == tabEvents:
		lines = eventLines(d.pair, d.src, d.dst, d.now(), d.width, d.st)
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, d.width, "…")
	}
	d.vp.SetContentLines(lines)
}

// View renders the summary line, the tab bar and the viewport.
func (d *detailScreen) View() string {
	return d.summary() + "\n" + d.tabBar() + "\n" + d.vp.View()
}

func (d *detailScreen) summary() string {
	name := d.st.title.Render(d.key)
	if !d.found {
		return name + "  " + d.st.bad.Render("no longer in the inventory")
	}
	r := pairRow(d.pair, d.src, d.dst)
	kind := ""
	if w := firstWorkload(d.pair); w != nil {
		kind = "  " + w.Kind
	}
	// Drift and reference counts are on the tabs, so they are not here.
	return fmt.Sprintf("%s%s  %s  %s %s %s  %s %s %s", name, kind,
		stateStyle(r.state, d.st).Render(r.word),
		d.st.source.Render(d.src), readyCell(r.source), r.source.tag,
		d.st.target.Render(d.dst), readyCell(r.target), r.target.tag)
}

func firstWorkload(p inventory.Pair) *inventory.Workload {
	if p.Source != nil {
		return p.Source
	}
	return p.Target
}

// tabBar names the tabs with their counts; the current one is bracketed,
// which shows without colour too.
func (d *detailScreen) tabBar() string {
	var parts []string
	for t := range tabCount {
		label := fmt.Sprintf("%d %s%s", t+1, tabNames[t], d.tabCount(t))
		if t == d.tab {
			parts = append(parts, d.st.tabActive.Render("["+label+"]"))
		} else {
			parts = append(parts, d.st.tabInactive.Render(" "+label+" "))
		}
	}
	return strings.Join(parts, " ")
}

func (d *detailScreen) tabCount(t detailTab) string {
	n := 0
	switch t {
	case tabDiff:
		n = len(d.pair.Drift)
	case tabAWS:
		n = len(d.pair.References)
	case tabEvents:
		for _, w := range []*inventory.Workload{d.pair.Source, d.pair.Target} {
			if w != nil {
				n += len(w.Warnings)
			}
		}
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" (%d)", n)
}
