package tui

import (
	"fmt"
	"slices"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/ferry-dev/ferry/engine/inventory"
)

// command is a parsed : command line.
type command struct {
	verb string // svc, ns, logs, runbook, cutover, quit; "" for an empty line
	arg  string
}

const commandUsage = "try :svc NAME, :ns NAME, :logs NAME, :rb or :q"

// parseCommand reads a command line (without the colon). Verbs have short
// and long spellings as in vim and k9s.
func parseCommand(line string) (command, error) {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return command{}, nil
	}
	verb, args := fields[0], fields[1:]
	switch verb {
	case "q", "q!", "quit", "qa":
		verb = "quit"
	case "svc", "service", "s":
		verb = "svc"
	case "ns", "namespace":
		verb = "ns"
	case "logs", "log":
		verb = "logs"
	case "runbook", "rb":
		verb = "runbook"
	case "cutover", "co":
		if len(args) > 0 {
			return command{}, fmt.Errorf(":cutover takes no name: a plan has one cutover")
		}
		verb = "cutover"
	default:
		return command{}, fmt.Errorf("unknown command %q: %s", ":"+verb, commandUsage)
	}
	if len(args) > 1 {
		return command{}, fmt.Errorf(":%s takes one name, got %d", verb, len(args))
	}
	c := command{verb: verb}
	if len(args) == 1 {
		c.arg = args[0]
	}
	if c.arg == "" && (verb == "svc" || verb == "logs") {
		return command{}, fmt.Errorf(":%s needs a service, e.g. :%s payments/ledger", verb, verb)
	}
	return c, nil
}

// commandKey edits the command line; enter runs it, esc closes it.
func (m Model) commandKey(msg tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	switch {
	case key.Matches(msg, m.keys.Accept):
		line := m.cmdline.Value()
		m.cmdline.Reset()
		return m.runCommand(line)
	case key.Matches(msg, m.keys.Cancel):
		m.cmdline.Reset()
	default:
		m.cmdline.Update(msg)
	}
	return m, nil
}

func (m Model) runCommand(line string) (tea.Model, tea.Cmd) {
	c, err := parseCommand(line)
	if err != nil {
		return m, statusErr(err.Error())
	}
	switch c.verb {
	case "quit":
		return m.quit()
	case "ns":
		if c.arg != "" && !slices.Contains(namespaces(m.snap), c.arg) {
			return m, statusErr(fmt.Sprintf("no namespace %q among the services (%s)", c.arg, strings.Join(namespaces(m.snap), ", ")))
		}
		return m, send(nsFilterMsg{namespace: c.arg})
	case "svc", "logs":
		p, err := findPair(m.snap, c.arg)
		if err != nil {
			return m, statusErr(err.Error())
		}
		if c.verb == "logs" {
			return m, send(openLogsMsg{pair: p})
		}
		return m, send(openDetailMsg{key: p.Key()})
	case "runbook":
		return m, send(openRunbookMsg{step: c.arg})
	case "cutover":
		return m, send(openCutoverMsg{})
	}
	return m, nil
}

// findPair resolves NAMESPACE/NAME, a unique NAME, or else a unique part of
// one, so ":svc ledger" and ":svc fulfil" both work.
func findPair(snap inventory.Snapshot, name string) (inventory.Pair, error) {
	if p, ok := snap.Pair(name); ok {
		return p, nil
	}
	var exact, partial []inventory.Pair
	for _, p := range snap.Pairs {
		switch {
		case p.Name == name:
			exact = append(exact, p)
		case strings.Contains(p.Key(), name):
			partial = append(partial, p)
		}
	}
	matches := exact
	if len(matches) == 0 {
		matches = partial
	}
	switch len(matches) {
	case 1:
		return matches[0], nil
	case 0:
		return inventory.Pair{}, fmt.Errorf("no service %q; / filters the list to find one", name)
	}
	var keys []string
	for _, p := range matches[:min(3, len(matches))] {
		keys = append(keys, p.Key())
	}
	if len(matches) > 3 {
		keys = append(keys, "…")
	}
	return inventory.Pair{}, fmt.Errorf("%q matches %d services (%s): name one as NAMESPACE/NAME", name, len(matches), strings.Join(keys, ", "))
}

// commandSuggestions are the command lines tab completes: :svc and :logs
// with every NAMESPACE/NAME and every NAME that names one service only
// (findPair refuses the others), and :ns with every namespace. Sorted, so
// the first match shown is the same on every snapshot.
func commandSuggestions(snap inventory.Snapshot) []string {
	names := map[string]int{}
	for _, p := range snap.Pairs {
		names[p.Name]++
	}
	var out []string
	for _, p := range snap.Pairs {
		for _, verb := range []string{"svc ", "logs "} {
			out = append(out, verb+p.Key())
			if names[p.Name] == 1 {
				out = append(out, verb+p.Name)
			}
		}
	}
	for _, ns := range namespaces(snap) {
		out = append(out, "ns "+ns)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// namespaces lists the snapshot's namespaces, sorted.
func namespaces(snap inventory.Snapshot) []string {
	var ns []string
	for _, p := range snap.Pairs {
		if !slices.Contains(ns, p.Namespace) {
			ns = append(ns, p.Namespace)
		}
	}
	slices.Sort(ns)
	return ns
}
