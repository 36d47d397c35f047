package logview

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ferry-dev/ferry/logs"
)

// savedMsg is the result of a save, for the message row.
type savedMsg struct {
	path string
	n    int
	err  error
}

func (s savedMsg) note() note {
	if s.err != nil {
		return note{text: "save failed: " + s.err.Error() + "; check the save directory", err: true}
	}
	return note{text: "saved " + commas(s.n) + " lines to " + s.path}
}

// save writes the lines that pass the filter, in the pane's time order,
// to a new file in SaveDir. The lines are copied here, in Update, and the
// file is written by the command, so the closure reads no model field.
func (m *Model) save() tea.Cmd {
	l := m.buf.list(listAll)
	lines := make([]logs.Line, len(l))
	for i, p := range l {
		lines[i] = m.buf.at(p).Line
	}
	path := filepath.Join(m.opts.SaveDir, saveName(m.opts.Title, m.opts.Now()))
	m.note = note{text: "saving " + commas(len(lines)) + " lines…"}
	return func() tea.Msg { return writeLines(path, lines) }
}

// saveName is ferry-logs-<title>-<time>.log with the title made safe
// for a file name.
func saveName(title string, now time.Time) string {
	slug := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			return r
		}
		return '-'
	}, title)
	if slug != "" {
		slug += "-"
	}
	return "ferry-logs-" + slug + now.UTC().Format("20060102-150405.000") + ".log"
}

// writeLines writes one line per log line: time, side, where, text; a
// marker (the one kind of line without a side) as its time and text
// between rules. It never overwrites a file.
func writeLines(path string, lines []logs.Line) savedMsg {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return savedMsg{path: path, err: err}
	}
	w := bufio.NewWriterSize(f, 64<<10)
	for _, l := range lines {
		if l.Side == "" {
			fmt.Fprintf(w, "%s ── %s ──\n", l.Time.UTC().Format("2006-01-02T15:04:05.000000000Z"), l.Text)
			continue
		}
		fmt.Fprintf(w, "%s %s %s/%s/%s %s\n", l.Time.UTC().Format("2006-01-02T15:04:05.000000000Z"),
			l.Side, l.Namespace, l.Pod, l.Container, l.Text)
	}
	err = w.Flush()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return savedMsg{path: path, err: fmt.Errorf("write %s: %w", path, err)}
	}
	return savedMsg{path: path, n: len(lines)}
}
