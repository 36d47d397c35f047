package main

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// Pod annotations that drive the generated log content. The scenario seed puts
// them on pod templates, so every replica of a workload logs alike.
const (
	annLogProfile = "sandbox.ferry.dev/logs"
	annLogRate    = "sandbox.ferry.dev/log-rate"
	annLogErrors  = "sandbox.ferry.dev/log-errors"
	annLogInject  = "sandbox.ferry.dev/log-inject"
	annLogHistory = "sandbox.ferry.dev/log-history"
)

// Log profiles: what kind of program a container pretends to be.
const (
	profileHTTPJSON    = "http-json"
	profileHTTPPlain   = "http-plain"
	profileWorkerJSON  = "worker-json"
	profileWorkerPlain = "worker-plain"
	profileCrashloop   = "crashloop"
)

const (
	defaultLogRate   = 2.0
	defaultLogErrors = 0.02
	// maxLogRate keeps a typo in an annotation from filling the disk.
	maxLogRate = 1000.0
	// maxLogHistory bounds the lines written up front (make bench asks
	// for 10,000 per pod).
	maxLogHistory = 1_000_000
	// Share of lines at warn and debug level; errors come from the annotation.
	warnFraction  = 0.06
	debugFraction = 0.10
)

// Stream names as they appear in a CRI log line.
const (
	streamStdout = "stdout"
	streamStderr = "stderr"
)

// logSpec is the parsed, comparable form of a pod's log annotations.
type logSpec struct {
	profile string
	rate    float64 // lines per second per container, already scaled
	errors  float64 // fraction of lines at error level
	inject  string  // message planted at error level about every 10th line
	history int     // lines already in the log when the container starts
}

// parseLogSpec reads the annotations; a bad value falls back to its default
// because a pod must log something even when its template has a typo.
func parseLogSpec(ann map[string]string, rateScale float64) logSpec {
	s := logSpec{
		profile: ann[annLogProfile],
		rate:    parseFraction(ann[annLogRate], defaultLogRate, maxLogRate) * rateScale,
		errors:  parseFraction(ann[annLogErrors], defaultLogErrors, 1),
		inject:  ann[annLogInject],
		history: int(parseFraction(ann[annLogHistory], 0, maxLogHistory)),
	}
	switch s.profile {
	case profileHTTPJSON, profileHTTPPlain, profileWorkerJSON, profileWorkerPlain, profileCrashloop:
	default:
		s.profile = profileWorkerPlain
	}
	return s
}

func parseFraction(v string, def, max float64) float64 {
	f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if v == "" || err != nil || math.IsNaN(f) || f < 0 {
		return def
	}
	return min(f, max)
}

// genLine is one generated log event.
type genLine struct {
	stream string
	text   string // several lines joined by '\n' for a stack trace
	crash  bool   // the container's run ends with this line
}

// lineGen produces the content of one container's log. Everything except
// the time passed to next comes from its own seeded generator, so the same
// seed and pod give the same lines on every run.
type lineGen struct {
	rng     *rand.Rand
	profile string
	errors  float64
	inject  string
	phase   int // position in the crashloop cycle
	// Fixed per container, as a program's queue, broker and version do not
	// change from line to line.
	queue, broker, version string
}

// newLineGen seeds a generator from the writer's seed and a stable key such
// as "namespace/pod/container".
func newLineGen(seed uint64, key string, spec logSpec) *lineGen {
	h := fnv.New64a()
	h.Write([]byte(key))
	g := &lineGen{
		rng:     rand.New(rand.NewPCG(seed, h.Sum64())),
		profile: spec.profile,
		errors:  spec.errors,
		inject:  spec.inject,
	}
	g.queue = g.pick(workerQueues)
	g.broker = g.fill("{ip}:5672")
	g.version = g.fill("1.{small}.{small}")
	return g
}

// next returns the next line, formatted as if written at now.
func (g *lineGen) next(now time.Time) genLine {
	if g.inject != "" && g.rng.IntN(10) == 0 {
		return g.injected(now)
	}
	switch g.profile {
	case profileHTTPJSON:
		return g.httpJSON(now, g.level())
	case profileHTTPPlain:
		return g.httpPlain(now, g.level())
	case profileWorkerJSON:
		return g.workerJSON(now, g.level())
	case profileCrashloop:
		return g.crashloop()
	default:
		return g.workerPlain(g.level())
	}
}

// injected renders the planted message in the profile's own style.
func (g *lineGen) injected(now time.Time) genLine {
	msg := g.fill(g.inject)
	switch g.profile {
	case profileHTTPJSON, profileWorkerJSON:
		return genLine{stream: streamStdout, text: jsonLine(now, "error", msg)}
	case profileCrashloop:
		return genLine{stream: streamStderr, text: "level=error msg=" + strconv.Quote(msg)}
	case profileHTTPPlain:
		return genLine{stream: streamStderr, text: nginxErrorPrefix(g, now, "error") + msg}
	default:
		return genLine{stream: streamStderr, text: "ERROR " + msg}
	}
}

func (g *lineGen) level() string {
	p := g.rng.Float64()
	switch {
	case p < g.errors:
		return "error"
	case p < g.errors+warnFraction:
		return "warn"
	case p < g.errors+warnFraction+debugFraction:
		return "debug"
	}
	return "info"
}

func (g *lineGen) pick(choices []string) string {
	return choices[g.rng.IntN(len(choices))]
}

// fill replaces placeholders; unknown ones stay as written so a literal
// brace in an injected message survives.
func (g *lineGen) fill(tmpl string) string {
	var b strings.Builder
	for {
		end := strings.IndexByte(tmpl, '}')
		if end < 0 {
			break
		}
		// The innermost '{' so that "{0x{hex}" fills the {hex}.
		open := strings.LastIndexByte(tmpl[:end], '{')
		if open < 0 {
			b.WriteString(tmpl[:end+1])
			tmpl = tmpl[end+1:]
			continue
		}
		b.WriteString(tmpl[:open])
		if v, ok := g.value(tmpl[open+1 : end]); ok {
			b.WriteString(v)
		} else {
			b.WriteString(tmpl[open : end+1])
		}
		tmpl = tmpl[end+1:]
	}
	b.WriteString(tmpl)
	return b.String()
}

func (g *lineGen) value(name string) (string, bool) {
	switch name {
	case "uuid":
		return g.uuid(), true
	case "n":
		return strconv.Itoa(g.rng.IntN(100000)), true
	case "ms":
		return strconv.Itoa(g.millis()), true
	case "ip":
		return fmt.Sprintf("10.%d.%d.%d", g.rng.IntN(4), g.rng.IntN(256), 1+g.rng.IntN(254)), true
	case "hex":
		return fmt.Sprintf("%012x", g.rng.Uint64()&0xffffffffffff), true
	case "small":
		return strconv.Itoa(1 + g.rng.IntN(9)), true
	case "broker":
		return g.broker, true
	case "version":
		return g.version, true
	}
	return "", false
}

// millis draws a log-normal latency around 20 ms: mostly fast, a long tail.
func (g *lineGen) millis() int {
	return max(1, int(math.Exp(3+g.rng.NormFloat64())))
}

func (g *lineGen) uuid() string {
	hi, lo := g.rng.Uint64(), g.rng.Uint64()
	hi = hi&^0xf000 | 0x4000 // version 4
	lo = lo&^(3<<62) | 1<<63 // RFC 4122 variant
	return fmt.Sprintf("%08x-%04x-%04x-%04x-%012x",
		hi>>32, hi>>16&0xffff, hi&0xffff, lo>>48, lo&0xffffffffffff)
}

// field is one key of a JSON log record; records keep their key order
// because real loggers (zap, zerolog) put ts, level and msg first.
type field struct {
	k string
	v any
}

// jsonLine encodes a record whose first keys are ts, level and msg.
func jsonLine(now time.Time, level, msg string, fields ...field) string {
	all := append([]field{
		{"ts", now.UTC().Format("2006-01-02T15:04:05.000Z07:00")},
		{"level", level},
		{"msg", msg},
	}, fields...)
	b := []byte{'{'}
	for i, f := range all {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, f.k)
		b = append(b, ':')
		v, err := json.Marshal(f.v)
		if err != nil {
			v = []byte(strconv.Quote(fmt.Sprint(f.v)))
		}
		b = append(b, v...)
	}
	return string(append(b, '}'))
}

// appendCRI appends text as CRI log lines ("<RFC3339Nano> <stream> F <msg>"),
// one per line of text, all with the same timestamp as a runtime would give
// a single write.
func appendCRI(buf []byte, ts time.Time, stream, text string) []byte {
	for line := range strings.SplitSeq(text, "\n") {
		buf = ts.UTC().AppendFormat(buf, time.RFC3339Nano)
		buf = append(buf, ' ')
		buf = append(buf, stream...)
		buf = append(buf, " F "...)
		buf = append(buf, line...)
		buf = append(buf, '\n')
	}
	return buf
}
