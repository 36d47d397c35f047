package logs

import (
	"bytes"
	"encoding/json"
	"strconv"
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

// parseText fills Level, Msg, Fields and JSON from l.Text. A line that is
// not a JSON object (or is broken JSON) stays plain; logfmt "level=" still
// gives it a level so error counting works for both styles.
func parseText(l *Line) {
	t := strings.TrimSpace(l.Text)
	if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
		var obj map[string]any
		if json.Unmarshal([]byte(t), &obj) == nil {
			l.JSON = true
			l.Fields = make(map[string]string, min(len(obj), maxFields))
			flatten(l.Fields, "", obj)
			l.Level = strings.ToLower(pick(l.Fields, levelKeys))
			l.Msg = pick(l.Fields, msgKeys)
			return
		}
	}
	l.Level = strings.ToLower(logfmtValue(t, "level", "lvl"))
	l.Msg = logfmtValue(t, "msg")
}

// flatten copies scalars of a decoded object into f with dotted keys,
// stopping at maxFields and cutting long values.
func flatten(f map[string]string, prefix string, obj map[string]any) {
	for k, v := range obj {
		if len(f) >= maxFields {
			return
		}
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		var s string
		switch v := v.(type) {
		case map[string]any:
			flatten(f, key, v)
			continue
		case string:
			s = v
		case float64:
			s = strconv.FormatFloat(v, 'f', -1, 64)
		case bool:
			s = strconv.FormatBool(v)
		case nil:
			s = "null"
		default: // arrays: kept out, they rarely filter well and can be huge
			continue
		}
		s = Sanitize(s, false) // JSON escapes can smuggle ESC back in
		if len(s) > maxFieldBytes {
			s = s[:maxFieldBytes] + truncateMarker
		}
		f[key] = s
	}
}

func pick(f map[string]string, keys []string) string {
	for _, k := range keys {
		if v, ok := f[k]; ok {
			return v
		}
	}
	return ""
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
