package rewrite

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

func TestRenderStable(t *testing.T) {
	t.Parallel()
	a := obj(t, "{kind: ConfigMap, apiVersion: v1, metadata: {name: c}, data: {b: '2', a: '1'}}")
	b := obj(t, "{apiVersion: v1, data: {a: '1', b: '2'}, metadata: {name: c}, kind: ConfigMap}")
	ra, err := Render(a)
	if err != nil {
		t.Fatal(err)
	}
	rb, _ := Render(b)
	want := "apiVersion: v1\ndata:\n  a: \"1\"\n  b: \"2\"\nkind: ConfigMap\nmetadata:\n  name: c\n"
	if ra != want || rb != want {
		t.Errorf("Render:\n%s\n%s\nwant\n%s", ra, rb, want)
	}
	if s, err := Render(nil); s != "" || err != nil {
		t.Errorf("Render(nil) = %q, %v", s, err)
	}
}

func TestSideBySide(t *testing.T) {
	t.Parallel()
	type row = [3]string // kind, left, right
	cases := []struct {
		name, left, right string
		width             int
		want              []row
	}{
		{"equal", "a\nb\n", "a\nb\n", 0, []row{{"same", "a", "a"}, {"same", "b", "b"}}},
		{"changed", "a\nb\nc\n", "a\nB\nc\n", 0, []row{{"same", "a", "a"}, {"changed", "b", "B"}, {"same", "c", "c"}}},
		{"added", "a\nc\n", "a\nb\nc\n", 0, []row{{"same", "a", "a"}, {"added", "", "b"}, {"same", "c", "c"}}},
		{"removed", "a\nb\nc\n", "a\nc\n", 0, []row{{"same", "a", "a"}, {"removed", "b", ""}, {"same", "c", "c"}}},
		{"uneven replace", "a\nx\ny\n", "a\nz\n", 0, []row{{"same", "a", "a"}, {"changed", "x", "z"}, {"removed", "y", ""}}},
		{"left empty", "", "a\n", 0, []row{{"added", "", "a"}}},
		{"cut, kind from full lines", "image: r/ledger:2.3.1\n", "image: r/ledger:2.4.0\n", 10, []row{{"changed", "image: r/…", "image: r/…"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var got []row
			for _, l := range SideBySide(c.left, c.right, c.width) {
				got = append(got, row{string(l.Kind), l.Left, l.Right})
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %q\nwant %q", got, c.want)
			}
		})
	}
}

// TestDiffsExpected: checkout-api's differences are all explained by the
// mapping; ledger's tag is not, its registry is.
func TestDiffsExpected(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name           string
		source, target []string
		drift          []string // right-hand lines of unexpected rows
		minExpected    int
	}{
		{"checkout-api", kopsCheckout, eksCheckout, nil, 6},
		{"ledger", []string{ledger("111111111111", "2.3.1", "100")}, []string{ledger("222222222222", "2.4.0", "250")},
			[]string{`value: "250"`, "image: 222222222222.dkr.ecr.us-east-1.amazonaws.com/ledger:2.4.0", "image: 222222222222.dkr.ecr.us-east-1.amazonaws.com/ledger:2.4.0"}, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			diffs, err := Diffs(scenarioMapping(), objs(t, c.source...), objs(t, c.target...), 0)
			if err != nil {
				t.Fatal(err)
			}
			var drift []string
			expected := 0
			for _, d := range diffs {
				for _, l := range d.Lines {
					switch {
					case l.Kind == Same:
					case l.Expected:
						expected++
					default:
						drift = append(drift, strings.TrimSpace(l.Right))
					}
				}
			}
			if !reflect.DeepEqual(drift, c.drift) || expected < c.minExpected {
				b, _ := json.MarshalIndent(diffs, "", " ")
				t.Errorf("drift rows %q (want %q), %d expected rows (want >= %d)\n%s", drift, c.drift, expected, c.minExpected, b)
			}
		})
	}
}
