package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
)

const (
	// uidFile marks whose logs a pod directory holds: a pod re-created under
	// the same name (a StatefulSet replica) must not inherit the old logs,
	// while a restarted writer must append to its own.
	uidFile = ".pod-uid"
	// maxBurst bounds the lines one container writes per tick, so a stalled
	// process catches up by dropping lines rather than by a flood.
	maxBurst = 200
	// crashPause is how many line slots a crashed container stays silent
	// before its next run starts, a stand-in for the kubelet's back-off.
	crashPause = 10
	minTick    = 20 * time.Millisecond
	maxTick    = time.Second
	// pastSpacing separates the lines of logs written in one go (init
	// containers, the previous run) whose timestamps lie in the past.
	pastSpacing = 200 * time.Millisecond
)

// containerLog is the open log of one container and its generator state.
type containerLog struct {
	name     string
	path     string
	prevPath string // set for containers with a previous run (crashloop)
	f        *os.File
	gen      *lineGen
	owed     float64 // fractional lines carried between ticks
	paused   int     // crashloop: silent line slots left before the restart
	last     time.Time
	buf      []byte
}

// podWriter appends lines to the logs of one pod's containers. Its goroutine
// ends on ctx cancel (the writer is being replaced or the process stops;
// files stay) or on stop (the pod is gone; files go after the grace).
type podWriter struct {
	key    string
	uid    types.UID
	dir    string
	spec   logSpec
	init   []*containerLog // finished logs: written once, never appended
	main   []*containerLog
	tick   time.Duration
	grace  time.Duration
	log    *slog.Logger
	cancel context.CancelFunc
	stop   chan struct{} // closed by the controller when the pod is gone
	closed chan struct{} // closed once every file is closed
	done   chan struct{} // closed when the goroutine returns
	failed bool          // a write error was reported; report once only
}

// newPodWriter prepares the pod's directory and files; the caller runs it.
func newPodWriter(cfg logsConfig, pod *corev1.Pod, spec logSpec) (*podWriter, error) {
	w := &podWriter{
		key:    pod.Namespace + "/" + pod.Name,
		uid:    pod.UID,
		dir:    filepath.Join(cfg.dir, pod.Namespace, pod.Name),
		spec:   spec,
		tick:   tickFor(spec.rate),
		grace:  cfg.grace,
		log:    cfg.log,
		stop:   make(chan struct{}),
		closed: make(chan struct{}),
		done:   make(chan struct{}),
	}
	if err := prepareDir(w.dir, pod.UID); err != nil {
		return nil, err
	}
	now := time.Now()
	for _, c := range pod.Spec.InitContainers {
		if err := w.addInit(cfg.seed, c.Name, now); err != nil {
			return nil, err
		}
	}
	for _, c := range pod.Spec.Containers {
		if err := w.addMain(cfg.seed, c.Name, now); err != nil {
			w.closeFiles()
			return nil, err
		}
	}
	return w, nil
}

func tickFor(rate float64) time.Duration {
	if rate <= 0 {
		return maxTick
	}
	return min(max(time.Duration(float64(time.Second)/rate), minTick), maxTick)
}

// prepareDir creates the pod directory, first emptying it when it holds
// the logs of another pod of the same name.
func prepareDir(dir string, uid types.UID) error {
	marker := filepath.Join(dir, uidFile)
	old, err := os.ReadFile(marker)
	switch {
	case err == nil && string(old) == string(uid):
		return nil
	case err == nil:
		if err := os.RemoveAll(dir); err != nil {
			return fmt.Errorf("clear logs of replaced pod: %w", err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("read pod marker: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create pod log dir: %w", err)
	}
	return os.WriteFile(marker, []byte(uid), 0o644)
}

func (w *podWriter) addInit(seed uint64, name string, now time.Time) error {
	c := &containerLog{name: name, path: filepath.Join(w.dir, name+".log")}
	w.init = append(w.init, c)
	gen := newLineGen(seed, w.key+"/"+name, w.spec)
	return writeOnce(c.path, gen.initLog(), now)
}

func (w *podWriter) addMain(seed uint64, name string, now time.Time) error {
	c := &containerLog{
		name: name,
		path: filepath.Join(w.dir, name+".log"),
		gen:  newLineGen(seed, w.key+"/"+name, w.spec),
	}
	if w.spec.profile == profileCrashloop {
		c.prevPath = filepath.Join(w.dir, name+".previous.log")
		prev := newLineGen(seed, w.key+"/"+name+"#previous", w.spec)
		if err := writeOnce(c.prevPath, previousRun(prev), now.Add(-crashPause*pastSpacing)); err != nil {
			return err
		}
	}
	if w.spec.history > 0 && w.spec.profile != profileCrashloop {
		if err := writeOnce(c.path, history(c.gen, w.spec.history, now), now); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(c.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("open log of %s: %w", name, err)
	}
	c.f = f
	w.main = append(w.main, c)
	return nil
}

// history is n lines as if logged before now, pastSpacing apart, for a
// container that starts with a long log (benchmarks of log readers).
func history(g *lineGen, n int, now time.Time) []genLine {
	out := make([]genLine, 0, n)
	for i := range n {
		out = append(out, g.next(now.Add(-time.Duration(n-1-i)*pastSpacing)))
	}
	return out
}

// previousRun is one whole crashloop run, ending in its fatal line.
func previousRun(g *lineGen) []genLine {
	var out []genLine
	for {
		l := g.next(time.Time{})
		out = append(out, l)
		if l.crash || len(out) > 100 {
			return out
		}
	}
}

// writeOnce fills a finished log whose last line is at end, unless a
// previous writer already did (the file is not empty).
func writeOnce(path string, lines []genLine, end time.Time) error {
	if st, err := os.Stat(path); err == nil && st.Size() > 0 {
		return nil
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("create %s: %w", filepath.Base(path), err)
	}
	var buf []byte
	for i, l := range lines {
		ts := end.Add(-time.Duration(len(lines)-1-i) * pastSpacing)
		buf = appendCRI(buf[:0], ts, l.stream, l.text)
		if _, err := f.Write(buf); err != nil {
			f.Close()
			return fmt.Errorf("write %s: %w", filepath.Base(path), err)
		}
	}
	return f.Close()
}

// run appends lines every tick until ctx ends or the pod goes away.
// finish is called after the grace when the pod went away.
func (w *podWriter) run(ctx context.Context, finish func(*podWriter)) {
	defer close(w.done)
	t := time.NewTicker(w.tick)
	defer t.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			w.closeFiles()
			return
		case <-w.stop:
			w.closeFiles()
			w.awaitGrace(ctx, finish)
			return
		case now := <-t.C:
			w.emit(now.Sub(last))
			last = now
		}
	}
}

// awaitGrace leaves the files in place for a while so kwok readers still
// streaming them finish cleanly.
func (w *podWriter) awaitGrace(ctx context.Context, finish func(*podWriter)) {
	t := time.NewTimer(w.grace)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
		finish(w)
	}
}

func (w *podWriter) closeFiles() {
	for _, c := range w.main {
		if c.f != nil {
			c.f.Close()
			c.f = nil
		}
	}
	close(w.closed)
}

func (w *podWriter) emit(elapsed time.Duration) {
	for _, c := range w.main {
		c.owed += w.spec.rate * elapsed.Seconds()
		n := int(c.owed + 1e-9) // 0.1 s at 10 lines/s is one line, not 0.99999
		c.owed -= float64(n)
		if n > maxBurst {
			n = maxBurst
		}
		for range n {
			if err := c.step(); err != nil && !w.failed {
				w.failed = true
				w.log.Warn("writing container log failed; further errors for this pod are not reported", "pod", w.key, "container", c.name, "err", err)
			}
		}
	}
}

// step spends one line slot: a line, or silence while a crashed container
// waits for its restart.
func (c *containerLog) step() error {
	if c.paused > 0 {
		c.paused--
		if c.paused == 0 {
			return c.restart()
		}
		return nil
	}
	if c.f == nil { // an earlier restart could not open the new run's file
		f, err := os.OpenFile(c.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return fmt.Errorf("reopen log: %w", err)
		}
		c.f = f
	}
	// Compare wall clocks (Round(0) drops the monotonic reading): the wall
	// clock is what the file shows, and it must never go backwards there.
	now := time.Now().Round(0)
	if now.Before(c.last) {
		now = c.last
	}
	c.last = now
	l := c.gen.next(now)
	if l.crash {
		c.paused = crashPause
	}
	c.buf = appendCRI(c.buf[:0], now, l.stream, l.text)
	_, err := c.f.Write(c.buf)
	return err
}

// restart turns the crashed run's log into the previous log, as the kubelet
// keeps exactly one previous container log, and starts a new run's file.
func (c *containerLog) restart() error {
	if c.f != nil {
		c.f.Close()
		c.f = nil
	}
	renameErr := os.Rename(c.path, c.prevPath)
	f, err := os.OpenFile(c.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("open log of new run: %w", err)
	}
	c.f = f
	if renameErr != nil {
		return fmt.Errorf("rotate crashed log: %w", renameErr)
	}
	return nil
}
