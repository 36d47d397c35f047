package logs

import (
	"bytes"

	"github.com/valyala/fastjson"
	"strings"
	"time"
)

// Line is one log line from one container on one side.
type Line struct {
	Side      string // the source's label, e.g. "KOPS"
	Namespace string
	Pod       string
	Container string
	Time      time.Time // the kubelet's timestamp
	Text      string    // sanitized; safe to print
	Level     string    // lower case: "info", "error", ... or "" when unknown
	Msg       string    // the message of a structured line, else ""
	Fields    map[string]string
	JSON      bool   // Text parsed as a JSON object
	Seq       uint64 // position in the Ring, set by Add
}

// Limits that keep one hostile line from costing unbounded memory or time.
const (
	MaxLineBytes   = 64 << 10 // longer lines are cut and marked
	maxFields      = 32
	maxFieldBytes  = 256
	truncateMarker = " …[truncated]"
)

var (
	levelKeys = []string{"level", "lvl", "severity", "loglevel"}
	msgKeys   = []string{"msg", "message"}
)

// lineParser reads the structure of one stream's lines. It reuses its
// JSON parser, so a stream allocates little per line; not safe for
// concurrent use.
type lineParser struct {
	json   fastjson.Parser
	fields bool // fill Line.Fields, which costs a map per JSON line
}

// parseText fills Level, Msg, Fields and JSON from l.Text; tests and
// one-off callers use it.
func parseText(l *Line) { (&lineParser{fields: true}).parse(l) }

// parse fills Level, Msg and JSON (and Fields when asked) from l.Text. A
// line that is not a JSON object (or is broken JSON) stays plain; logfmt
// "level=" still gives it a level so error counting works for both styles.
func (lp *lineParser) parse(l *Line) {
	t := strings.TrimSpace(l.Text)
	if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
		if v, err := lp.json.Parse(t); err == nil {
			o, _ := v.Object()
			l.JSON = true
			l.Level = level(firstScalar(o, levelKeys))
			l.Msg = firstScalar(o, msgKeys)
			if lp.fields {
				l.Fields = make(map[string]string, min(o.Len(), maxFields))
				flatten(l.Fields, "", o)
			}
			return
		}
	}
	l.Level = level(logfmtValue(t, "level", "lvl"))
	l.Msg = logfmtValue(t, "msg")
}

// knownLevels are shared strings for the usual levels, so a line's Level
// costs no allocation of its own.
var knownLevels = []string{"trace", "debug", "info", "notice", "warn", "warning", "error", "err", "fatal", "panic", "critical", "crit"}

// level lower-cases a level, sharing the known ones.
func level(s string) string {
	for _, k := range knownLevels {
		if strings.EqualFold(s, k) {
			return k
		}
	}
	return strings.ToLower(s)
}

// FieldMap returns a JSON line's fields flattened with dotted keys (at most
// 32, long values cut), parsing Text when the stream did not fill Fields;
// nil for a plain line.
func (l Line) FieldMap() map[string]string {
	if l.Fields != nil || !l.JSON {
		return l.Fields
	}
	var p fastjson.Parser
	v, err := p.Parse(strings.TrimSpace(l.Text))
	if err != nil {
		return nil
	}
	o, _ := v.Object()
	f := make(map[string]string, min(o.Len(), maxFields))
	flatten(f, "", o)
	return f
}

// firstScalar is the sanitized value of the first of keys the object has.
func firstScalar(o *fastjson.Object, keys []string) string {
	for _, k := range keys {
		if v := o.Get(k); v != nil {
			s, _ := scalar(v)
			return s
		}
	}
	return ""
}

// scalar renders a string, number, bool or null; ok is false for objects
// and arrays. Values are sanitized: JSON escapes can smuggle ESC back in.
func scalar(v *fastjson.Value) (string, bool) {
	switch v.Type() {
	case fastjson.TypeString:
		return Sanitize(string(v.GetStringBytes()), false), true
	case fastjson.TypeNumber, fastjson.TypeTrue, fastjson.TypeFalse, fastjson.TypeNull:
		return string(v.MarshalTo(nil)), true
	}
	return "", false
}

// flatten copies scalars of an object into f with dotted keys, stopping at
// maxFields and cutting long values. Arrays are left out: they rarely
// filter well and can be huge.
func flatten(f map[string]string, prefix string, o *fastjson.Object) {
	o.Visit(func(k []byte, v *fastjson.Value) {
		if len(f) >= maxFields {
			return
		}
		key := string(k)
		if prefix != "" {
			key = prefix + "." + key
		}
		if v.Type() == fastjson.TypeObject {
			sub, _ := v.Object()
			flatten(f, key, sub)
			return
		}
		s, ok := scalar(v)
		if !ok {
			return
		}
		if len(s) > maxFieldBytes {
			s = s[:maxFieldBytes] + truncateMarker
		}
		f[key] = s
	})
}

// logfmtValue finds key=value (value optionally double-quoted) in a
// logfmt-ish line without a regexp.
func logfmtValue(t string, keys ...string) string {
	for _, k := range keys {
		i := 0
		for {
			j := strings.Index(t[i:], k+"=")
			if j < 0 {
				break
			}
			j += i
			i = j + len(k) + 1
			if j > 0 && t[j-1] != ' ' {
				continue
			}
			rest := t[i:]
			if strings.HasPrefix(rest, `"`) {
				if end := strings.IndexByte(rest[1:], '"'); end >= 0 {
					return rest[1 : end+1]
				}
				return rest[1:]
			}
			if end := strings.IndexByte(rest, ' '); end >= 0 {
				return rest[:end]
			}
			return rest
		}
	}
	return ""
}

// splitTimestamp splits "<RFC3339Nano> text" as the kubelet sends it with
// Timestamps: true. A line without a valid stamp keeps a zero time.
func splitTimestamp(b []byte) (time.Time, []byte) {
	sp := bytes.IndexByte(b, ' ')
	if sp <= 0 || sp > 40 {
		return time.Time{}, b
	}
	ts, err := time.Parse(time.RFC3339Nano, string(b[:sp]))
	if err != nil {
		return time.Time{}, b
	}
	return ts, b[sp+1:]
}

// IsError reports whether a line counts as an error line: level error,
// fatal, panic or critical.
func (l Line) IsError() bool {
	switch l.Level {
	case "error", "err", "fatal", "panic", "critical", "crit":
		return true
	}
	return false
}
