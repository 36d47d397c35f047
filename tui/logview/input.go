package logview

import (
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// lineInput is the prompt's one-line editor. bubbles' textinput would
// do, but it imports a clipboard module the build does not carry (not in
// go.sum); a regex needs typing, moving, erasing and pasting, and this is
// that and no more.
type lineInput struct {
	text []rune
	pos  int // cursor, in runes
}

func (in *lineInput) set(s string) { in.text, in.pos = []rune(s), len([]rune(s)) }

func (in lineInput) value() string { return string(in.text) }

// update edits on a key or a paste and reports whether the text changed.
func (in *lineInput) update(msg tea.Msg) bool {
	switch msg := msg.(type) {
	case tea.PasteMsg:
		return in.insert(msg.Content)
	case tea.KeyPressMsg:
		return in.key(msg)
	}
	return false
}

func (in *lineInput) key(msg tea.KeyPressMsg) bool {
	switch msg.String() {
	case "left", "ctrl+b":
		in.pos = max(in.pos-1, 0)
	case "right", "ctrl+f":
		in.pos = min(in.pos+1, len(in.text))
	case "home", "ctrl+a":
		in.pos = 0
	case "end", "ctrl+e":
		in.pos = len(in.text)
	case "backspace", "ctrl+h":
		if in.pos == 0 {
			return false
		}
		in.text = append(in.text[:in.pos-1], in.text[in.pos:]...)
		in.pos--
		return true
	case "delete", "ctrl+d":
		if in.pos == len(in.text) {
			return false
		}
		in.text = append(in.text[:in.pos], in.text[in.pos+1:]...)
		return true
	case "ctrl+u":
		in.text, in.pos = in.text[in.pos:], 0
		return true
	case "ctrl+w":
		return in.eraseWord()
	default:
		return in.insert(msg.Text)
	}
	return false
}

// eraseWord deletes back to the start of the word before the cursor.
func (in *lineInput) eraseWord() bool {
	i := in.pos
	for i > 0 && in.text[i-1] == ' ' {
		i--
	}
	for i > 0 && in.text[i-1] != ' ' {
		i--
	}
	if i == in.pos {
		return false
	}
	in.text = append(in.text[:i], in.text[in.pos:]...)
	in.pos = i
	return true
}

// insert types s at the cursor. Control characters are dropped: the text
// is drawn on the screen.
func (in *lineInput) insert(s string) bool {
	var add []rune
	for _, r := range s {
		if r >= ' ' && r != 0x7f && (r < 0x80 || r >= 0xa0) {
			add = append(add, r)
		}
	}
	if len(add) == 0 {
		return false
	}
	in.text = append(in.text[:in.pos], append(add, in.text[in.pos:]...)...)
	in.pos += len(add)
	return true
}

// view draws the text in at most w cells with the cursor: the character
// under it in reverse video, or without colour a block after the text or
// a bar before the character. A long text loses its start ("…") so the
// cursor stays in view.
func (in lineInput) view(st styles, w int) string {
	before, after := string(in.text[:in.pos]), string(in.text[in.pos:])
	var cur string
	switch {
	case !st.noColor && after == "":
		cur = st.sel.r(" ")
	case !st.noColor:
		r := []rune(after)
		cur, after = st.sel.r(string(r[0])), string(r[1:])
	case after == "":
		cur = "█"
	default:
		cur = "▏"
	}
	if bw := ansi.StringWidth(before); bw+1 > w && w > 2 {
		before = ansi.TruncateLeft(before, bw-(w-2), "…")
	}
	s := before + cur + after
	if ansi.StringWidth(s) > w {
		s = ansi.Truncate(s, max(w, 0), "")
	}
	return s
}
