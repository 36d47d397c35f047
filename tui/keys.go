package tui

import "charm.land/bubbles/v2/key"

// keyMap is every binding of the cockpit. Screens read the ones they use;
// the help screen lists them by group. The runbook's mutations (apply,
// undo, skip) and the cutover's (next stage, pause, roll all back) are the
// only bindings that change anything: --read-only turns them off with
// SetEnabled(false) (disableMutations), so they match no key and neither
// the footer nor the help lists them.
type keyMap struct {
	// global
	Quit, ForceQuit, Help, Command, Back key.Binding
	// lists and scrolling
	Up, Down, PageUp, PageDown, Top, Bottom key.Binding
	// services
	Open, Logs, Filter, Sort, Reverse key.Binding
	// detail
	NextTab, PrevTab, Tabs, Fold key.Binding
	// runbook: Runbook opens it; Apply, Rollback and Skip mutate
	Runbook, Plan, Apply, Verify, Rollback, Skip, Focus key.Binding
	// cutover: Cutover opens it from any screen; the rest mutate
	Cutover, Advance, Pause, RollbackAll key.Binding
	// prompts (filter, command line, the runbook's confirmation)
	Accept, Cancel, Complete, Confirm key.Binding
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

		Runbook:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "runbook")),
		Plan:     key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "plan")),
		Apply:    key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "apply")),
		Verify:   key.NewBinding(key.WithKeys("v"), key.WithHelp("v", "verify")),
		Rollback: key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "undo")),
		Skip:     key.NewBinding(key.WithKeys("x"), key.WithHelp("x", "skip")),
		Focus:    key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "scroll diff/list")),

		Cutover:     key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "cutover")),
		Advance:     key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "next stage")),
		Pause:       key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pause auto")),
		RollbackAll: key.NewBinding(key.WithKeys("u"), key.WithHelp("u", "roll back all")),

		Accept:   key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "apply")),
		Cancel:   key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "cancel")),
		Complete: key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "complete")),
		Confirm:  key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "confirm")),
	}
}

// disableMutations is --read-only: the bindings that change a cluster
// stop matching and drop out of every help. Plan and verify stay; they
// only read. Pause goes too: with nothing applying there is nothing to
// advance.
func (k *keyMap) disableMutations() {
	for _, b := range []*key.Binding{&k.Apply, &k.Rollback, &k.Skip, &k.Advance, &k.Pause, &k.RollbackAll} {
		b.SetEnabled(false)
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
		// :rb and :cutover are on the help only: the command line's footer
		// has no room.
		{"Commands (:)", append(commandHelp(),
			key.NewBinding(key.WithKeys(":rb"), key.WithHelp(":rb [STEP]", "runbook (r on services)")),
			key.NewBinding(key.WithKeys(":cutover"), key.WithHelp(":cutover", "cutover (c anywhere)")))},
	}
}

// runbookGroups is the full help over the runbook screen: its own keys
// first (the mutations among them only when enabled), then the global
// keys and the commands, which fit beside them at 80x24.
func (k keyMap) runbookGroups() []helpGroup {
	all := k.groups()
	return []helpGroup{
		{"Runbook", []key.Binding{k.Plan, k.Apply, k.Verify, k.Rollback, k.Skip, k.Focus,
			k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}},
		all[0], all[len(all)-1],
	}
}

// cutoverGroups is the full help over the cutover screen, shaped as the
// runbook's.
func (k keyMap) cutoverGroups() []helpGroup {
	all := k.groups()
	return []helpGroup{
		{"Cutover", []key.Binding{k.Advance, k.Pause, k.RollbackAll, k.Logs}},
		all[0], all[len(all)-1],
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
