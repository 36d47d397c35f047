package tui

import (
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ferry-dev/ferry/engine/inventory"
)

// Model is the cockpit's root bubbletea model: the frame (header, status
// bar, footer), the command line, and a stack of screens it delegates to.
type Model struct {
	cfg      Config
	keys     *keyMap
	st       *styles
	log      *slog.Logger
	clock    func() time.Time
	now      time.Time
	src, dst string // the side labels

	snap    inventory.Snapshot
	stack   []screen
	help    help.Model
	cmdline prompt
	status  statusMsg

	width, height int
	done          chan struct{} // closed on quit; ends the inventory wait
	closeOnce     *sync.Once
	crash         error // a panic caught in Update, returned by Run
}

// Defaults used until the first tea.WindowSizeMsg says otherwise.
const (
	defaultWidth  = 80
	defaultHeight = 24
	frameLines    = 5 // three header lines, the status bar and the footer
)

// New builds the cockpit on cfg. It reads the inventory's current snapshot
// (a copy under a lock, no IO) so the first frame already has services.
func New(cfg Config) Model {
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	keys, st := defaultKeyMap(), newStyles(cfg)
	if cfg.ReadOnly {
		keys.disableMutations()
	}
	m := Model{cfg: cfg, keys: &keys, st: &st, log: cfg.Log, clock: cfg.Now, now: cfg.Now(),
		help: help.New(), cmdline: newPrompt(":", &st, &keys),
		done: make(chan struct{}), closeOnce: &sync.Once{}}
	m.help.Styles = st.help
	if cfg.Inventory != nil {
		m.snap = cfg.Inventory.Snapshot()
	}
	m.src = label(cfg.Source.Label, m.snap.Source.Name, "source")
	m.dst = label(cfg.Target.Label, m.snap.Target.Name, "target")
	m.stack = []screen{newServicesScreen(m.keys, m.st, m.src, m.dst, m.snap)}
	m.resize(defaultWidth, defaultHeight)
	return m
}

func label(names ...string) string {
	for _, n := range names {
		if n != "" {
			return n
		}
	}
	return ""
}

// Init starts the inventory wait and the countdown clock.
func (m Model) Init() tea.Cmd {
	return tea.Batch(waitForChange(m.cfg.Inventory, m.done), tick())
}

// Update is the root switch: frame-level messages here, the rest to the
// screens. A panic is caught, logged and turned into a clean quit, so the
// terminal is restored by the normal path and Run returns the panic.
func (m Model) Update(msg tea.Msg) (next tea.Model, cmd tea.Cmd) {
	defer func() {
		if r := recover(); r != nil {
			next, cmd = m.crashed(r)
		}
	}()
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(msg.Width, msg.Height)
		return m, nil
	case snapshotMsg:
		m.snap = msg.snap
		if m.cmdline.Focused() {
			m.cmdline.SetSuggestions(commandSuggestions(m.snap))
		}
		return m, tea.Batch(m.broadcast(msg), waitForChange(m.cfg.Inventory, m.done))
	case tickMsg:
		m.now = m.clock()
		return m, tea.Batch(m.broadcast(msg), tick())
	case statusMsg:
		if msg.err {
			m.log.Warn("cockpit error", "message", msg.text)
		}
		m.status = msg
		return m, nil
	case openDetailMsg:
		d, load := newDetailScreen(&m, msg.key)
		return m.push(d), load
	case openLogsMsg:
		l, start := newLogsScreen(&m, msg.pair)
		return m.push(l), start
	case openRunbookMsg:
		return m.openRunbook(msg.step)
	case openCutoverMsg:
		return m.openCutover()
	case nsFilterMsg:
		m.popTo(1)
		return m, m.broadcast(msg)
	case tea.KeyPressMsg:
		return m.handleKey(msg)
	case tea.PasteMsg:
		return m.paste(msg)
	}
	return m, m.broadcast(msg)
}

// crashed records a panic caught in Update and quits.
func (m Model) crashed(r any) (tea.Model, tea.Cmd) {
	m.log.Error("cockpit panic", "panic", r, "stack", string(debug.Stack()))
	m.crash = fmt.Errorf("the cockpit hit a bug and stopped (%v); the stack is in the log", r)
	m.close()
	return m, tea.Quit
}

// paste goes where typing goes: the command line, else the screen.
func (m Model) paste(msg tea.PasteMsg) (tea.Model, tea.Cmd) {
	if m.cmdline.Focused() {
		m.cmdline.Update(msg)
		return m, nil
	}
	return m, m.top().Update(msg)
}

// handleKey routes a key: ctrl+c always quits; an open command line or a
// screen's focused prompt takes every other key; then the global keys;
// then the screen on top.
func (m Model) handleKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	m.status = statusMsg{} // a key press dismisses the last message
	if key.Matches(msg, m.keys.ForceQuit) {
		return m.quit()
	}
	if m.cmdline.Focused() {
		return m.commandKey(msg)
	}
	top := m.top()
	if top.Capturing() {
		return m, top.Update(msg)
	}
	switch {
	case key.Matches(msg, m.keys.Quit):
		return m.quit()
	case key.Matches(msg, m.keys.Help):
		if _, open := top.(*helpScreen); open {
			return m.pop(), nil
		}
		return m.push(newHelpScreen(m.keys, m.st, top)), nil
	case key.Matches(msg, m.keys.Command):
		m.cmdline.Reset()
		m.cmdline.SetSuggestions(commandSuggestions(m.snap))
		m.cmdline.Focus()
		return m, nil
	case key.Matches(msg, m.keys.Cutover):
		return m.openCutover()
	case key.Matches(msg, m.keys.Back) && len(m.stack) > 1:
		if why := holding(top); why != "" {
			return m, statusErr(why)
		}
		return m.pop(), nil
	}
	return m, top.Update(msg)
}

func (m Model) top() screen { return m.stack[len(m.stack)-1] }

// broadcast gives a non-key message to every screen: a detail under the
// help screen still wants its data and snapshots.
func (m Model) broadcast(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(m.stack))
	for _, s := range m.stack {
		cmds = append(cmds, s.Update(msg))
	}
	return tea.Batch(cmds...)
}

func (m Model) push(s screen) Model {
	s.SetSize(m.width, m.bodyHeight())
	m.stack = append(m.stack[:len(m.stack):len(m.stack)], s)
	return m
}

func (m Model) pop() Model {
	m.top().Close()
	m.stack = m.stack[:len(m.stack)-1]
	return m
}

// popTo closes screens until n are left, or one must stay open.
func (m *Model) popTo(n int) {
	for len(m.stack) > max(1, n) && holding(m.top()) == "" {
		*m = m.pop()
	}
}

func (m Model) quit() (tea.Model, tea.Cmd) {
	m.close()
	return m, tea.Quit
}

// close ends the inventory wait and every screen's resources, once.
func (m Model) close() {
	m.closeOnce.Do(func() {
		close(m.done)
		for _, s := range m.stack {
			s.Close()
		}
	})
}

// resize lays the frame out again: the screens get what is left between
// the header and the status bar.
func (m *Model) resize(width, height int) {
	m.width, m.height = width, height
	m.help.SetWidth(width)
	for _, s := range m.stack {
		s.SetSize(width, m.bodyHeight())
	}
}

func (m Model) bodyHeight() int { return max(1, m.height-frameLines) }
