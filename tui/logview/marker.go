package logview

import (
	"strings"
	"time"

	"github.com/ferry-dev/ferry/logs"
)

// Marker is a moment to show among the lines at its time, such as a
// cutover's weight change ("cutover: 10% to EKS"), so that what the logs
// say lines up with what was done.
type Marker struct {
	Time time.Time
	Text string
}

// markerKey tells markers apart: the same text at the same instant is the
// same marker.
type markerKey struct {
	at   int64
	text string
}

// Mark shows markers among the lines at their times: in the merged view
// and in both split columns, whatever the filter, drawn as a rule across
// the text. A marker already added is not added again, so a caller may
// hand over every marker it knows each time. A marker is held like a line:
// at capacity the oldest go, markers among them.
func (m *Model) Mark(markers ...Marker) {
	var add []entry
	for _, mk := range markers {
		k := markerKey{at: mk.Time.UnixNano(), text: mk.Text}
		if _, seen := m.buf.marked[k]; seen {
			continue
		}
		m.buf.marked[k] = struct{}{}
		add = append(add, entry{Line: logs.Line{Time: mk.Time, Text: logs.Sanitize(mk.Text, false)}, match: true, marker: true})
	}
	if len(add) > 0 {
		m.merged(m.buf.insert(add), 0)
	}
}

// markerRow draws a marker after the gutter and the time as a rule that
// fills the column: "── cutover: 10% to EKS ─────".
func (m Model) markerRow(e *entry, c cols, selected bool) string {
	var pre strings.Builder
	if selected {
		pre.WriteString(m.st.sel.r("▸"))
	} else {
		pre.WriteByte(' ')
	}
	used := 1
	if c.time {
		pre.WriteString(m.st.dim.r(e.Time.UTC().Format(timeLayout)) + " ")
		used += timeW + 1
	}
	room := max(c.width-used, 1)
	body := "── " + displayText(e.Text) + " "
	text, rest, w := cutWidth(body, room)
	if rest != "" {
		text, _, w = cutWidth(body, room-1)
		text, w = text+"…", w+1
	}
	return pre.String() + m.st.marker.r(text+strings.Repeat("─", max(0, room-w)))
}
