package main

import (
	"encoding/json"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"
)

var (
	criLine  = regexp.MustCompile(`^(\S+) (stdout|stderr) F (.*)$`)
	unfilled = regexp.MustCompile(`\{(uuid|n|ms|ip|hex|small|broker|version)\}`)
	uuidRE   = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

var allProfiles = []string{profileHTTPJSON, profileHTTPPlain, profileWorkerJSON, profileWorkerPlain, profileCrashloop}

// genLines draws n lines with a fixed clock so runs compare equal.
func genLines(seed uint64, key string, spec logSpec, n int) []genLine {
	g := newLineGen(seed, key, spec)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	out := make([]genLine, n)
	for i := range out {
		out[i] = g.next(t0.Add(time.Duration(i) * time.Millisecond))
	}
	return out
}

func TestCRIFormat(t *testing.T) {
	t.Parallel()
	ts := time.Date(2026, 3, 1, 12, 0, 0, 123400000, time.FixedZone("x", 3600))
	got := string(appendCRI(nil, ts, streamStderr, "panic: boom\n\ngoroutine 1"))
	want := "2026-03-01T11:00:00.1234Z stderr F panic: boom\n" +
		"2026-03-01T11:00:00.1234Z stderr F \n" +
		"2026-03-01T11:00:00.1234Z stderr F goroutine 1\n"
	if got != want {
		t.Fatalf("appendCRI =\n%q\nwant\n%q", got, want)
	}
	m := criLine.FindStringSubmatch(strings.SplitN(got, "\n", 2)[0])
	if m == nil {
		t.Fatal("line does not match the CRI pattern")
	}
	if p, err := time.Parse(time.RFC3339Nano, m[1]); err != nil || !p.Equal(ts) {
		t.Fatalf("timestamp %q parses to %v, %v; want %v", m[1], p, err, ts)
	}
}

func TestGenProfilesProduceValidLines(t *testing.T) {
	t.Parallel()
	for _, p := range allProfiles {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			crashes := 0
			for i, l := range genLines(7, "ns/pod/app", logSpec{profile: p, errors: 0.1}, 400) {
				if l.stream != streamStdout && l.stream != streamStderr {
					t.Fatalf("line %d: stream %q", i, l.stream)
				}
				if l.text == "" || unfilled.MatchString(l.text) || strings.Contains(l.text, "\r") {
					t.Fatalf("line %d: empty, or an unfilled placeholder: %q", i, l.text)
				}
				if strings.Contains(l.text, "\n") && !l.crash {
					t.Fatalf("line %d: only a fatal stack trace may span lines: %q", i, l.text)
				}
				if l.crash {
					crashes++
				}
				if p == profileHTTPJSON || p == profileWorkerJSON {
					checkJSONLine(t, l.text)
				}
			}
			if (p == profileCrashloop) != (crashes > 0) {
				t.Fatalf("%d crash lines for profile %s", crashes, p)
			}
		})
	}
}

func checkJSONLine(t *testing.T, text string) {
	t.Helper()
	var rec map[string]any
	if err := json.Unmarshal([]byte(text), &rec); err != nil {
		t.Fatalf("not JSON: %q: %v", text, err)
	}
	switch rec["level"] {
	case "debug", "info", "warn", "error":
	default:
		t.Fatalf("level %v in %q", rec["level"], text)
	}
	if msg, _ := rec["msg"].(string); msg == "" {
		t.Fatalf("no msg in %q", text)
	}
	if ts, _ := rec["ts"].(string); ts == "" {
		t.Fatalf("no ts in %q", text)
	}
}

// levelIsError recognises the error lines of every profile.
func levelIsError(profile, text string) bool {
	switch profile {
	case profileHTTPJSON, profileWorkerJSON:
		return strings.Contains(text, `"level":"error"`)
	case profileHTTPPlain:
		return strings.Contains(text, " [error] ")
	case profileCrashloop:
		return strings.HasPrefix(text, "level=error ")
	}
	return strings.HasPrefix(text, "ERROR ")
}

func TestGenErrorFraction(t *testing.T) {
	t.Parallel()
	const n = 3000
	for _, p := range allProfiles[:4] {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			for _, want := range []float64{0, 0.3} {
				errs := 0
				for _, l := range genLines(42, "ns/pod/app", logSpec{profile: p, errors: want}, n) {
					if levelIsError(p, l.text) {
						errs++
					}
				}
				if got := float64(errs) / n; math.Abs(got-want) > 0.02+want/10 {
					t.Errorf("errors=%v: got fraction %.3f", want, got)
				}
			}
		})
	}
}

func TestGenDeterministic(t *testing.T) {
	t.Parallel()
	spec := logSpec{profile: profileHTTPJSON, errors: 0.1, inject: "denied {uuid}"}
	a := genLines(3, "payments/checkout-api-0/app", spec, 200)
	b := genLines(3, "payments/checkout-api-0/app", spec, 200)
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("line %d differs for the same seed: %q vs %q", i, a[i].text, b[i].text)
		}
	}
	other := genLines(4, "payments/checkout-api-0/app", spec, 200)
	pod := genLines(3, "payments/checkout-api-1/app", spec, 200)
	if other[0] == a[0] && other[1] == a[1] || pod[0] == a[0] && pod[1] == a[1] {
		t.Fatal("another seed or pod gives the same lines")
	}
}

func TestGenInjectPlaceholders(t *testing.T) {
	t.Parallel()
	const inject = "AccessDenied: not authorized on arn:aws:sqs:us-east-1:111111111111:refunds (RequestID {uuid}, attempt {n}, {ms}ms) {keep}"
	for _, p := range allProfiles {
		hits := 0
		lines := genLines(9, "payments/refund-worker/app", logSpec{profile: p, inject: inject}, 2000)
		for _, l := range lines {
			i := strings.Index(l.text, "AccessDenied")
			if i < 0 {
				continue
			}
			hits++
			f := strings.Fields(l.text[i:])
			if id := strings.TrimSuffix(f[6], ","); !uuidRE.MatchString(id) {
				t.Fatalf("%s: {uuid} became %q in %q", p, id, l.text)
			}
			if strings.Contains(l.text, "{uuid}") || strings.Contains(l.text, "{n}") || strings.Contains(l.text, "{ms}") ||
				!strings.Contains(l.text, "{keep}") || !levelIsError(p, l.text) {
				t.Fatalf("%s: placeholders or level wrong in %q", p, l.text)
			}
		}
		if frac := float64(hits) / float64(len(lines)); frac < 0.07 || frac > 0.13 {
			t.Errorf("%s: injected on %.3f of lines, want about 0.1", p, frac)
		}
	}
}

func TestLogsParseSpec(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		ann  map[string]string
		want logSpec
	}{
		{"defaults", nil, logSpec{profile: profileWorkerPlain, rate: 2, errors: 0.02}},
		{"all set", map[string]string{annLogProfile: "http-json", annLogRate: "0.5", annLogErrors: "0.25", annLogInject: "x {n}"},
			logSpec{profile: profileHTTPJSON, rate: 0.5, errors: 0.25, inject: "x {n}"}},
		{"bad values", map[string]string{annLogProfile: "yaml", annLogRate: "fast", annLogErrors: "-1"},
			logSpec{profile: profileWorkerPlain, rate: 2, errors: 0.02}},
		{"clamped", map[string]string{annLogRate: "1e9", annLogErrors: "3"}, logSpec{profile: profileWorkerPlain, rate: maxLogRate, errors: 1}},
	}
	for _, tt := range tests {
		if got := parseLogSpec(tt.ann, 1); got != tt.want {
			t.Errorf("%s: got %+v, want %+v", tt.name, got, tt.want)
		}
	}
	if got := parseLogSpec(map[string]string{annLogRate: "3"}, 10); got.rate != 30 {
		t.Errorf("rate-scale 10 on rate 3: got %v", got.rate)
	}
}
