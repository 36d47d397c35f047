package logview

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// marked is the fixture with a cutover's marker 4 s in, between lines of
// both sides.
func marked(t *testing.T, w, h int, mod func(*Options)) Model {
	t.Helper()
	m, _ := newTestModel(t, w, h, mod)
	m.Mark(Marker{Time: t0.Add(4 * time.Second), Text: "cutover: 10% to EKS (route53 shop.acme.example. CNAME 90/10)"})
	return m
}

// rowOf is the index of the first row containing s, -1 when none does.
func rowOf(view, s string) int {
	for i, r := range strings.Split(checkStrip(view), "\n") {
		if strings.Contains(r, s) {
			return i
		}
	}
	return -1
}

// TestMarkerAmongLines: a marker shows at its time, between the line
// before it and the line after it, as a rule; in split it shows in both
// columns; a filter that matches nothing of it keeps it.
func TestMarkerAmongLines(t *testing.T) {
	t.Parallel()
	m := marked(t, 120, 40, nil)
	view := checkFrame(t, m.View(), 120, 40)
	at := rowOf(view, "── cutover: 10% to EKS (route53 shop.acme.example. CNAME 90/10) ──")
	if at < 0 {
		t.Fatalf("no marker row:\n%s", view)
	}
	before, after := rowOf(view, "orders/1045 200"), rowOf(view, "orders/1046 200")
	if !(before < at && at < after) {
		t.Errorf("marker at row %d, want between 1045 (%d) and 1046 (%d):\n%s", at, before, after, view)
	}
	if row := strings.Split(view, "\n")[at]; !strings.Contains(row, "12:00:04.000") || !strings.HasSuffix(row, "──") {
		t.Errorf("marker row lacks its time or its rule: %q", row)
	}

	if !strings.Contains(view, " 32 lines ") {
		t.Errorf("the marker counts as a line:\n%s", view)
	}
	split := checkFrame(t, press(m, "s").View(), 120, 40)
	if n := strings.Count(split, "── cutover: 10%"); n != 2 {
		t.Errorf("split shows the marker %d times, want once per column:\n%s", n, split)
	}
	if !strings.Contains(split, "KOPS · 15 lines") || !strings.Contains(split, "EKS · 17 lines") {
		t.Errorf("the split headers count the marker:\n%s", split)
	}

	f := press(typeText(press(m, "i"), "AccessDenied"), "enter")
	if v := checkFrame(t, f.View(), 120, 40); !strings.Contains(v, "cutover: 10% to EKS") || !strings.Contains(v, "AccessDenied") {
		t.Errorf("the filter hid the marker or the line:\n%s", v)
	}
}

// TestMarkOnce: marking the same marker again adds nothing, so a caller
// can pass every marker it knows each time; a new one is added.
func TestMarkOnce(t *testing.T) {
	t.Parallel()
	m := marked(t, 120, 40, nil)
	n := m.buf.len()
	m.Mark(Marker{Time: t0.Add(4 * time.Second), Text: "cutover: 10% to EKS (route53 shop.acme.example. CNAME 90/10)"})
	if m.buf.len() != n {
		t.Errorf("the same marker again: %d entries, want %d", m.buf.len(), n)
	}
	m.Mark(Marker{Time: t0.Add(4 * time.Second), Text: "cutover: 50% to EKS"}, Marker{Time: t0.Add(9 * time.Second), Text: "cutover: rolled back"})
	if m.buf.len() != n+2 {
		t.Errorf("two new markers: %d entries, want %d", m.buf.len(), n+2)
	}
}

// TestMarkerWhilePaused keeps a paused view on the line it showed when a
// marker is merged in before it.
func TestMarkerWhilePaused(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 120, 40, nil)
	m = press(m, "k", "k", "k")
	sel := m.buf.at(m.sel.pos).Text
	m.Mark(Marker{Time: t0.Add(time.Second), Text: "cutover: 10% to EKS"})
	if got := m.buf.at(m.sel.pos).Text; got != sel {
		t.Errorf("the cursor moved from %q to %q", sel, got)
	}
}

// TestMarkerNoColorAndDetail: without colour the marker shows by its
// rule alone; enter on it says it is a marker.
func TestMarkerNoColorAndDetail(t *testing.T) {
	t.Parallel()
	m := marked(t, 80, 24, func(o *Options) { o.NoColor = true })
	view := m.View()
	if strings.Contains(view, "\x1b") || !strings.Contains(view, "── cutover: 10% to EKS") {
		t.Errorf("no-colour marker:\n%q", view)
	}
	m = press(m, "g")
	for i := 0; i < 40 && !strings.Contains(m.buf.at(m.sel.pos).Text, "cutover"); i++ {
		m = press(m, "j")
	}
	if v := checkFrame(t, press(m, "enter").View(), 80, 24); !strings.Contains(v, " marker  2025-06-01 12:00:04.000 UTC") {
		t.Errorf("the marker's detail:\n%s", v)
	}
}

// TestSaveWritesMarkers: a saved file has the marker between the lines
// at its time.
func TestSaveWritesMarkers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	m := marked(t, 80, 24, func(o *Options) { o.SaveDir = dir })
	_, cmd := m.Update(keyMsg("ctrl+s"))
	if msg := cmd().(savedMsg); msg.err != nil {
		t.Fatal(msg.err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "ferry-logs-shop-checkout-api-20250601-121000.000.log"))
	if err != nil {
		t.Fatal(err)
	}
	want := "2025-06-01T12:00:04.000000000Z ── cutover: 10% to EKS (route53 shop.acme.example. CNAME 90/10) ──\n"
	i := strings.Index(string(b), want)
	if i < 0 || !strings.Contains(string(b[:i]), "orders/1045 200") || strings.Contains(string(b[:i]), "orders/1046 200") {
		t.Errorf("saved file lacks the marker in place:\n%s", b)
	}
}
