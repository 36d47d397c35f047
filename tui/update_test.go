package tui

import (
	"fmt"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/ferry-dev/ferry/engine/inventory"
)

func TestNavigation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		keys []string
		want string
	}{
		{nil, "orders/fulfillment-worker"},
		{[]string{"j"}, "orders/invoice-renderer"},
		{[]string{"j", "j", "k"}, "orders/invoice-renderer"},
		{[]string{"down", "down", "up"}, "orders/invoice-renderer"},
		{[]string{"k"}, "orders/fulfillment-worker"}, // stops at the top
		{[]string{"G"}, "platform/feature-flags"},
		{[]string{"G", "j"}, "platform/feature-flags"}, // stops at the bottom
		{[]string{"G", "g"}, "orders/fulfillment-worker"},
		{[]string{"pgdown"}, "platform/feature-flags"}, // a page is more than 8 rows
		{[]string{"G", "pgup"}, "orders/fulfillment-worker"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.keys, ","), func(t *testing.T) {
			t.Parallel()
			m, _ := newTestModel(t, 80, 24)
			m = step(t, m, keys(tt.keys...)...)
			if got := cursorKey(m); got != tt.want {
				t.Errorf("cursor on %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPageMovesByVisibleRows(t *testing.T) {
	t.Parallel()
	m, inv := newTestModel(t, 80, 24)
	m = step(t, m, snapshotMsg{snap: manyPairs(inv.snap, 40)})
	s := m.stack[0].(*servicesScreen)
	page := s.page() // 24 - 5 frame lines - title - column header
	if page != 17 {
		t.Fatalf("page = %d, want 17", page)
	}
	m = step(t, m, keys("pgdown")...)
	if s.cursor != page {
		t.Errorf("pgdown: cursor %d, want %d", s.cursor, page)
	}
	if s.offset != 1 {
		t.Errorf("pgdown: offset %d, want 1 (the cursor on the last visible row)", s.offset)
	}
	checkFrame(t, m, 80, 24)
}

// manyPairs adds n in-sync services in namespace "zz", sorted last and
// after any it added before.
func manyPairs(snap inventory.Snapshot, n int) inventory.Snapshot {
	snap.Pairs = append([]inventory.Pair(nil), snap.Pairs...)
	base := len(snap.Pairs)
	for i := range n {
		w := workload("Deployment", 1, 1, 0, "svc", "1.0")
		snap.Pairs = append(snap.Pairs, inventory.Pair{Namespace: "zz", Name: fmt.Sprintf("svc-%02d", base+i),
			Source: w, Target: w, State: inventory.StateInSync})
	}
	snap.Generation++
	return snap
}

func TestEnterOpensDetailAndEscGoesBack(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 80, 24)
	m = step(t, m, keys("j", "j", "j", "j", "enter")...)
	d, ok := m.top().(*detailScreen)
	if !ok || d.key != "payments/ledger" {
		t.Fatalf("top is %T %q, want the ledger's detail", m.top(), m.top().Title())
	}
	if d.data == nil || len(d.data.diffs) == 0 {
		t.Fatal("the detail's diff was not loaded")
	}
	if !strings.Contains(screenText(m), `!           value: "100"`) {
		t.Errorf("the ledger's batch size drift is not on screen:\n%s", screenText(m))
	}
	m = step(t, m, keys("esc")...)
	if len(m.stack) != 1 || cursorKey(m) != "payments/ledger" {
		t.Errorf("after esc: %d screens, cursor %q", len(m.stack), cursorKey(m))
	}
	m = step(t, m, keys("esc")...) // nothing to go back to: no effect
	if len(m.stack) != 1 {
		t.Errorf("esc on home popped it")
	}
}

func TestDetailTabsAndScroll(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 80, 24)
	m = step(t, m, svc("orders-api")...)
	d := m.top().(*detailScreen)
	for _, tt := range []struct {
		key  string
		want detailTab
	}{{"tab", tabEnv}, {"tab", tabAWS}, {"tab", tabEvents}, {"tab", tabDiff}, {"shift+tab", tabEvents}, {"2", tabEnv}, {"1", tabDiff}} {
		m = step(t, m, keys(tt.key)...)
		if d.tab != tt.want {
			t.Errorf("after %s: tab %s, want %s", tt.key, tabNames[d.tab], tabNames[tt.want])
		}
	}
	m = step(t, m, keys("f", "j", "j")...)
	if d.vp.YOffset() != 2 {
		t.Errorf("j j: offset %d, want 2", d.vp.YOffset())
	}
	m = step(t, m, keys("G")...)
	if !d.vp.AtBottom() {
		t.Error("G: not at the bottom")
	}
	m = step(t, m, keys("g")...)
	if !d.vp.AtTop() {
		t.Error("g: not at the top")
	}
}

func TestEnvMasksSecrets(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 160, 48)
	m = step(t, m, append(svc("orders-api"), keys("2")...)...)
	out := screenText(m)
	for _, want := range []string{"secret/orders-db password", "DB_ADMIN_PASSWORD", masked} {
		if !strings.Contains(out, want) {
			t.Errorf("env tab lacks %q:\n%s", want, out)
		}
	}
	for _, tab := range []string{"1", "f", "2", "3", "4"} {
		m = step(t, m, keys(tab)...)
		if strings.Contains(screenText(m), secretValue) {
			t.Fatalf("tab %s shows the Secret's value", tab)
		}
	}
}

func TestFilter(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 80, 24)
	m = step(t, m, keys("/", "l", "e", "d")...)
	s := m.stack[0].(*servicesScreen)
	if len(s.rows) != 1 || cursorKey(m) != "payments/ledger" {
		t.Fatalf("/led: rows %v", s.rows)
	}
	// While the prompt has focus, q and ? are text, not quit and help.
	m = step(t, m, keys("q", "?")...)
	if len(m.stack) != 1 || s.filter.Value() != "ledq?" {
		t.Fatalf("q and ? were not typed: value %q, %d screens", s.filter.Value(), len(m.stack))
	}
	m = step(t, m, keys("backspace", "backspace", "enter")...)
	if s.filter.Focused() || s.query.text != "led" {
		t.Errorf("enter: focused %v, text %q", s.filter.Focused(), s.query.text)
	}
	m = step(t, m, keys("esc")...)
	if len(s.rows) != 8 || s.query.text != "" {
		t.Errorf("esc: %d rows, text %q; want the filter cleared", len(s.rows), s.query.text)
	}
	if cursorKey(m) != "payments/ledger" {
		t.Errorf("clearing the filter moved the cursor to %q", cursorKey(m))
	}
	m = step(t, m, keys("/", "x", "esc")...)
	if s.filter.Focused() || len(s.rows) != 8 {
		t.Errorf("esc in the prompt: focused %v, %d rows", s.filter.Focused(), len(s.rows))
	}
}

func TestSortToggle(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 80, 24)
	s := m.stack[0].(*servicesScreen)
	for i, want := range []sortColumn{sortState, sortDrift, sortRefs, sortRestarts, sortName} {
		m = step(t, m, keys("s")...)
		if s.query.sort != want {
			t.Errorf("s pressed %d times: sort %s, want %s", i+1, s.query.sort, want)
		}
	}
	m = step(t, m, keys("S")...)
	if !s.query.desc || s.rows[0].key != "platform/feature-flags" {
		t.Errorf("S: desc %v, first %q", s.query.desc, s.rows[0].key)
	}
	if cursorKey(m) != "orders/fulfillment-worker" {
		t.Errorf("sorting moved the cursor to %q", cursorKey(m))
	}
}

func TestCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line      string
		wantTop   string // the top screen's title
		wantErr   string // in the status bar
		wantRows  int
		wantQuit  bool
		wantCount int // screens
	}{
		{line: "svc payments/ledger", wantTop: "payments/ledger", wantCount: 2},
		{line: "svc ledger", wantTop: "payments/ledger", wantCount: 2},
		{line: "service fulfil", wantTop: "orders/fulfillment-worker", wantCount: 2},
		{line: "svc nope", wantTop: "services", wantErr: `no service "nope"`, wantCount: 1},
		{line: "svc -", wantTop: "services", wantErr: "matches", wantCount: 1},
		{line: "svc", wantTop: "services", wantErr: ":svc needs a service", wantCount: 1},
		{line: "ns payments", wantTop: "services", wantRows: 3, wantCount: 1},
		{line: "ns nope", wantTop: "services", wantErr: `no namespace "nope"`, wantRows: 8, wantCount: 1},
		{line: "logs ledger", wantTop: "logs payments/ledger", wantCount: 2},
		{line: "deploy", wantTop: "services", wantErr: `unknown command ":deploy"`, wantCount: 1},
		{line: "q", wantQuit: true, wantCount: 1},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			t.Parallel()
			m, _ := newTestModel(t, 80, 24)
			m = step(t, m, append(keys(":"), typed(tt.line)...)...)
			if !m.cmdline.Focused() {
				t.Fatal("the command line is not open")
			}
			next, cmd := m.Update(keys("enter")[0])
			if tt.wantQuit {
				if _, ok := runCmd(cmd)[0].(tea.QuitMsg); !ok {
					t.Fatal(":q did not quit")
				}
				return
			}
			m = step(t, next.(Model))
			for _, msg := range runCmd(cmd) {
				m = step(t, m, msg)
			}
			if got := m.top().Title(); got != tt.wantTop || len(m.stack) != tt.wantCount {
				t.Errorf("top %q of %d screens, want %q of %d", got, len(m.stack), tt.wantTop, tt.wantCount)
			}
			if tt.wantErr != "" && (!m.status.err || !strings.Contains(m.status.text, tt.wantErr)) {
				t.Errorf("status %+v, want an error with %q", m.status, tt.wantErr)
			}
			if tt.wantRows > 0 && len(m.stack[0].(*servicesScreen).rows) != tt.wantRows {
				t.Errorf("%d rows, want %d", len(m.stack[0].(*servicesScreen).rows), tt.wantRows)
			}
		})
	}
}

func TestNamespaceCommandFromDetailGoesHome(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 80, 24)
	m = step(t, m, svc("ledger")...)
	m = step(t, m, append(keys(":"), append(typed("ns orders"), keys("enter")...)...)...)
	if len(m.stack) != 1 || len(m.stack[0].(*servicesScreen).rows) != 3 {
		t.Errorf("%d screens, want the services filtered to orders", len(m.stack))
	}
	m = step(t, m, append(keys(":"), append(typed("ns"), keys("enter")...)...)...)
	if n := len(m.stack[0].(*servicesScreen).rows); n != 8 {
		t.Errorf(":ns alone: %d rows, want all 8", n)
	}
}

func TestParseCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		line    string
		want    command
		wantErr bool
	}{
		{"", command{}, false},
		{"  q ", command{verb: "quit"}, false},
		{"quit", command{verb: "quit"}, false},
		{"svc a/b", command{verb: "svc", arg: "a/b"}, false},
		{"ns", command{verb: "ns"}, false},
		{"log x", command{verb: "logs", arg: "x"}, false},
		{"logs", command{}, true},
		{"svc a b", command{}, true},
		{"rm -rf", command{}, true},
	}
	for _, tt := range tests {
		got, err := parseCommand(tt.line)
		if got != tt.want || (err != nil) != tt.wantErr {
			t.Errorf("parseCommand(%q) = %+v, %v; want %+v, error %v", tt.line, got, err, tt.want, tt.wantErr)
		}
	}
}
