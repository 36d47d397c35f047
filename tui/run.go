package tui

import (
	"context"
	"errors"
	"fmt"
	"runtime/debug"

	tea "charm.land/bubbletea/v2"
)

// Run runs the cockpit until the operator quits or ctx ends (which is not
// an error). The terminal is restored on every way out, a panic included:
// bubbletea restores it for panics it catches (its default), Update turns
// its own panics into a clean quit, and the recover here covers a panic
// that escapes the program (WithoutCatchPanics) by killing it, which
// restores the terminal. A panic comes back as an error.
func Run(ctx context.Context, cfg Config, opts ...tea.ProgramOption) (err error) {
	m := New(cfg)
	p := tea.NewProgram(m, append([]tea.ProgramOption{tea.WithContext(ctx)}, opts...)...)
	defer func() {
		if r := recover(); r != nil {
			p.Kill()
			m.log.Error("cockpit panic", "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("the cockpit hit a bug and stopped (%v); the terminal was restored", r)
		}
	}()
	final, err := p.Run()
	if fm, ok := final.(Model); ok {
		fm.close()
		if fm.crash != nil {
			return fm.crash
		}
	}
	m.close()
	switch {
	case errors.Is(err, tea.ErrProgramPanic):
		return fmt.Errorf("the cockpit hit a bug and stopped; the terminal was restored and the stack printed: %w", err)
	case errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil:
		return nil
	}
	return err
}
