package logview

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// templateRefresh is how many ticks pass between refreshes of an open
// templates view: a report walks the whole table, once a second is plenty.
const templateRefresh = 10

// Update pulls new lines on the pane's tick, shows a save's result and
// handles keys. It never blocks: the ring hands out copies under a short
// lock, and the file write runs in a tea.Cmd.
func (m Model) Update(msg tea.Msg) (Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tickMsg:
		if msg.id != m.id {
			return m, nil // a replaced pane's tick: let it die
		}
		m.pull()
		m.ticks++
		if m.ticks%templateRefresh == 0 {
			m.refreshTemplates()
		}
		return m, m.tick()
	case savedMsg:
		m.note = msg.note()
		return m, nil
	case tea.KeyPressMsg:
		m.note = note{} // a result shows until the next key
		var cmd tea.Cmd
		switch {
		case m.prompt.open():
			m.updatePrompt(msg)
		case len(m.stack) > 0:
			m.updateScreen(msg)
		default:
			cmd = m.updateLines(msg)
		}
		return m, cmd
	}
	if paste, ok := msg.(tea.PasteMsg); ok && m.prompt.open() {
		m.prompt.input.Update(paste)
	}
	return m, nil
}

// updateLines handles a key on the lines themselves.
func (m *Model) updateLines(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Follow):
		if m.follow {
			m.pause()
		} else {
			m.resume()
		}
	case key.Matches(msg, k.Layout):
		m.toggleLayout()
	case key.Matches(msg, k.Focus):
		m.switchFocus()
	case key.Matches(msg, k.Time):
		m.showTime = !m.showTime
		m.keepCursorVisible()
	case key.Matches(msg, k.Wrap):
		m.wrap = !m.wrap
		m.keepCursorVisible()
	case key.Matches(msg, k.Include):
		m.openPrompt(promptInclude)
	case key.Matches(msg, k.Exclude):
		m.openPrompt(promptExclude)
	case key.Matches(msg, k.Highlight):
		m.openPrompt(promptHighlight)
	case key.Matches(msg, k.Open):
		m.openDetail()
	case key.Matches(msg, k.Templates):
		m.openTemplates()
	case key.Matches(msg, k.Save):
		return m.save()
	default:
		m.navigate(msg)
	}
	return nil
}

// navigate moves the cursor. Moving back from the newest line pauses, so
// what is being read stops running away; G follows again.
func (m *Model) navigate(msg tea.KeyPressMsg) {
	k, page := m.keys, max(m.linesRows()-1, 1)
	switch {
	case key.Matches(msg, k.Bottom):
		m.resume()
	case key.Matches(msg, k.Up):
		m.move(-1)
	case key.Matches(msg, k.Down):
		m.move(1)
	case key.Matches(msg, k.PageUp):
		m.move(-page)
	case key.Matches(msg, k.PageDown):
		m.move(page)
	case key.Matches(msg, k.Top):
		m.pause()
		m.move(-len(m.buf.list(m.activeList())))
	}
}

// toggleLayout switches split and merged, keeping the selected line
// selected: in split, the cursor goes to the selected line's column.
func (m *Model) toggleLayout() {
	if !m.follow && len(m.buf.list(m.activeList())) > 0 {
		m.focus = m.buf.at(m.sel.pos).side
	}
	m.split = !m.split
	m.syncKeys()
	if m.follow {
		return
	}
	k := m.activeList()
	if len(m.buf.list(k)) == 0 {
		m.sel, m.top = anchor{}, anchor{}
		return
	}
	m.sel = m.snap(k, m.sel)
	m.top = m.buf.anchorOf(k, m.topFor(k, m.buf.index(k, m.sel.pos)))
}

// switchFocus moves the cursor to the other split column, onto the line
// logged at or just before the selected one.
func (m *Model) switchFocus() {
	if !m.split {
		return
	}
	old := m.activeList()
	m.focus = 1 - m.focus
	if m.follow || len(m.buf.list(old)) == 0 {
		return
	}
	k := m.activeList()
	if len(m.buf.list(k)) == 0 {
		m.sel, m.top = anchor{}, anchor{}
		return
	}
	i := max(m.buf.lastUpTo(k, m.buf.at(m.sel.pos).Time), 0)
	m.sel = m.buf.anchorOf(k, i)
	m.top = m.buf.anchorOf(k, m.topFor(k, i))
}
