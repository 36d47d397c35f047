package tui

import (
	"context"
	"sync/atomic"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ferry-dev/ferry/engine/inventory"
	"github.com/ferry-dev/ferry/engine/runbook"
	"github.com/ferry-dev/ferry/tui/logview"
)

// logsScreen is the adapter between the screen stack and the logs pane
// (tui/logview): it starts the service's log stream, then forwards
// Update, View and SetSize to the pane. cancel ends the stream when the
// screen is popped or the cockpit quits. The journal's markers of the
// service's steps (a cutover's weight changes) show among the lines: the
// screen hands the pane the runbook's markers on the clock's tick and
// with every runbook snapshot broadcast, and the pane keeps each once.
type logsScreen struct {
	id            uint64
	st            *styles
	rb            Runbook // nil: no markers
	pair          inventory.Pair
	opts          logview.Options
	pane          *logview.Model
	err           error // the stream could not start
	available     bool  // Config.Logs is set
	cancel        context.CancelFunc
	width, height int
}

// logsStartedMsg brings a started stream (or why it failed) to the screen
// that asked for it.
type logsStartedMsg struct {
	id   uint64
	feed logview.Feed
	err  error
}

var logsScreenIDs atomic.Uint64

// newLogsScreen opens the logs of a pair and returns the command that
// starts its stream.
func newLogsScreen(m *Model, pair inventory.Pair) (*logsScreen, tea.Cmd) {
	l := &logsScreen{id: logsScreenIDs.Add(1), st: m.st, rb: m.cfg.Runbook, pair: pair,
		available: m.cfg.Logs != nil,
		opts: logview.Options{
			Title:   pair.Key(),
			Source:  logview.SideStyle{Label: m.src, Color: m.cfg.Source.Color},
			Target:  logview.SideStyle{Label: m.dst, Color: m.cfg.Target.Color},
			NoColor: m.cfg.NoColor, Now: m.cfg.Now,
		}}
	if !l.available {
		return l, nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	l.cancel = cancel
	start, id := m.cfg.Logs, l.id
	return l, func() tea.Msg {
		feed, err := start(ctx, pair)
		return logsStartedMsg{id: id, feed: feed, err: err}
	}
}

func (l *logsScreen) Title() string { return "logs " + l.pair.Key() }

func (l *logsScreen) Capturing() bool { return l.pane != nil && l.pane.Capturing() }

func (l *logsScreen) SetSize(width, height int) {
	l.width, l.height = width, height
	if l.pane != nil {
		l.pane.SetSize(width, height)
	}
}

func (l *logsScreen) Update(msg tea.Msg) tea.Cmd {
	if started, ok := msg.(logsStartedMsg); ok {
		if started.id != l.id {
			return nil
		}
		if started.err != nil {
			l.err = started.err
			return func() tea.Msg { return statusMsg{text: "logs: " + started.err.Error(), err: true} }
		}
		pane := logview.New(started.feed, l.opts)
		pane.SetSize(l.width, l.height)
		l.pane = &pane
		if l.rb != nil {
			l.mark(l.rb.Snapshot())
		}
		return pane.Init()
	}
	if l.pane == nil {
		return nil
	}
	switch msg := msg.(type) {
	case tickMsg:
		if l.rb != nil {
			l.mark(l.rb.Snapshot())
		}
		return nil
	case runbookSnapMsg:
		l.mark(msg.snap)
		return nil
	}
	next, cmd := l.pane.Update(msg)
	*l.pane = next
	return cmd
}

func (l *logsScreen) ShortHelp() []key.Binding {
	if l.pane == nil {
		return nil
	}
	return l.pane.ShortHelp()
}

func (l *logsScreen) FullHelp() [][]key.Binding {
	if l.pane == nil {
		return nil
	}
	return l.pane.FullHelp()
}

// mark hands the pane the markers snap holds of the steps scoped to this
// service.
func (l *logsScreen) mark(snap runbook.Snapshot) {
	l.pane.Mark(serviceMarkers(snap, l.pair.Namespace, l.pair.Name)...)
}

// serviceMarkers are the marker events of the steps scoped to the service
// namespace/name, oldest first.
func serviceMarkers(snap runbook.Snapshot, namespace, name string) []logview.Marker {
	scoped := map[string]bool{}
	for _, v := range snap.Steps {
		if v.Namespace == namespace && v.Service == name {
			scoped[v.ID] = true
		}
	}
	var out []logview.Marker
	for _, e := range snap.Events {
		if e.Outcome == runbook.OutcomeMarker && scoped[e.Step] {
			out = append(out, logview.Marker{Time: e.Time, Text: e.Message})
		}
	}
	return out
}

// Close stops the log stream, if one was started.
func (l *logsScreen) Close() {
	if l.cancel != nil {
		l.cancel()
	}
}

func (l *logsScreen) View() string {
	switch {
	case l.pane != nil:
		return l.pane.View()
	case !l.available:
		return l.st.bad.Render("logs are unavailable: no clusters to stream from")
	case l.err != nil:
		return l.st.bad.Render("logs of " + l.pair.Key() + " could not start: " + l.err.Error())
	}
	return "starting the log streams of " + l.pair.Key() + " on both clusters…"
}
