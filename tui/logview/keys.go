package logview

import "charm.land/bubbles/v2/key"

// keyMap is every binding of the pane. Bindings that do nothing in the
// current mode are disabled by syncKeys, so help lists only what works.
type keyMap struct {
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	Follow, Layout, Focus, Time, Wrap       key.Binding
	Include, Exclude, Highlight             key.Binding
	Open, Templates, Save, Back             key.Binding
	Accept, Cancel                          key.Binding
}

func defaultKeyMap() keyMap {
	b := func(help, desc string, keys ...string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return keyMap{
		Up:        b("↑/k", "up", "k", "up"),
		Down:      b("↓/j", "down", "j", "down"),
		PageUp:    b("pgup", "page up", "pgup", "ctrl+b"),
		PageDown:  b("pgdn", "page down", "pgdown", "ctrl+f"),
		Top:       b("g", "oldest", "g", "home"),
		Bottom:    b("G", "newest, follow", "G", "end"),
		Follow:    b("space", "follow/pause", "space"),
		Layout:    b("s", "split/merged", "s"),
		Focus:     b("tab", "other column", "tab"),
		Time:      b("t", "timestamps", "t"),
		Wrap:      b("w", "wrap", "w"),
		Include:   b("i", "include", "i"),
		Exclude:   b("x", "exclude", "x"),
		Highlight: b("h", "highlight", "h"),
		Open:      b("enter", "details", "enter"),
		Templates: b("o", "only on target", "o"),
		Save:      b("ctrl+s", "save", "ctrl+s"),
		Back:      b("esc", "back", "esc", "q"),
		Accept:    b("enter", "apply", "enter"),
		Cancel:    b("esc", "cancel", "esc"),
	}
}

// syncKeys enables the bindings the current mode answers to.
func (m *Model) syncKeys() {
	k := &m.keys
	lines := !m.prompt.open() && len(m.stack) == 0
	for _, b := range []*key.Binding{&k.Follow, &k.Layout, &k.Time, &k.Wrap,
		&k.Include, &k.Exclude, &k.Highlight, &k.Save} {
		b.SetEnabled(lines)
	}
	k.Focus.SetEnabled(lines && m.split)
	k.Templates.SetEnabled(lines && m.feed.Templates() != nil)
	nav := !m.prompt.open()
	for _, b := range []*key.Binding{&k.Up, &k.Down, &k.PageUp, &k.PageDown, &k.Top, &k.Bottom, &k.Open} {
		b.SetEnabled(nav)
	}
	k.Bottom.SetEnabled(nav && len(m.stack) == 0)
	k.Back.SetEnabled(nav && len(m.stack) > 0)
	k.Accept.SetEnabled(m.prompt.open())
	k.Cancel.SetEnabled(m.prompt.open())
}

// ShortHelp is the footer's line of keys for the current mode.
func (m Model) ShortHelp() []key.Binding {
	k := m.keys
	switch {
	case m.prompt.open():
		return []key.Binding{k.Accept, k.Cancel}
	case len(m.stack) > 0:
		return []key.Binding{k.Up, k.Down, k.Open, k.Back}
	}
	return []key.Binding{k.Follow, k.Layout, k.Include, k.Exclude, k.Highlight, k.Open, k.Templates, k.Save}
}

// FullHelp is every binding, grouped: moving, viewing, filtering, acting.
func (m Model) FullHelp() [][]key.Binding {
	k := m.keys
	return [][]key.Binding{
		{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom},
		{k.Follow, k.Layout, k.Focus, k.Time, k.Wrap},
		{k.Include, k.Exclude, k.Highlight, k.Accept, k.Cancel},
		{k.Open, k.Templates, k.Save, k.Back},
	}
}
