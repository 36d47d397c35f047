package logs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/client-go/kubernetes"
)

// Defaults for a zero Config.
const (
	DefaultMaxStreams  = 50
	DefaultBufferLines = 10000
	DefaultRateWindow  = 10 * time.Second
)

// Config is what Run streams. Sources are typically the source and target
// cluster, each with its own selector.
type Config struct {
	Sources     []Source
	MaxStreams  int  // concurrent streams per cluster; the rest wait in line
	Follow      bool // keep streaming and follow new pods; false: read and finish
	BufferLines int  // ring capacity
	KeepColor   bool // keep SGR colour sequences in Text
	// Lossless makes streams wait for the one reader of the ring instead
	// of dropping lines when it falls behind: for a CLI writing to a pipe.
	// A cockpit view leaves it off, so a slow screen never slows a stream.
	Lossless bool
	// Fields fills Line.Fields of JSON lines as they arrive. It costs a
	// map per line; without it Line.FieldMap parses on demand.
	Fields       bool
	ErrorPattern *regexp.Regexp
	RateWindow   time.Duration
	// Templates, when set, receives every line for the "only on the
	// target" report; each Source's Role says which side it counts for.
	Templates *TemplateStats
	now       func() time.Time // tests drive the rate clock
}

// Source is one cluster to stream from.
type Source struct {
	Label    string // shown on every line, e.g. "KOPS"
	Role     Side   // source or target of the migration
	Client   kubernetes.Interface
	Selector Selector
	open     opener // nil: the client's pods/log
}

// Tail is a running log session: lines land in Ring, Stats says how each
// side and stream is doing.
type Tail struct {
	ring      *Ring
	sides     []*side
	templates *TemplateStats
	done      chan struct{}
}

// Run starts streaming and returns at once. Cancel ctx to stop everything.
// With Follow false, Done closes when every selected container's log has
// been read.
func Run(ctx context.Context, cfg Config) (*Tail, error) {
	if len(cfg.Sources) == 0 {
		return nil, errors.New("logs: no sources: give at least one cluster")
	}
	cfg = cfg.withDefaults()
	ring := NewRing(cfg.BufferLines)
	if cfg.Lossless {
		ring = NewLosslessRing(cfg.BufferLines)
		// Writers must not stay blocked once nobody reads.
		context.AfterFunc(ctx, ring.Close)
	}
	t := &Tail{ring: ring, templates: cfg.Templates, done: make(chan struct{})}
	for _, src := range cfg.Sources {
		sel, err := src.Selector.resolve(ctx, src.Client)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src.Label, err)
		}
		t.sides = append(t.sides, newSide(cfg, src, sel, t.ring))
	}
	var wg sync.WaitGroup
	for _, s := range t.sides {
		wg.Go(func() { s.discover(ctx) })
	}
	go func() {
		wg.Wait()
		close(t.done)
	}()
	return t, nil
}

func (c Config) withDefaults() Config {
	if c.MaxStreams <= 0 {
		c.MaxStreams = DefaultMaxStreams
	}
	if c.BufferLines <= 0 {
		c.BufferLines = DefaultBufferLines
	}
	if c.RateWindow <= 0 {
		c.RateWindow = DefaultRateWindow
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// Ring is the shared buffer every side writes into.
func (t *Tail) Ring() *Ring { return t.ring }

// Templates is the "only on the target" table Config.Templates named, or
// nil.
func (t *Tail) Templates() *TemplateStats { return t.templates }

// Done closes when all streams have ended: in no-follow mode once every log
// is read, in follow mode after ctx is cancelled.
func (t *Tail) Done() <-chan struct{} { return t.done }

// Stats is a snapshot of counters and stream states.
type Stats struct {
	Sides    []SideStats
	Streams  []StreamStats
	Dropped  uint64 // lines the ring discarded
	Buffered int
}

// SideStats are one cluster's counters.
type SideStats struct {
	Label                     string
	LinesPerSec, ErrorsPerSec float64 // over the rate window
	Lines, Errors             uint64  // since Run
	Live, Reconnecting, Ended int
	Waiting                   int // streams queued behind MaxStreams
	PeakConcurrent            int
	DiscoveryErr              string
}

// StreamStats is one container stream.
type StreamStats struct {
	Side string
	Container
	State    State
	Err      string
	Lines    uint64
	Attempts int
}

// Stats returns a snapshot; safe to call from any goroutine.
func (t *Tail) Stats() Stats {
	st := Stats{Dropped: t.ring.Dropped(), Buffered: t.ring.Len()}
	for _, s := range t.sides {
		ss, streams := s.stats()
		st.Sides = append(st.Sides, ss)
		st.Streams = append(st.Streams, streams...)
	}
	return st
}

// podsLogOpener streams through the apiserver's pods/log.
func podsLogOpener(cs kubernetes.Interface) opener {
	return func(ctx context.Context, c Container, o *corev1.PodLogOptions) (io.ReadCloser, error) {
		return cs.CoreV1().Pods(c.Namespace).GetLogs(c.Pod, o).Stream(ctx)
	}
}
