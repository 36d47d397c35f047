package logview

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/ferry-dev/ferry/logs"
)

// TestViewGolden pins whole screens, ANSI stripped. Regenerate with
// go test ./tui/logview/ -run TestViewGolden -update and review the diff.
func TestViewGolden(t *testing.T) {
	t.Parallel()
	type size struct{ w, h int }
	small, large := size{80, 24}, size{160, 48}
	cases := []struct {
		name  string
		size  size
		opts  func(*Options)
		drive func(Model, *fakeFeed) Model
	}{
		{"merged_80x24", small, nil, nil},
		{"merged_160x48", large, nil, nil},
		{"split_80x24", small, nil, func(m Model, _ *fakeFeed) Model { return press(m, "s") }},
		{"split_160x48", large, nil, func(m Model, _ *fakeFeed) Model { return press(m, "s") }},
		{"split_paused_target_80x24", small, nil, func(m Model, _ *fakeFeed) Model {
			return press(m, "s", "tab", "k", "k", "k")
		}},
		{"paused_new_lines_80x24", small, nil, pauseThenMore},
		{"filter_80x24", small, nil, filtered},
		{"filter_160x48", large, nil, filtered},
		{"prompt_invalid_regex_80x24", small, nil, func(m Model, _ *fakeFeed) Model {
			return press(typeText(press(m, "i"), "(orders"), "enter")
		}},
		{"wrap_no_time_80x24", small, nil, func(m Model, _ *fakeFeed) Model { return press(m, "w", "t") }},
		{"json_detail_80x24", small, nil, openJSON},
		{"json_detail_160x48", large, nil, openJSON},
		{"templates_80x24", small, nil, func(m Model, _ *fakeFeed) Model { return press(m, "o") }},
		{"templates_160x48", large, nil, func(m Model, _ *fakeFeed) Model { return press(m, "o") }},
		{"template_lines_80x24", small, nil, func(m Model, _ *fakeFeed) Model { return press(m, "o", "enter") }},
		{"no_color_80x24", small, func(o *Options) { o.NoColor = true }, func(m Model, f *fakeFeed) Model {
			return filtered(press(m, "s"), f)
		}},
		{"tiny_40x6", size{40, 6}, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m, feed := newTestModel(t, tc.size.w, tc.size.h, tc.opts)
			if tc.drive != nil {
				m = tc.drive(m, feed)
			}
			view := m.View()
			if noColor := m.opts.NoColor; noColor == strings.Contains(view, "\x1b") {
				t.Errorf("NoColor=%v but escape sequences present=%v", noColor, !noColor)
			}
			golden.RequireEqual(t, checkFrame(t, view, tc.size.w, tc.size.h))
		})
	}
}

// pauseThenMore pauses, then lets three more lines arrive, one of them
// older than what is on screen.
func pauseThenMore(m Model, f *fakeFeed) Model {
	m = press(m, "space", "k")
	f.add(plain("KOPS", 9*time.Second, kopsPod, "GET /api/orders/1052 200 22ms"),
		plain("EKS", 9150*time.Millisecond, eksPod, "GET /api/orders/1052 200 26ms"),
		plain("EKS", 500*time.Millisecond, eksPod, "late line from a reconnected stream"))
	return tick(m)
}

// filtered keeps the order lines and the target's errors, drops 1043 and
// highlights the status codes.
func filtered(m Model, _ *fakeFeed) Model {
	m = press(typeText(press(m, "i"), `orders|error`), "enter")
	m = press(typeText(press(m, "x"), `/1043 `), "enter")
	return press(typeText(press(m, "h"), ` 200 |refused`), "enter")
}

// openJSON selects the newest connection-refused line and opens it.
func openJSON(m Model, _ *fakeFeed) Model { return press(m, "enter") }

func TestViewEmpty(t *testing.T) {
	t.Parallel()
	feed := newFeed(100)
	feed.stats = logs.Stats{}
	m := New(feed, Options{Title: "shop/cart", Now: func() time.Time { return now }})
	m.SetSize(80, 24)
	m = tick(m)
	screen := checkFrame(t, m.View(), 80, 24)
	for _, want := range []string{"waiting for lines", "source  no streams yet", "target  no streams yet"} {
		if !strings.Contains(screen, want) {
			t.Errorf("empty pane lacks %q:\n%s", want, screen)
		}
	}
}

// TestViewNoColorEverywhere walks every screen with NoColor: not one
// escape byte, a prompt's cursor included.
func TestViewNoColorEverywhere(t *testing.T) {
	t.Parallel()
	m, _ := newTestModel(t, 80, 24, func(o *Options) { o.NoColor = true })
	steps := [][]string{{}, {"s"}, {"tab", "k"}, {"enter"}, {"esc", "o"}, {"enter"}, {"enter"},
		{"esc", "esc", "esc", "i", "x"}, {"left"}, {"esc", "h"}}
	for _, keys := range steps {
		m = press(m, keys...)
		if v := m.View(); strings.ContainsRune(v, '\x1b') {
			t.Fatalf("after %v: escape byte in NoColor view:\n%q", keys, v)
		}
	}
}

func TestViewFrameAtManySizes(t *testing.T) {
	t.Parallel()
	for _, w := range []int{1, 10, 39, 80, 81, 200} {
		for _, h := range []int{1, 2, 5, 8, 24} {
			m, _ := newTestModel(t, w, h, nil)
			for _, keys := range [][]string{{}, {"s"}, {"w"}, {"k"}, {"enter"}, {"esc", "o"}} {
				m = press(m, keys...)
				checkFrame(t, m.View(), w, h)
			}
		}
	}
}
