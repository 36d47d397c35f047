package tui

import "charm.land/bubbles/v2/key"

// keyMap is every binding of the cockpit. Screens read the ones they use;
// the help screen lists them by group. The cockpit is read-only for now, so
// no binding mutates anything and none is disabled by --read-only; when
// the runbook's bindings arrive, read-only mode turns them off with
// SetEnabled(false) and help stops listing them.
type keyMap struct {
	// global
	Quit, ForceQuit, Help, Command, Back key.Binding
	// lists and scrolling
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	// services
	Open, Logs, Filter, Sort, Reverse key.Binding
	// detail
	NextTab, PrevTab, Tabs, Fold key.Binding
	// prompts (filter and command line)
	Accept, Cancel, Complete key.Binding
}

func defaultKeyMap() keyMap {
	return keyMap{
		Quit:      key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
		ForceQuit: key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit now")),
		Help:      key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "help")),
		Command:   key.NewBinding(key.WithKeys(":"), key.WithHelp(":", "command")),
		Back:      key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),

		Up:       key.NewBinding(key.WithKeys("k", "up"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("j", "down"), key.WithHelp("↓/j", "down")),
		PageUp:   key.NewBinding(key.WithKeys("pgup", "ctrl+b"), key.WithHelp("pgup", "page up")),
		PageDown: key.NewBinding(key.WithKeys("pgdown", "ctrl+f"), key.WithHelp("pgdn", "page down")),
		Top:      key.NewBinding(key.WithKeys("g", "home"), key.WithHelp("g", "top")),
		Bottom:   key.NewBinding(key.WithKeys("G", "end"), key.WithHelp("G", "bottom")),

		Open:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "details")),
		Logs:    key.NewBinding(key.WithKeys("l"), key.WithHelp("l", "logs")),
		Filter:  key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Sort:    key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "sort column")),
		Reverse: key.NewBinding(key.WithKeys("S"), key.WithHelp("S", "reverse sort")),

		NextTab: key.NewBinding(key.WithKeys("tab", "right"), key.WithHelp("tab", "next tab")),
		PrevTab: key.NewBinding(key.WithKeys("shift+tab", "left"), key.WithHelp("shift+tab", "previous tab")),
		Tabs:    key.NewBinding(key.WithKeys("1", "2", "3", "4"), key.WithHelp("1-4", "go to tab")),
		Fold:    key.NewBinding(key.WithKeys("f"), key.WithHelp("f", "fold unchanged")),

		Accept:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Complete: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "complete")),
	}
}

// helpGroup is one titled column of the full help screen.
type helpGroup struct {
	title    string
	bindings []key.Binding
}

// groups is the full help, grouped by where the keys work. The commands
// are not key bindings but belong on the same page, so they come as
// bindings whose help key is their syntax.
func (k keyMap) groups() []helpGroup {
	return []helpGroup{
		{"Global", []key.Binding{k.Help, k.Command, k.Back, k.Quit, k.ForceQuit}},
		{"Services", []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom,
			k.Open, k.Logs, k.Filter, k.Sort, k.Reverse}},
		{"Service detail", []key.Binding{k.NextTab, k.PrevTab, k.Tabs, k.Up, k.Down, k.Fold, k.Logs}},
		{"Commands (:)", commandHelp()},
	}
}

func commandHelp() []key.Binding {
	return []key.Binding{
		key.NewBinding(key.WithKeys(":svc"), key.WithHelp(":svc NAME", "open a service")),
		key.NewBinding(key.WithKeys(":ns"), key.WithHelp(":ns NAME", "only that namespace")),
		key.NewBinding(key.WithKeys(":ns"), key.WithHelp(":ns", "all namespaces")),
		key.NewBinding(key.WithKeys(":logs"), key.WithHelp(":logs NAME", "a service's logs")),
		key.NewBinding(key.WithKeys(":q"), key.WithHelp(":q", "quit")),
	}
}
