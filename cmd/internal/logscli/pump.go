package logscli

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/ferry-dev/ferry/logs"
)

// pump moves lines from the tail's ring through the merger to the printer
// until the tail is done (--no-follow) or ctx ends (Ctrl-C), then prints
// what is still held. It never lets the ring's writers wait: when the
// output is slower than the clusters the ring drops the oldest lines, and
// pump says how many.
func pump(ctx context.Context, tail *logs.Tail, pr *linePrinter, window time.Duration, errw io.Writer) error {
	m := &merger{window: window}
	ring := tail.Ring()
	// A fixed beat, not a wake-up per line: under load each pass takes a
	// big batch, so sorting and merging stay cheap per line.
	tick := time.NewTicker(max(min(window/4, 50*time.Millisecond), 5*time.Millisecond))
	defer tick.Stop()
	notesEvery := time.NewTicker(time.Second)
	defer notesEvery.Stop()
	var next, dropped uint64
	notes := &progressNotes{w: errw}
	var perr error
	emit := func(l *logs.Line) {
		if perr == nil {
			perr = pr.print(l)
		}
	}
	for {
		final := false
		select {
		case <-tick.C:
		case <-notesEvery.C:
			st := tail.Stats()
			notes.waiting(st)
			notes.noStreams(st)
		case <-tail.Done():
			final = true
		case <-ctx.Done():
			final = true
		}
		lines, nx, d := ring.Since(next)
		next, dropped = nx, dropped+d
		now := time.Now()
		m.add(lines, now)
		m.ready(now, final, emit)
		if perr == nil {
			perr = pr.flush()
		}
		if perr != nil {
			return fmt.Errorf("write output: %w", perr)
		}
		notes.dropped(dropped)
		if final {
			return nil
		}
	}
}

// progressNotes tells the operator, on stderr and at most once per change,
// about streams waiting behind the cap and lines dropped.
type progressNotes struct {
	w           io.Writer
	lastWaiting int
	lastDropped uint64
	lastNote    time.Time
	start       time.Time
	saidNone    bool
}

// noStreams says once, a few seconds in, that a follow has nothing to
// stream yet, so an empty screen is not mistaken for a hang.
func (n *progressNotes) noStreams(st logs.Stats) {
	if n.start.IsZero() {
		n.start = time.Now()
	}
	if n.saidNone || len(st.Streams) > 0 || time.Since(n.start) < 3*time.Second {
		return
	}
	n.saidNone = true
	fmt.Fprintln(n.w, "ferry logs: no containers match yet; waiting for pods to appear (Ctrl-C stops)")
}

func (n *progressNotes) waiting(st logs.Stats) {
	total := 0
	var parts []string
	for _, s := range st.Sides {
		total += s.Waiting
		if s.Waiting > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", s.Label, s.Waiting))
		}
	}
	if total == n.lastWaiting || time.Since(n.lastNote) < time.Second && total != 0 {
		return
	}
	n.lastWaiting, n.lastNote = total, time.Now()
	if total > 0 {
		fmt.Fprintf(n.w, "ferry logs: %d streams waiting their turn (%s; --max-log-requests raises the cap)\n", total, strings.Join(parts, ", "))
	}
}

func (n *progressNotes) dropped(d uint64) {
	if d == n.lastDropped || time.Since(n.lastNote) < time.Second {
		return
	}
	fmt.Fprintf(n.w, "ferry logs: %d lines dropped so far: the output is slower than the clusters (--buffer holds more)\n", d)
	n.lastDropped, n.lastNote = d, time.Now()
}

// reportEnd prints why streams or sides failed, once, at the end.
func reportEnd(w io.Writer, st logs.Stats) {
	for _, s := range st.Sides {
		if s.DiscoveryErr != "" {
			fmt.Fprintf(w, "ferry logs: %s: %s\n", s.Label, s.DiscoveryErr)
		}
	}
	for _, s := range st.Streams {
		if s.Err != "" {
			fmt.Fprintf(w, "ferry logs: %s %s/%s/%s: %s\n", s.Side, s.Namespace, s.Pod, s.Container.Container, s.Err)
		}
	}
}

// printTargetOnly lists the templates only the target logged.
func printTargetOnly(w io.Writer, rep []logs.TargetOnly, src, dst string, window time.Duration) {
	if len(rep) == 0 {
		fmt.Fprintf(w, "\nOnly on %s (last %s): nothing — every message %s logged, %s logged too.\n", dst, window, dst, src)
		return
	}
	fmt.Fprintf(w, "\nOnly on %s (last %s): messages %s logged and %s never did\n", dst, window, dst, src)
	for _, r := range rep {
		fmt.Fprintf(w, "  %6d  %-5s  %s\n          e.g. %s\n", r.Count, r.Level, r.Template, r.Example)
	}
}
