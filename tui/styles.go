package tui

import (
	"image/color"

	"charm.land/bubbles/v2/help"
	"charm.land/bubbles/v2/textinput"
	"charm.land/lipgloss/v2"

	"github.com/ferry-dev/ferry/tui/internal/input"
)

// Default side colours when the plan names none: warm for the old cluster,
// cool for the new one, so the two never look alike.
const (
	defaultSourceColor = "208"
	defaultTargetColor = "39"
)

// styles is every style the cockpit draws with, built once by newStyles.
// With NO_COLOR each one is the empty style: no colour and no attribute, so
// the screen carries no escape sequence at all and the cursor, tabs and
// diff kinds are told apart by their marker characters alone.
type styles struct {
	title, badge, protected   lipgloss.Style
	source, target            lipgloss.Style // side labels and side-only rows
	dim, bold, warn, bad, ok  lipgloss.Style
	colHeader, selected       lipgloss.Style
	status, statusErr         lipgloss.Style
	tabActive, tabInactive    lipgloss.Style
	diffExpected, diffDrift   lipgloss.Style
	diffAdd, diffDel          lipgloss.Style // the runbook's unified diff
	helpGroup, helpKey, hDesc lipgloss.Style
	help                      help.Styles
	input                     textinput.Styles // the / and : prompts
	noColor                   bool             // the prompts' cursor is a marker
}

func newStyles(cfg Config) styles {
	if cfg.NoColor {
		return plainStyles()
	}
	src := sideColor(cfg.Source.Color, defaultSourceColor)
	dst := sideColor(cfg.Target.Color, defaultTargetColor)
	red, yellow, green, grey := lipgloss.Color("1"), lipgloss.Color("3"), lipgloss.Color("2"), lipgloss.Color("245")
	s := styles{
		title:        lipgloss.NewStyle().Bold(true),
		badge:        lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("0")).Background(yellow),
		protected:    lipgloss.NewStyle().Bold(true).Foreground(red),
		source:       lipgloss.NewStyle().Bold(true).Foreground(src),
		target:       lipgloss.NewStyle().Bold(true).Foreground(dst),
		dim:          lipgloss.NewStyle().Foreground(grey),
		bold:         lipgloss.NewStyle().Bold(true),
		warn:         lipgloss.NewStyle().Foreground(yellow),
		bad:          lipgloss.NewStyle().Foreground(red).Bold(true),
		ok:           lipgloss.NewStyle().Foreground(green),
		colHeader:    lipgloss.NewStyle().Bold(true).Underline(true),
		selected:     lipgloss.NewStyle().Reverse(true),
		status:       lipgloss.NewStyle().Foreground(grey),
		statusErr:    lipgloss.NewStyle().Foreground(red).Bold(true),
		tabActive:    lipgloss.NewStyle().Bold(true).Reverse(true),
		tabInactive:  lipgloss.NewStyle().Foreground(grey),
		diffExpected: lipgloss.NewStyle().Faint(true),
		diffDrift:    lipgloss.NewStyle().Foreground(red).Bold(true),
		diffAdd:      lipgloss.NewStyle().Foreground(green),
		diffDel:      lipgloss.NewStyle().Foreground(red),
		helpGroup:    lipgloss.NewStyle().Bold(true).Underline(true),
		helpKey:      lipgloss.NewStyle().Bold(true),
		hDesc:        lipgloss.NewStyle().Foreground(grey),
		help:         help.DefaultDarkStyles(),
	}
	s.input = input.Styles(lipgloss.NewStyle(), s.dim)
	return s
}

func plainStyles() styles {
	p := lipgloss.NewStyle()
	return styles{
		title: p, badge: p, protected: p, source: p, target: p,
		dim: p, bold: p, warn: p, bad: p, ok: p, colHeader: p, selected: p,
		status: p, statusErr: p, tabActive: p, tabInactive: p,
		diffExpected: p, diffDrift: p, diffAdd: p, diffDel: p, helpGroup: p, helpKey: p, hDesc: p,
		help: help.Styles{Ellipsis: p, ShortKey: p, ShortDesc: p, ShortSeparator: p,
			FullKey: p, FullDesc: p, FullSeparator: p},
		input:   input.Styles(p, p),
		noColor: true,
	}
}

// sideColor turns the plan's colour ("#rrggbb" or an ANSI number) into a
// colour, falling back to the side's default.
func sideColor(s, fallback string) color.Color {
	if s == "" {
		s = fallback
	}
	return lipgloss.Color(s)
}

// side returns the label style of the source (true) or target side.
func (s styles) side(source bool) lipgloss.Style {
	if source {
		return s.source
	}
	return s.target
}
