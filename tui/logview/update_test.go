package logview

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ferry-dev/ferry/logs"
)

// selected is the text of the line under the cursor.
func selected(t *testing.T, m Model) string {
	t.Helper()
	if m.follow {
		t.Fatal("following: no line is selected")
	}
	return m.buf.at(m.sel.pos).Text
}

func TestToggles(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 80, 24, nil)
	if m.split || !m.showTime || m.wrap || !m.follow {
		t.Fatalf("defaults: split=%v time=%v wrap=%v follow=%v", m.split, m.showTime, m.wrap, m.follow)
	}
	m = press(m, "s", "t", "w", "space")
	if !m.split || m.showTime || !m.wrap || m.follow {
		t.Fatalf("after s t w space: split=%v time=%v wrap=%v follow=%v", m.split, m.showTime, m.wrap, m.follow)
	}
	screen := checkFrame(t, m.View(), 80, 24)
	if strings.Contains(screen, "12:00:0") || !strings.Contains(screen, "│") || !strings.Contains(screen, "PAUSED") {
		t.Errorf("split, no timestamps, paused not drawn:\n%s", screen)
	}
	m = press(m, "s", "t", "w", "space")
	if m.split || !m.showTime || m.wrap || !m.follow {
		t.Fatal("second press did not toggle back")
	}
}

func TestScrolling(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 80, 24, nil)
	m = press(m, "k")
	if got := selected(t, m); !strings.Contains(got, "AccessDenied") {
		t.Fatalf("k from following should select the line before the newest, got %q", got)
	}
	m = press(m, "k", "j", "j")
	if got := selected(t, m); !strings.Contains(got, `"retry":3`) {
		t.Fatalf("j/k: got %q", got)
	}
	m = press(m, "g")
	if got := selected(t, m); got != "GET /api/orders/1040 200 10ms" {
		t.Fatalf("g: got %q", got)
	}
	if !strings.Contains(checkFrame(t, m.View(), 80, 24), "▸12:00:00.000 KOPS") {
		t.Error("g: the oldest line is not on screen with the cursor")
	}
	m = press(m, "pgdown")
	if i := m.buf.index(listAll, m.sel.pos); i != m.linesRows()-1 {
		t.Errorf("pgdn moved to %d, want %d", i, m.linesRows()-1)
	}
	m = press(m, "pgup", "up", "down")
	if got := selected(t, m); !strings.Contains(got, "1040 200 14ms") {
		t.Errorf("pgup/up/down: got %q", got)
	}
	m = press(m, "G")
	if !m.follow {
		t.Error("G should follow again")
	}
}

func TestPausedCountsNewLinesAndKeepsView(t *testing.T) {
	t.Parallel()
	m, feed := newTestModel(t, 80, 24, nil)
	m = press(m, "space", "k", "k")
	before, sel := m.View(), selected(t, m)
	feed.add(plain("KOPS", 20*time.Second, kopsPod, "new line one"),
		plain("EKS", 21*time.Second, eksPod, "new line two"),
		plain("EKS", time.Second, eksPod, "late line, older than the screen"))
	m = tick(m)
	if m.fresh != 3 {
		t.Errorf("fresh = %d, want 3", m.fresh)
	}
	if got := selected(t, m); got != sel {
		t.Errorf("cursor moved from %q to %q", sel, got)
	}
	after := m.View()
	wantTitle := strings.Replace(strings.SplitN(ansiStrip(before), "\n", 2)[0], "+0 new", "+3 new", 1)
	wantTitle = strings.Replace(wantTitle, "32 lines", "35 lines", 1)
	if got := strings.SplitN(ansiStrip(after), "\n", 2); got[0] != wantTitle || got[1] != strings.SplitN(ansiStrip(before), "\n", 2)[1] {
		t.Errorf("paused view changed beyond the title:\nbefore:\n%s\nafter:\n%s", ansiStrip(before), ansiStrip(after))
	}
	m = press(m, "space")
	if !strings.Contains(ansiStrip(m.View()), "new line two") {
		t.Error("resuming did not show the new lines")
	}
}

func TestFilterPrompts(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 80, 24, nil)
	m = press(m, "i")
	if !m.Capturing() {
		t.Fatal("prompt open but not capturing")
	}
	m = typeText(m, `orders/104[0-3] `)
	m = press(m, "q", "backspace") // q is typed, not quit
	if !m.Capturing() || m.prompt.input.Value() != `orders/104[0-3] ` {
		t.Fatalf("q should be text in the prompt: %q", m.prompt.input.Value())
	}
	m = press(m, "enter")
	if m.Capturing() || m.flt.Include == nil {
		t.Fatal("valid include not applied")
	}
	if got, want := len(m.buf.list(listAll)), countMatching(`orders/104[0-3] `, ""); got != want || got != 8 {
		t.Errorf("include kept %d lines, want %d (8)", got, want)
	}
	m = press(typeText(press(m, "x"), `KOPS|1041`), "enter")
	if got, want := len(m.buf.list(listAll)), countMatching(`orders/104[0-3] `, `KOPS|1041`); got != want {
		t.Errorf("exclude kept %d lines, want %d", got, want)
	}

	// An invalid pattern keeps the old filter and the prompt open.
	prev := m.flt.Include
	m = press(typeText(press(m, "i", "ctrl+u"), `(orders`), "enter")
	if !m.Capturing() || m.flt.Include != prev || !strings.Contains(m.prompt.err, "missing closing )") {
		t.Fatalf("invalid regex: capturing=%v include=%v err=%q", m.Capturing(), m.flt.Include, m.prompt.err)
	}
	if !strings.Contains(ansiStrip(m.View()), "invalid regex: missing closing )") {
		t.Error("the error is not on screen")
	}
	m = press(m, "esc")
	if m.Capturing() || m.flt.Include != prev {
		t.Fatal("esc should close the prompt and keep the filter")
	}

	// Highlight never hides; an empty pattern turns a control off.
	n := len(m.buf.list(listAll))
	m = press(typeText(press(m, "h"), `200`), "enter")
	if m.flt.Highlight == nil || len(m.buf.list(listAll)) != n {
		t.Error("highlight hid lines or was not set")
	}
	m = press(press(m, "i", "ctrl+u"), "enter")
	if m.flt.Include != nil {
		t.Error("an empty include should turn it off")
	}
}

// countMatching counts fixture lines an include/exclude pair keeps.
func countMatching(include, exclude string) int {
	f := logs.Filter{Include: regexp.MustCompile(include)}
	if exclude != "" {
		f.Exclude = regexp.MustCompile(exclude)
	}
	n := 0
	for _, l := range fixture() {
		if f.Match(l) {
			n++
		}
	}
	return n
}

// TestFilterCoversWholeBuffer: a filter shows every held line it matches,
// not a sample near the tail (k9s #3364).
func TestFilterCoversWholeBuffer(t *testing.T) {
	t.Parallel()
	feed := newFeed(60_000)
	feed.add(plain("KOPS", 0, kopsPod, "needle at the very start"))
	for i := range 50_000 {
		feed.add(plain("EKS", time.Duration(i+1)*time.Millisecond, eksPod, "hay"))
	}
	m := New(feed, Options{Source: SideStyle{Label: "KOPS"}, Target: SideStyle{Label: "EKS"}})
	m.SetSize(80, 24)
	m = press(typeText(press(tick(m), "i"), "needle"), "enter")
	if got := len(m.buf.list(listAll)); got != 1 {
		t.Fatalf("include found %d lines, want 1", got)
	}
	if !strings.Contains(ansiStrip(m.View()), "needle at the very start") {
		t.Error("the oldest matching line is not shown")
	}
}

func TestResize(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 160, 48, nil)
	m = press(m, "g", "j", "j")
	sel := selected(t, m)
	for _, sz := range [][2]int{{80, 24}, {40, 8}, {200, 60}, {80, 24}} {
		m.SetSize(sz[0], sz[1])
		screen := checkFrame(t, m.View(), sz[0], sz[1])
		if got := selected(t, m); got != sel {
			t.Fatalf("resize to %v moved the cursor to %q", sz, got)
		}
		if !strings.Contains(screen, "▸") {
			t.Errorf("resize to %v: the cursor is off screen:\n%s", sz, screen)
		}
	}
}

func TestDetailAndTemplates(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 80, 24, nil)
	m = press(m, "enter")
	if !m.Capturing() || len(m.stack) != 1 || m.stack[0].kind != scrDetail {
		t.Fatal("enter should open the detail and capture esc")
	}
	if !strings.Contains(ansiStrip(m.View()), "host: orders-db.shop.svc") {
		t.Error("JSON fields not shown")
	}
	m = press(m, "esc")
	if m.Capturing() || len(m.stack) != 0 {
		t.Fatal("esc should close the detail")
	}
	m = press(m, "o", "j", "enter")
	if len(m.stack) != 2 || len(m.stack[1].lines) != 1 || !strings.Contains(m.stack[1].lines[0].Text, "AccessDenied") {
		t.Fatalf("the second template should open its one line: %+v", m.stack)
	}
	m = press(m, "q", "q")
	if len(m.stack) != 0 || m.Capturing() {
		t.Fatal("q should go back one level at a time")
	}
}

func TestTemplatesNotCollected(t *testing.T) {
	t.Parallel()
	m, feed := newTestModel(t, 80, 24, nil)
	feed.tmpl = nil
	m.syncKeys()
	if m.keys.Templates.Enabled() {
		t.Error("o is offered without templates")
	}
	m, _ = m.Update(keyMsg("o"))
	if len(m.stack) != 0 {
		t.Error("o without templates opened a view")
	}
}

func TestSave(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	m, _ := newTestModel(t, 80, 24, func(o *Options) { o.SaveDir = dir })
	m = press(typeText(press(m, "i"), "AccessDenied|refused"), "enter")
	m, cmd := m.Update(keyMsg("ctrl+s"))
	if cmd == nil {
		t.Fatal("ctrl+s returned no command")
	}
	m, _ = m.Update(cmd())
	want := filepath.Join(dir, "ferry-logs-shop-checkout-api-20250601-121000.000.log")
	m.SetSize(200, 24)
	if !strings.Contains(ansiStrip(m.View()), "saved 5 lines to "+want) {
		t.Errorf("save result not shown:\n%s", ansiStrip(m.View()))
	}
	b, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 5 || !strings.HasPrefix(lines[0], "2025-06-01T12:00:01.800000000Z EKS shop/"+eksPod+"/app {") {
		t.Errorf("saved file:\n%s", b)
	}
	// A second save in the same millisecond must not overwrite the first.
	_, cmd = m.Update(keyMsg("ctrl+s"))
	if msg := cmd().(savedMsg); msg.err == nil {
		t.Error("saving over an existing file should fail")
	}
}

func TestTicks(t *testing.T) {
	t.Parallel()
	m, feed := newTestModel(t, 80, 24, nil)
	if m.Init() == nil {
		t.Fatal("Init should start the tick")
	}
	if _, cmd := m.Update(tickMsg{id: m.id + 1000}); cmd != nil {
		t.Error("another pane's tick must not be re-armed here")
	}
	feed.add(plain("EKS", time.Minute, eksPod, "after a tick"))
	m, cmd := m.Update(tickMsg{id: m.id})
	if cmd == nil || m.buf.len() != len(fixture())+1 {
		t.Errorf("own tick: cmd=%v held=%d", cmd != nil, m.buf.len())
	}
}

// TestDropsCounted: lines the ring lost before a pull and lines the pane
// evicted at capacity are both counted on screen.
func TestDropsCounted(t *testing.T) {
	t.Parallel()
	feed := newFeed(10)
	m := New(feed, Options{Capacity: 5, Source: SideStyle{Label: "KOPS"}, Target: SideStyle{Label: "EKS"}})
	m.SetSize(100, 24)
	for i := range 14 {
		feed.add(plain("KOPS", time.Duration(i)*time.Second, kopsPod, "line"))
	}
	m = tick(m)
	if m.lost != 4 || m.buf.evicted != 5 || m.buf.len() != 5 {
		t.Fatalf("lost=%d evicted=%d held=%d", m.lost, m.buf.evicted, m.buf.len())
	}
	if !strings.Contains(ansiStrip(m.View()), "dropped 9 (ring 4, pane 5)") {
		t.Errorf("drops not shown:\n%s", ansiStrip(m.View()))
	}
}

func TestHelp(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 80, 24, nil)
	if len(m.ShortHelp()) == 0 || len(m.FullHelp()) != 4 {
		t.Fatal("help is empty")
	}
	if m.keys.Focus.Enabled() {
		t.Error("tab is offered in the merged layout")
	}
	m = press(m, "s")
	if !m.keys.Focus.Enabled() {
		t.Error("tab is not offered in split")
	}
	m = press(m, "i")
	for _, b := range m.ShortHelp() {
		if b.Help().Key != "enter" && b.Help().Key != "esc" {
			t.Errorf("prompt help offers %q", b.Help().Key)
		}
	}
}

func TestPasteIntoPrompt(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 80, 24, nil)
	m = press(m, "x")
	m, _ = m.Update(tea.PasteMsg{Content: "health\x1b[2Jz"})
	if got := m.prompt.input.Value(); got != "health[2Jz" {
		t.Errorf("paste: %q (control bytes must go)", got)
	}
	// A copied line's newline would end the regex in a space.
	m, _ = m.Update(tea.PasteMsg{Content: "|orders\t\r\n"})
	if got := m.prompt.input.Value(); got != "health[2Jz|orders" {
		t.Errorf("paste: %q (tabs and line breaks must go)", got)
	}
	if strings.ContainsRune(ansiStrip(m.View()), '\x1b') {
		t.Error("an escape from the paste reached the screen")
	}
}

func TestPromptEditsInTheMiddle(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 80, 24, func(o *Options) { o.NoColor = true })
	m = typeText(press(m, "i"), "orders/14")
	m = typeText(press(m, "left", "left"), "10")
	if got := m.prompt.input.Value(); got != "orders/1014" {
		t.Fatalf("typed after left x2: %q", got)
	}
	if row := messageRowOf(m.View()); !strings.HasSuffix(row, "include › orders/10▏14") {
		t.Errorf("the cursor should sit before the 1: %q", row)
	}
	m = press(m, "right", "delete", "ctrl+a", "delete", "ctrl+e", "backspace", "ctrl+w")
	if got := m.prompt.input.Value(); got != "" {
		t.Errorf("right, delete, ctrl+a, delete, ctrl+e, backspace, ctrl+w: %q", got)
	}
	m = typeText(m, "a b c")
	m = press(m, "left", "ctrl+u")
	if got := m.prompt.input.Value(); got != "c" {
		t.Errorf("ctrl+u keeps what follows the cursor: %q", got)
	}
}

func ansiStrip(s string) string { return checkStrip(s) }

// messageRowOf is the view's last row: the prompt while one is open.
func messageRowOf(view string) string {
	rows := strings.Split(view, "\n")
	return strings.TrimRight(rows[len(rows)-1], " ")
}
