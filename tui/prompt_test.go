package tui

import (
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/ferry-dev/ferry/engine/inventory"
)

func noColor(c *Config) { c.NoColor = true }

// statusText is the status bar: where the command line is drawn.
func statusText(m Model) string {
	lines := strings.Split(screenText(m), "\n")
	return lines[len(lines)-2]
}

func TestPromptCursorMovesInsideTheValue(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 80, 24, noColor)
	m = step(t, m, append(keys("/"), typed("ldger")...)...)
	m = step(t, m, keys("left", "left", "left", "left")...)
	m = step(t, m, keys("e")...)
	s := m.stack[0].(*servicesScreen)
	if got := s.filter.Value(); got != "ledger" || len(s.rows) != 1 || cursorKey(m) != "payments/ledger" {
		t.Fatalf("e typed after left x4: value %q, %d rows, cursor on %q", got, len(s.rows), cursorKey(m))
	}
	if title := strings.Split(screenText(m), "\n")[3]; !strings.HasSuffix(title, "/le▏dger") {
		t.Errorf("the cursor should sit before the d: %q", title)
	}
	m = step(t, m, keys("end", "s", "home", "x", "right", "right", "backspace")...)
	if got := s.filter.Value(); got != "xldgers" {
		t.Errorf("home, end, right and backspace: value %q, want %q", got, "xldgers")
	}
}

func TestPromptErasing(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 80, 24)
	m = step(t, m, append(keys(":"), typed("svc payments/ledger")...)...)
	for _, tt := range []struct{ key, want string }{
		{"backspace", "svc payments/ledge"},
		{"ctrl+w", "svc "},
		{"ctrl+w", ""},
	} {
		m = step(t, m, keys(tt.key)...)
		if got := m.cmdline.Value(); got != tt.want {
			t.Fatalf("%s: %q, want %q", tt.key, got, tt.want)
		}
	}
	m = step(t, m, append(typed("ns orders"), keys("left", "left", "ctrl+u")...)...)
	if got := m.cmdline.Value(); got != "rs" {
		t.Errorf("ctrl+u erases before the cursor: %q, want %q", got, "rs")
	}
}

// A paste goes where typing goes, control characters dropped: an escape
// sequence, a bell and the line break at the end of a copied line never
// reach the value, so never the screen.
func TestPromptPasteDropsControlCharacters(t *testing.T) {
	t.Parallel()
	paste := tea.PasteMsg{Content: "\x1b[2Jled\x1b]0;x\x07ger\t\r\n"}
	m, _ := newTestModel(t, 80, 24, noColor)
	m = step(t, m, keys("/")...)
	m = step(t, m, paste)
	s := m.stack[0].(*servicesScreen)
	if got, want := s.filter.Value(), "[2Jled]0;xger"; got != want {
		t.Errorf("filter paste: %q, want %q", got, want)
	}
	if strings.ContainsRune(m.View().Content, '\x1b') {
		t.Error("the pasted escape reached the NO_COLOR screen")
	}
	m = step(t, m, keys("ctrl+u")...)
	m = step(t, m, tea.PasteMsg{Content: "ledger\n"})
	if got := s.filter.Value(); got != "ledger" || len(s.rows) != 1 {
		t.Errorf("a copied line's newline: value %q, %d rows", got, len(s.rows))
	}

	m = step(t, m, keys("esc", ":")...)
	m = step(t, m, tea.PasteMsg{Content: "svc\x1b[31m ledger\r\n"})
	if got, want := m.cmdline.Value(), "svc[31m ledger"; got != want {
		t.Errorf("command paste: %q, want %q", got, want)
	}
}

func TestCommandSuggestions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		typed, shown, accepted, wantTop string
	}{
		{"svc led", ":svc ledger", "svc ledger", "payments/ledger"},
		{"svc payments/le", ":svc payments/ledger", "svc payments/ledger", "payments/ledger"},
		{"logs led", ":logs ledger", "logs ledger", "logs payments/ledger"},
		{"ns pay", ":ns payments", "ns payments", "services"},
		{"svc zzz", ":svc zzz", "svc zzz", "services"}, // nothing to complete: tab does nothing
	}
	for _, tt := range tests {
		t.Run(tt.typed, func(t *testing.T) {
			t.Parallel()
			m, _ := newTestModel(t, 80, 24)
			m = step(t, m, append(keys(":"), typed(tt.typed)...)...)
			if got := strings.TrimRight(statusText(m), " "); got != tt.shown {
				t.Errorf("suggestion shown: %q, want %q", got, tt.shown)
			}
			m = step(t, m, keys("tab")...)
			if got := m.cmdline.Value(); got != tt.accepted {
				t.Fatalf("tab: %q, want %q", got, tt.accepted)
			}
			m = step(t, m, keys("enter")...)
			if got := m.top().Title(); got != tt.wantTop {
				t.Errorf("enter after tab: top %q, want %q", got, tt.wantTop)
			}
		})
	}
}

func TestCommandSuggestionsFollowTheSnapshot(t *testing.T) {
	t.Parallel()
	m, inv := newTestModel(t, 80, 24)
	m = step(t, m, append(keys(":"), typed("svc new")...)...)
	snap := inv.snap
	snap.Pairs = append(slices.Clone(snap.Pairs), inventory.Pair{Namespace: "payments", Name: "newsletter"})
	m = step(t, m, snapshotMsg{snap: snap})
	m = step(t, m, keys("tab")...)
	if got := m.cmdline.Value(); got != "svc newsletter" {
		t.Errorf("a service from the new snapshot: %q", got)
	}
}

func TestCommandSuggestionsList(t *testing.T) {
	t.Parallel()
	snap := inventory.Snapshot{Pairs: []inventory.Pair{
		{Namespace: "a", Name: "web"}, {Namespace: "b", Name: "web"}, {Namespace: "b", Name: "api"},
	}}
	want := []string{"logs a/web", "logs api", "logs b/api", "logs b/web", "ns a", "ns b",
		"svc a/web", "svc api", "svc b/api", "svc b/web"} // no bare "web": it names two services
	if got := commandSuggestions(snap); !slices.Equal(got, want) {
		t.Errorf("suggestions\n got %q\nwant %q", got, want)
	}
}

// With NO_COLOR not one escape byte leaves a focused prompt: the cursor
// is a block where the typed text ends (a suggestion follows it) or a bar
// before a character, never reverse video.
func TestPromptNoColorHasNoEscape(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 80, 24, noColor)
	for _, tt := range []struct {
		msgs []tea.Msg
		line int // the screen line the prompt is on
		want string
	}{
		{keys("/"), 3, "/█"},
		{typed("pay"), 3, "/pay█"},
		{keys("left"), 3, "/pa▏y"},
		{keys("enter", ":"), 22, ":█"},
		{typed("svc led"), 22, ":svc led█ger"},
		{keys("tab"), 22, ":svc ledger█"},
	} {
		m = step(t, m, tt.msgs...)
		v := m.View().Content
		if strings.ContainsRune(v, '\x1b') {
			t.Fatalf("escape byte in the NO_COLOR view after %q:\n%q", tt.want, v)
		}
		if got := strings.Split(v, "\n")[tt.line]; !strings.HasSuffix(got, tt.want) {
			t.Errorf("line %d is %q, want it to end in %q", tt.line, got, tt.want)
		}
	}
}
