package logview

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/ferry-dev/ferry/logs"
)

// firstKeys lead a JSON line's fields in this order: when, how bad, what;
// the rest follow by name.
var firstKeys = []string{"time", "ts", "timestamp", "@timestamp", "level", "lvl", "severity",
	"msg", "message", "error", "err"}

// detailView is one line in full: where it came from, then its JSON
// fields as an indented tree, or its text wrapped.
func (m Model) detailView(s screen, n int) []string {
	e := s.line
	head := " " + m.st.side[e.side].r(e.Side) + " " + e.Namespace + "/" + e.Pod + "/" + e.Container +
		"  " + m.st.dim.r(clock(e.Time))
	if e.marker {
		head = " " + m.st.marker.r("marker") + "  " + m.st.dim.r(clock(e.Time))
	}
	if e.Level != "" {
		lv := e.Level
		if e.IsError() {
			lv = m.st.bad.r(lv)
		}
		head += "  " + lv
	}
	rows := []string{head, ""}
	body := m.detailRows(e, m.w)
	room := max(n-2, 0)
	off := min(s.cur, max(len(body)-room, 0))
	return append(rows, body[off:min(len(body), off+room)]...)
}

// detailRows is the body of the detail view at width w.
func (m Model) detailRows(e entry, w int) []string {
	fields := fieldsOf(e.Line)
	if len(fields) == 0 {
		return wrapPlain(displayText(e.Text), 3, w)
	}
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, comparePaths)
	widths := leafWidths(keys)
	var rows []string
	var prev []string
	for _, k := range keys {
		path := strings.Split(k, ".")
		parent := path[:len(path)-1]
		common := 0
		for common < len(parent) && common < len(prev) && parent[common] == prev[common] {
			common++
		}
		for d := common; d < len(parent); d++ { // open the groups this key is in
			rows = append(rows, strings.Repeat("  ", d+1)+" "+m.st.key.r(parent[d]+":"))
		}
		prev = parent
		indent := 2*len(path) + 1
		name := padRight(path[len(path)-1]+":", widths[strings.Join(parent, ".")]+1)
		val := wrapPlain(displayText(fields[k]), 0, w-indent-len(name)-1)
		rows = append(rows, strings.Repeat(" ", indent)+m.st.key.r(name)+" "+val[0])
		for _, v := range val[1:] {
			rows = append(rows, strings.Repeat(" ", indent+ansi.StringWidth(name)+1)+v)
		}
	}
	return rows
}

// fieldsOf is a JSON line's fields, flattened with dotted keys. A Tail
// fills Line.Fields only when asked to (a map per line costs), so the one
// line on show is parsed here when they are missing.
func fieldsOf(l logs.Line) map[string]string {
	if l.Fields != nil || !l.JSON {
		return l.Fields
	}
	var obj map[string]any
	if json.Unmarshal([]byte(l.Text), &obj) != nil {
		return nil
	}
	f := map[string]string{}
	flattenJSON(f, "", obj)
	return f
}

func flattenJSON(f map[string]string, prefix string, obj map[string]any) {
	for k, v := range obj {
		if prefix != "" {
			k = prefix + "." + k
		}
		switch v := v.(type) {
		case map[string]any:
			flattenJSON(f, k, v)
		case string:
			f[k] = logs.Sanitize(v, false) // JSON escapes can smuggle ESC back in
		case float64:
			f[k] = strconv.FormatFloat(v, 'f', -1, 64)
		default: // bools, null, arrays: their JSON reads well
			b, _ := json.Marshal(v)
			f[k] = logs.Sanitize(string(b), false)
		}
	}
}

// leafWidths is the widest leaf name under each parent path, so the
// values of siblings line up.
func leafWidths(keys []string) map[string]int {
	w := map[string]int{}
	for _, k := range keys {
		parent, leaf := "", k
		if i := strings.LastIndexByte(k, '.'); i >= 0 {
			parent, leaf = k[:i], k[i+1:]
		}
		w[parent] = max(w[parent], ansi.StringWidth(leaf))
	}
	return w
}

// comparePaths orders dotted keys segment by segment, firstKeys first.
func comparePaths(a, b string) int {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		if as[i] == bs[i] {
			continue
		}
		return cmp.Or(cmp.Compare(rank(as[i]), rank(bs[i])), strings.Compare(as[i], bs[i]))
	}
	return cmp.Compare(len(as), len(bs))
}

func rank(seg string) int {
	if i := slices.Index(firstKeys, seg); i >= 0 {
		return i
	}
	return len(firstKeys)
}

// wrapPlain cuts s into rows of at most w cells, each after indent
// spaces; there is always at least one row.
func wrapPlain(s string, indent, w int) []string {
	w = max(w-indent, 8)
	pad := strings.Repeat(" ", indent)
	rows := []string{}
	for {
		var head string
		head, s, _ = cutWidth(s, w)
		rows = append(rows, pad+head)
		if s == "" {
			return rows
		}
	}
}
