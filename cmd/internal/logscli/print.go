package logscli

import (
	"bufio"
	"encoding/json"
	"hash/fnv"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ferry-dev/ferry/cmd/internal/cli"
	"github.com/ferry-dev/ferry/logs"
)

// linePrinter writes merged lines: text with side and pod prefixes, or one
// JSON object per line. It buffers; flush after each batch.
type linePrinter struct {
	w          *bufio.Writer
	json       bool
	color      bool
	timestamps bool
	namespace  bool // several namespaces: prefix pods with theirs
	filter     logs.Filter
	sideColor  map[string]string // label -> SGR prefix
	pad        map[string]string // label -> label padded to the widest
	buf        []byte
}

// Pod colours: readable 256-colour numbers on dark and light backgrounds,
// chosen by a hash of the pod name so a pod keeps its colour across runs.
var podPalette = []int{33, 37, 41, 64, 71, 97, 103, 130, 133, 139, 166, 172, 178, 31, 67, 109}

func newLinePrinter(w io.Writer, o logsOptions, colors map[string]string) *linePrinter {
	p := &linePrinter{
		w: bufio.NewWriterSize(w, 64<<10), json: o.output == "json", color: o.colorOn,
		timestamps: o.timestamps, namespace: o.multiNamespace, filter: o.filter, sideColor: map[string]string{},
	}
	for label, c := range colors {
		p.sideColor[label] = sgrFor(c)
	}
	return p
}

// sgrFor turns a plan colour ("#rrggbb" or "0"-"255") into an SGR prefix.
func sgrFor(c string) string {
	if n, err := strconv.Atoi(c); err == nil && n >= 0 && n <= 255 {
		return "\x1b[1;38;5;" + c + "m"
	}
	if len(c) == 7 && c[0] == '#' {
		if v, err := strconv.ParseUint(c[1:], 16, 32); err == nil {
			return "\x1b[1;38;2;" + strconv.Itoa(int(v>>16)) + ";" + strconv.Itoa(int(v>>8&0xff)) + ";" + strconv.Itoa(int(v&0xff)) + "m"
		}
	}
	return "\x1b[1m"
}

func podColor(pod string) string {
	h := fnv.New32a()
	h.Write([]byte(pod))
	return "\x1b[38;5;" + strconv.Itoa(podPalette[h.Sum32()%uint32(len(podPalette))]) + "m"
}

// print writes one line if the filter keeps it.
func (p *linePrinter) print(l *logs.Line) error {
	if !p.filter.Match(*l) {
		return nil
	}
	if p.json {
		return p.printJSON(l)
	}
	b := p.buf[:0]
	if p.timestamps {
		b = l.Time.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
		b = append(b, ' ')
	}
	side, ok := p.pad[l.Side]
	if !ok {
		side = l.Side
	}
	b = p.paint(b, p.sideColor[l.Side], side)
	b = append(b, ' ')
	pod := l.Pod
	if p.namespace {
		pod = l.Namespace + "/" + l.Pod
	}
	b = p.paint(b, podColorIf(p.color, l.Pod), pod)
	b = append(b, ' ')
	b = p.paint(b, "\x1b[2m", l.Container)
	b = append(b, ' ')
	b = p.text(b, l)
	b = append(b, '\n')
	p.buf = b
	_, err := p.w.Write(b)
	return err
}

func podColorIf(on bool, pod string) string {
	if !on {
		return ""
	}
	return podColor(pod)
}

func (p *linePrinter) paint(b []byte, sgr, s string) []byte {
	if !p.color || sgr == "" {
		return append(b, s...)
	}
	b = append(b, sgr...)
	b = append(b, s...)
	return append(b, cli.ANSIReset...)
}

// text appends the message, error lines in red and highlight matches in
// reverse video when colour is on.
func (p *linePrinter) text(b []byte, l *logs.Line) []byte {
	if !p.color {
		return append(b, l.Text...)
	}
	hl := p.filter.Highlights(*l)
	if l.IsError() {
		b = append(b, cli.ANSIRed...)
	}
	at := 0
	for _, r := range hl {
		b = append(b, l.Text[at:r[0]]...)
		b = append(b, "\x1b[7m"...)
		b = append(b, l.Text[r[0]:r[1]]...)
		b = append(b, "\x1b[27m"...)
		at = r[1]
	}
	b = append(b, l.Text[at:]...)
	if l.IsError() {
		b = append(b, cli.ANSIReset...)
	}
	return b
}

// JSONLine is the -o json shape: one object per line, stable keys.
type JSONLine struct {
	Time      time.Time         `json:"time"`
	Side      string            `json:"side"`
	Namespace string            `json:"namespace"`
	Pod       string            `json:"pod"`
	Container string            `json:"container"`
	Level     string            `json:"level,omitempty"`
	Msg       string            `json:"msg,omitempty"`
	Text      string            `json:"text"`
	Fields    map[string]string `json:"fields,omitempty"`
}

func (p *linePrinter) printJSON(l *logs.Line) error {
	b, err := json.Marshal(JSONLine{Time: l.Time, Side: l.Side, Namespace: l.Namespace, Pod: l.Pod,
		Container: l.Container, Level: l.Level, Msg: l.Msg, Text: l.Text, Fields: l.Fields})
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = p.w.Write(b)
	return err
}

func (p *linePrinter) flush() error { return p.w.Flush() }

// sideWidth pads side labels to one width so pods line up.
func sideWidth(labels []string) int {
	w := 0
	for _, l := range labels {
		w = max(w, len(l))
	}
	return w
}

// padLabels returns labels padded to the same width, keyed by label.
func padLabels(labels []string) map[string]string {
	w := sideWidth(labels)
	out := map[string]string{}
	for _, l := range labels {
		out[l] = l + strings.Repeat(" ", w-len(l))
	}
	return out
}
