package tui

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ferry-dev/ferry/engine/inventory"
	"github.com/ferry-dev/ferry/tui/logview"
)

// withState returns snap with one pair's state (and drift) changed.
func withState(snap inventory.Snapshot, key, state string) inventory.Snapshot {
	snap.Pairs = append([]inventory.Pair(nil), snap.Pairs...)
	for i, p := range snap.Pairs {
		if p.Key() == key {
			p.State = state
			if state == inventory.StateInSync {
				p.Drift = nil
			}
			snap.Pairs[i] = p
		}
	}
	snap.Generation++
	return snap
}

func without(snap inventory.Snapshot, key string) inventory.Snapshot {
	var pairs []inventory.Pair
	for _, p := range snap.Pairs {
		if p.Key() != key {
			pairs = append(pairs, p)
		}
	}
	snap.Pairs = pairs
	snap.Generation++
	return snap
}

// TestLiveUpdateKeepsCursorOnTheSamePair: sorted by state, the ledger
// turning in sync moves its row; the cursor goes with it.
func TestLiveUpdateKeepsCursorOnTheSamePair(t *testing.T) {
	t.Parallel()
	m, inv := newTestModel(t, 80, 24)
	m = step(t, m, keys("s")...) // by state
	m = step(t, m, append(keys(":"), append(typed("ns payments"), keys("enter")...)...)...)
	m = step(t, m, keys("j")...)
	s := m.stack[0].(*servicesScreen)
	before := s.cursor
	if cursorKey(m) != "payments/refund-worker" {
		t.Fatalf("cursor on %q", cursorKey(m))
	}
	m = step(t, m, snapshotMsg{snap: withState(inv.snap, "payments/refund-worker", inventory.StateInSync)})
	if cursorKey(m) != "payments/refund-worker" || s.cursor == before {
		t.Errorf("cursor on %q at %d (was %d); want it to follow the pair", cursorKey(m), s.cursor, before)
	}
	// The pair gone, the cursor stays where it was on screen.
	at := s.cursor
	m = step(t, m, snapshotMsg{snap: without(inv.snap, "payments/refund-worker")})
	if s.cursor != min(at, len(s.rows)-1) || cursorKey(m) == "payments/refund-worker" {
		t.Errorf("after removal: cursor %d on %q", s.cursor, cursorKey(m))
	}
}

// TestCursorStaysOnTopUntilMoved: while the clusters' answers fill the
// list, an untouched cursor stays on the first row rather than riding
// along with whichever pair came first.
func TestCursorStaysOnTopUntilMoved(t *testing.T) {
	t.Parallel()
	m, inv := newTestModel(t, 80, 24)
	full := inv.snap
	one := full
	one.Pairs = nil
	for _, p := range full.Pairs {
		if p.Key() == "payments/ledger" {
			one.Pairs = append(one.Pairs, p)
		}
	}
	m = step(t, m, snapshotMsg{snap: one})
	m = step(t, m, snapshotMsg{snap: full})
	s := m.stack[0].(*servicesScreen)
	if s.cursor != 0 || cursorKey(m) != s.rows[0].key {
		t.Errorf("untouched cursor at %d on %q; want the first row %q", s.cursor, cursorKey(m), s.rows[0].key)
	}
}

// TestLiveUpdateKeepsScroll: rows added below the window do not move it.
func TestLiveUpdateKeepsScroll(t *testing.T) {
	t.Parallel()
	m, inv := newTestModel(t, 80, 24)
	big := manyPairs(inv.snap, 40)
	m = step(t, m, snapshotMsg{snap: big})
	m = step(t, m, keys("pgdown", "pgdown", "k", "k")...)
	s := m.stack[0].(*servicesScreen)
	offset, key := s.offset, cursorKey(m)
	m = step(t, m, snapshotMsg{snap: manyPairs(big, 5)})
	if s.offset != offset || cursorKey(m) != key {
		t.Errorf("offset %d cursor %q, want %d %q", s.offset, cursorKey(m), offset, key)
	}
}

// TestWaitForChangeRearms: the wait command brings the inventory's next
// snapshot, and handling it issues the next wait.
func TestWaitForChangeRearms(t *testing.T) {
	t.Parallel()
	m, inv := newTestModel(t, 80, 24)
	wait := waitForChange(inv, m.done)
	inv.set(withState(inv.snap, "payments/ledger", inventory.StateInSync))
	msg, ok := wait().(snapshotMsg)
	if !ok || msg.snap.Generation != 8 {
		t.Fatalf("wait brought %#v", msg)
	}
	_, cmd := m.Update(msg)
	done := make(chan tea.Msg, 1)
	go func() { done <- runCmd(cmd) }()
	inv.set(withState(inv.snap, "orders/orders-api", inventory.StateInSync))
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the re-armed wait did not take the next change")
	}
	m.close()
	if msg := waitForChange(inv, m.done)(); msg != nil {
		t.Errorf("wait after quit brought %#v, want nothing", msg)
	}
}

func TestDetailFollowsLiveUpdates(t *testing.T) {
	t.Parallel()
	m, inv := newTestModel(t, 80, 24)
	m = step(t, m, svc("ledger")...)
	synced := withState(inv.snap, "payments/ledger", inventory.StateInSync)
	m = step(t, m, snapshotMsg{snap: synced})
	if !strings.Contains(screenText(m), "in sync") {
		t.Errorf("the detail did not take the new state:\n%s", screenText(m))
	}
	m = step(t, m, snapshotMsg{snap: without(synced, "payments/ledger")})
	if !strings.Contains(screenText(m), "no longer in the inventory") {
		t.Errorf("the detail does not say the service is gone:\n%s", screenText(m))
	}
}

func TestResizeKeepsCursorAndFits(t *testing.T) {
	t.Parallel()
	m, inv := newTestModel(t, 160, 48)
	m = step(t, m, snapshotMsg{snap: manyPairs(inv.snap, 40)})
	m = step(t, m, keys("G", "k", "k")...)
	key := cursorKey(m)
	for _, size := range [][2]int{{80, 24}, {100, 30}, {60, 12}, {160, 48}} {
		m = step(t, m, tea.WindowSizeMsg{Width: size[0], Height: size[1]})
		s := m.stack[0].(*servicesScreen)
		if cursorKey(m) != key || s.cursor < s.offset || s.cursor >= s.offset+s.page() {
			t.Errorf("%v: cursor %q at %d, window %d+%d", size, cursorKey(m), s.cursor, s.offset, s.page())
		}
		checkFrame(t, m, size[0], size[1])
	}
	m = step(t, m, append(svc("ledger"), tea.WindowSizeMsg{Width: 80, Height: 24})...)
	checkFrame(t, m, 80, 24)
}

func TestHelpToggleAndQuit(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 80, 24)
	m = step(t, m, keys("?")...)
	if _, ok := m.top().(*helpScreen); !ok {
		t.Fatalf("? opened %T", m.top())
	}
	m = step(t, m, keys("?")...)
	if len(m.stack) != 1 {
		t.Fatal("? again did not close the help")
	}
	for _, k := range []string{"q", "ctrl+c"} {
		_, cmd := m.Update(keys(k)[0])
		if msgs := runCmd(cmd); len(msgs) == 0 || msgs[0] != (tea.QuitMsg{}) {
			t.Errorf("%s: got %v, want quit", k, msgs)
		}
	}
	select {
	case <-m.done:
	default:
		t.Error("quitting did not end the inventory wait")
	}
}

// TestLogsScreenOpensAndCloses: l starts the pair's stream and shows
// both sides' lines; esc pops the screen and stops the stream; a stream
// that cannot start says why in the status bar.
func TestLogsScreenOpensAndCloses(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 120, 30, withLogs)
	m = step(t, m, append(svc("payments/ledger"), keys("l")...)...)
	l, ok := m.top().(*logsScreen)
	if !ok || l.pair.Key() != "payments/ledger" {
		t.Fatalf("top is %T", m.top())
	}
	screen := screenText(m)
	if !strings.Contains(screen, "posted batch 105") || !strings.Contains(screen, "AccessDenied") {
		t.Fatalf("the logs screen lacks lines of both sides:\n%s", screen)
	}
	closed := false
	l.cancel = func() { closed = true }
	m = step(t, m, keys("esc")...)
	if !closed || len(m.stack) != 2 {
		t.Errorf("esc: cancel called %v, %d screens", closed, len(m.stack))
	}

	m, _ = newTestModel(t, 120, 30, func(c *Config) {
		c.Logs = func(context.Context, inventory.Pair) (logview.Feed, error) {
			return nil, errors.New("eks: pods is forbidden")
		}
	})
	m = step(t, m, keys("l")...)
	if s := screenText(m); !strings.Contains(s, "could not start: eks: pods is forbidden") {
		t.Errorf("a failed start is not explained:\n%s", s)
	}
}

// panicScreen is a screen with a bug: any key panics.
type panicScreen struct{ helpScreen }

func (p *panicScreen) Update(msg tea.Msg) tea.Cmd {
	if _, ok := msg.(tea.KeyPressMsg); ok {
		panic("boom")
	}
	return nil
}

func (p *panicScreen) View() string { panic("boom in view") }

// TestPanicsQuitCleanly: a bug in a screen's Update ends the program
// through tea.Quit, so bubbletea restores the terminal, and Run returns
// it; a bug in View draws an apology instead of killing the terminal.
func TestPanicsQuitCleanly(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 80, 24)
	m = m.push(&panicScreen{})
	if v := m.View(); !strings.Contains(v.Content, "ferry hit a bug") || !v.AltScreen {
		t.Errorf("View after a panic: %q", v.Content)
	}
	next, quit := m.Update(keys("x")[0])
	if err := next.(Model).crash; err == nil || !strings.Contains(err.Error(), "boom") {
		t.Errorf("crash = %v", err)
	}
	if msgs := runCmd(quit); len(msgs) == 0 || msgs[0] != (tea.QuitMsg{}) {
		t.Errorf("the panic did not quit: %v", msgs)
	}
}

func TestRunRestoresAndReportsPanic(t *testing.T) {
	t.Parallel()
	inv := newFakeInventory(t)
	inv.objectsHook = func() { panic("boom in a command") }
	cfg := scenarioConfig(inv)
	in := strings.NewReader(":svc ledger\r")
	var out bytes.Buffer
	err := Run(context.Background(), cfg, tea.WithInput(in), tea.WithOutput(&out), tea.WithoutSignals(),
		tea.WithWindowSize(80, 24))
	if err == nil || !errors.Is(err, tea.ErrProgramPanic) {
		t.Fatalf("Run = %v, want the panic reported", err)
	}
}

func TestRunEndsWithContext(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cfg := scenarioConfig(newFakeInventory(t))
	r, w := io.Pipe()
	defer w.Close()
	go func() { time.Sleep(200 * time.Millisecond); cancel() }()
	if err := Run(ctx, cfg, tea.WithInput(r), tea.WithOutput(io.Discard), tea.WithoutSignals(), tea.WithWindowSize(80, 24)); err != nil {
		t.Errorf("Run after cancel = %v, want nil", err)
	}
}
