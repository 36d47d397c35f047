package tui

import (
	"time"

	"charm.land/bubbles/v2/help"
	tea "charm.land/bubbletea/v2"

	"github.com/ferry-dev/ferry/engine/inventory"
)

// screen is one page of the cockpit's stack: services at the bottom, then
// whatever was opened from it (detail, logs, help). The root model owns the
// stack and the frame around it; a screen draws only the body between the
// header and the status bar, and is held by pointer so SetSize and Update
// change it in place.
type screen interface {
	help.KeyMap
	// Update handles a message. Keys arrive only when the screen is on top;
	// other messages (snapshots, data loaded by commands) reach every screen.
	Update(msg tea.Msg) tea.Cmd
	// View renders the body; the root cuts it to the size last set.
	View() string
	// SetSize gives the body's size in cells.
	SetSize(width, height int)
	// Capturing reports whether a text prompt inside the screen has focus,
	// so the global keys (q, :, ?, esc) must go to the screen instead.
	Capturing() bool
	// Title names the screen in the header's breadcrumb.
	Title() string
	// Close releases what the screen holds (a log stream) when it is popped
	// or the cockpit quits.
	Close()
}

// holder is a screen that must not close yet: closing would cancel work
// it started (an apply in flight). Holding says why, "" when it may.
type holder interface{ Holding() string }

// holding is why s must stay open, "" when it may close.
func holding(s screen) string {
	if h, ok := s.(holder); ok {
		return h.Holding()
	}
	return ""
}

// snapshotMsg carries a new inventory snapshot into the loop.
type snapshotMsg struct{ snap inventory.Snapshot }

// tickMsg asks the root to read the clock again for the credential
// countdowns; the time comes from Config.Now, so tests can pin it.
type tickMsg struct{}

// statusMsg puts a line in the status bar; err colours it as an error.
type statusMsg struct {
	text string
	err  bool
}

// openDetailMsg asks the root to push a service's detail screen.
type openDetailMsg struct{ key string }

// openLogsMsg asks the root to push the logs screen for a pair.
type openLogsMsg struct{ pair inventory.Pair }

// openRunbookMsg asks the root to show the runbook screen, on step when
// one is named.
type openRunbookMsg struct{ step string }

// nsFilterMsg sets (or with "" clears) the services' namespace filter.
type nsFilterMsg struct{ namespace string }

// waitForChange is the self-re-arming wait on the inventory: it blocks in
// its own goroutine until the inventory changes, then brings the new
// snapshot; the root re-issues it on every snapshotMsg. done ends the wait
// when the cockpit quits, so no goroutine outlives the program.
func waitForChange(inv Inventory, done <-chan struct{}) tea.Cmd {
	if inv == nil {
		return nil
	}
	return func() tea.Msg {
		select {
		case <-inv.Changed():
			return snapshotMsg{snap: inv.Snapshot()}
		case <-done:
			return nil
		}
	}
}

// tick re-draws the countdowns once a second.
func tick() tea.Cmd {
	return tea.Tick(time.Second, func(time.Time) tea.Msg { return tickMsg{} })
}

func status(text string) tea.Cmd {
	return func() tea.Msg { return statusMsg{text: text} }
}

func statusErr(text string) tea.Cmd {
	return func() tea.Msg { return statusMsg{text: text, err: true} }
}

func send(msg tea.Msg) tea.Cmd {
	return func() tea.Msg { return msg }
}
