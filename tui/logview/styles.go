package logview

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"

	"github.com/ferry-dev/ferry/tui/internal/input"
)

// Default side colours, the cockpit's: warm for the old cluster, cool for
// the new one, so the two never look alike.
const (
	defaultSourceColor = "208"
	defaultTargetColor = "39"
)

// paint is a style drawn once into the escape sequences around a text,
// so that drawing a row is string concatenation: lipgloss's Render per
// piece was half the cost of a frame. With NO_COLOR a paint is off and
// text goes out untouched.
type paint struct {
	open, close string
	on          bool
}

func (p paint) r(s string) string {
	if !p.on || s == "" {
		return s
	}
	return p.open + s + p.close
}

// on captures what st puts around a one-cell text. The styles here set
// colours and attributes only, never padding, borders or width, so the
// same sequences fit any text.
func on(st lipgloss.Style) paint {
	out := st.Render("X")
	i := strings.LastIndexByte(out, 'X')
	return paint{open: out[:i], close: out[i+1:], on: true}
}

// styles is everything the pane draws with, built once per pane. With
// NoColor every paint is off: no escape sequence reaches the screen, and
// the cursor, error lines and focus show by marker characters alone.
type styles struct {
	side           [2]paint // side labels and tags
	title, dim     paint
	errLine, bad   paint // error lines; error counts and messages
	warn, ok       paint
	highlight, sel paint
	key            paint            // JSON keys in the detail view
	marker         paint            // markers among the lines (Mark)
	input          textinput.Styles // the filter prompts
	noColor        bool
}

func newStyles(o Options) styles {
	if o.NoColor {
		return plainStyles()
	}
	src := lipgloss.Color(or(o.Source.Color, defaultSourceColor))
	dst := lipgloss.Color(or(o.Target.Color, defaultTargetColor))
	red, yellow, green, grey := lipgloss.Color("1"), lipgloss.Color("3"), lipgloss.Color("2"), lipgloss.Color("245")
	ns := lipgloss.NewStyle
	return styles{
		side:      [2]paint{on(ns().Bold(true).Foreground(src)), on(ns().Bold(true).Foreground(dst))},
		title:     on(ns().Bold(true)),
		dim:       on(ns().Foreground(grey)),
		errLine:   on(ns().Foreground(red)),
		bad:       on(ns().Foreground(red).Bold(true)),
		warn:      on(ns().Foreground(yellow)),
		ok:        on(ns().Foreground(green)),
		highlight: on(ns().Foreground(lipgloss.Color("0")).Background(yellow)),
		sel:       on(ns().Bold(true).Reverse(true)),
		key:       on(ns().Foreground(lipgloss.Color("6"))),
		marker:    on(ns().Bold(true).Foreground(lipgloss.Color("5"))),
		input:     input.Styles(ns(), ns().Foreground(grey)),
	}
}

func plainStyles() styles {
	p := lipgloss.NewStyle()
	return styles{input: input.Styles(p, p), noColor: true}
}

func or(s, fallback string) string {
	if s == "" {
		return fallback
	}
	return s
}
