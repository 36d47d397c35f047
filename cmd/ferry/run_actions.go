package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// errChecksFailed says a verify ran and a check failed: exit 1, not 2.
var errChecksFailed = errors.New("a check failed")

func applyAndVerify(ctx context.Context, r *runbook.Runner, id string, _ runOptions, w io.Writer) error {
	fmt.Fprintf(w, "apply %s\n", id)
	stop := followProgress(ctx, r, id, w)
	err := r.Apply(ctx, id)
	stop()
	if err != nil {
		return err
	}
	return verifyStep(ctx, r, id, runOptions{}, w)
}

func verifyStep(ctx context.Context, r *runbook.Runner, id string, _ runOptions, w io.Writer) error {
	checks, err := r.Verify(ctx, id)
	if err != nil {
		return err
	}
	ok := printChecks(w, id, checks)
	if !ok {
		return errChecksFailed
	}
	return nil
}

func printChecks(w io.Writer, id string, checks []runbook.Check) bool {
	ok := true
	fmt.Fprintf(w, "verify %s\n", id)
	for _, c := range checks {
		mark := "pass"
		if !c.OK {
			mark, ok = "FAIL", false
		}
		// Evidence of several lines (one per member, per record) stays
		// under its check.
		fmt.Fprintf(w, "  %-4s %s: %s\n", mark, c.Name, strings.ReplaceAll(strings.TrimRight(c.Evidence, "\n"), "\n", "\n       "))
	}
	return ok
}

func undoStep(ctx context.Context, r *runbook.Runner, id string, _ runOptions, w io.Writer) error {
	fmt.Fprintf(w, "undo %s\n", id)
	stop := followProgress(ctx, r, id, w)
	err := r.Rollback(ctx, id)
	stop()
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  rolled back\n")
	return nil
}

func skipStep(ctx context.Context, r *runbook.Runner, id string, o runOptions, w io.Writer) error {
	if err := r.Skip(ctx, id, o.reason); err != nil {
		return err
	}
	fmt.Fprintf(w, "skipped %s: %s\n", id, o.reason)
	return nil
}

// followProgress prints a step's progress messages while it applies or
// rolls back; the returned func stops it once the action has returned.
func followProgress(ctx context.Context, r *runbook.Runner, id string, w io.Writer) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		last := ""
		for {
			select {
			case <-r.Changed():
			case <-ctx.Done():
				return
			}
			p := r.State(id).Progress
			if p == nil || p.Message == last {
				continue
			}
			last = p.Message
			if p.Total > 0 {
				fmt.Fprintf(w, "  [%d/%d] %s\n", p.Done, p.Total, p.Message)
			} else {
				fmt.Fprintf(w, "  %s\n", p.Message)
			}
		}
	}()
	return func() { cancel(); <-done }
}
