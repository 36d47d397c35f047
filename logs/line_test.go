package logs

import (
	"io"
	"strings"
	"testing"
)

func TestParseText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text, level, msg string
		json                   bool
		field, value           string
	}{
		{"json", `{"level":"ERROR","msg":"boom","status":500}`, "error", "boom", true, "status", "500"},
		{"json severity message", `{"severity":"warn","message":"slow"}`, "warn", "slow", true, "", ""},
		{"nested", `{"lvl":"info","msg":"x","http":{"req":{"path":"/a"}},"tags":[1,2]}`, "info", "x", true, "http.req.path", "/a"},
		{"broken json", `{"level":"error","msg":`, "", "", false, "", ""},
		{"plain", `GET /healthz 200`, "", "", false, "", ""},
		{"logfmt", `level=error msg="connect to broker failed" attempt=4`, "error", "connect to broker failed", false, "", ""},
		{"escape in json value", `{"msg":"a\u001b]0;t\u0007b"}`, "", "ab", true, "msg", "ab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := Line{Text: tt.text}
			parseText(&l)
			if l.Level != tt.level || l.Msg != tt.msg || l.JSON != tt.json {
				t.Errorf("got level %q msg %q json %v, want %q %q %v", l.Level, l.Msg, l.JSON, tt.level, tt.msg, tt.json)
			}
			if tt.field != "" && l.Fields[tt.field] != tt.value {
				t.Errorf("field %s = %q, want %q (fields %v)", tt.field, l.Fields[tt.field], tt.value, l.Fields)
			}
		})
	}
}

func TestParseFieldsBounded(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(`{"msg":"m"`)
	for i := range 100 {
		b.WriteString(`,"k` + strings.Repeat("x", i) + `":"` + strings.Repeat("v", 1000) + `"`)
	}
	b.WriteString("}")
	l := Line{Text: b.String()}
	parseText(&l)
	if len(l.Fields) > maxFields {
		t.Errorf("%d fields, want <= %d", len(l.Fields), maxFields)
	}
	for k, v := range l.Fields {
		if len(v) > maxFieldBytes+len(truncateMarker) {
			t.Errorf("field %s is %d bytes", k, len(v))
		}
	}
}

// Lines longer than the read buffer and up to MaxLineBytes come whole;
// longer ones are cut at MaxLineBytes and marked, and the next line is
// intact after each.
func TestReadLineLongerThanBuffer(t *testing.T) {
	t.Parallel()
	for _, n := range []int{readBufBytes - 1, readBufBytes, readBufBytes + 1, 3*readBufBytes + 7, MaxLineBytes - 1, MaxLineBytes} {
		text := strings.Repeat("x", n-1) + "y"
		for _, eol := range []string{"\n", "\r\n"} {
			br := newLineReader(strings.NewReader(text + eol + "next" + eol))
			got, err := readLine(br)
			if err != nil || string(got) != text {
				t.Fatalf("%d-byte line ending %q: got %d bytes ending %q, %v; want it whole", n, eol, len(got), got[max(0, len(got)-8):], err)
			}
			if next, _ := readLine(br); string(next) != "next" {
				t.Fatalf("after a %d-byte line: %q, want next", n, next)
			}
		}
	}
	for _, n := range []int{MaxLineBytes + 1, MaxLineBytes + readBufBytes, 3 * MaxLineBytes} {
		br := newLineReader(strings.NewReader(strings.Repeat("z", n) + "\nnext\n"))
		got, err := readLine(br)
		if err != nil || string(got) != strings.Repeat("z", MaxLineBytes)+truncateMarker {
			t.Fatalf("%d-byte line: got %d bytes, %v; want %d and the marker", n, len(got), err, MaxLineBytes)
		}
		if next, _ := readLine(br); string(next) != "next" {
			t.Fatalf("after a %d-byte line: %q, want next", n, next)
		}
	}
	// A last line with no newline, longer than the buffer, still arrives.
	br := newLineReader(strings.NewReader(strings.Repeat("t", 2*readBufBytes)))
	if got, err := readLine(br); len(got) != 2*readBufBytes || err != io.EOF {
		t.Fatalf("unterminated last line: %d bytes, %v", len(got), err)
	}
}

func TestReadLineHuge(t *testing.T) {
	t.Parallel()
	huge := "2026-01-01T00:00:00.000000001Z " + `{"msg":"` + strings.Repeat("A", 5<<20) + `"}`
	br := newLineReader(strings.NewReader(huge + "\nnext\n"))
	got, err := readLine(br)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) > MaxLineBytes+len(truncateMarker) || !strings.HasSuffix(string(got), truncateMarker) {
		t.Fatalf("huge line: %d bytes, suffix %q", len(got), got[len(got)-20:])
	}
	ts, text := splitTimestamp(got)
	if ts.IsZero() {
		t.Error("timestamp lost on a truncated line")
	}
	l := Line{Text: string(text)}
	parseText(&l)
	if l.JSON {
		t.Error("truncated JSON parsed as JSON; want plain")
	}
	if next, _ := readLine(br); string(next) != "next" {
		t.Errorf("line after the huge one = %q, want next", next)
	}
}
