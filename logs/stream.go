package logs

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// State is where a container stream is in its life.
type State string

// Stream states, as the caller sees them in Stats.
const (
	StateWaiting      State = "waiting"      // queued behind the MaxStreams cap
	StateLive         State = "live"         // connected and reading
	StateReconnecting State = "reconnecting" // lost the connection, backing off
	StateEnded        State = "ended"        // done: no-follow finished, pod gone, or stopped
)

// Container names one container of one pod.
type Container struct {
	Namespace, Pod, Container string
}

// opener opens one log request; the real one is client-go's GetLogs, tests
// pass fakes.
type opener func(ctx context.Context, c Container, opts *corev1.PodLogOptions) (io.ReadCloser, error)

// Backoff bounds for reconnects.
const (
	backoffMin = 200 * time.Millisecond
	backoffMax = 5 * time.Second
	// noFollowTries is how often a --no-follow read is tried before the
	// stream ends with its error.
	noFollowTries = 3
)

// stream reads one container's log into the side's ring, reconnecting and
// resuming until its context ends (follow) or the log is read (no follow).
type stream struct {
	c    Container
	side *side
	res  resume

	mu    sync.Mutex
	state State
	err   error
	lines atomic.Uint64 // counted per line without the lock
	tries int
}

func (s *stream) setState(st State, err error) {
	s.mu.Lock()
	s.state, s.err = st, err
	s.mu.Unlock()
}

// run is the stream's goroutine.
func (s *stream) run(ctx context.Context) {
	defer func() {
		err := s.lastErr()
		if ctx.Err() != nil {
			err = nil
		}
		s.setState(StateEnded, err)
	}()
	s.setState(StateWaiting, nil)
	if s.side.slots.acquire(ctx) != nil {
		return
	}
	defer s.side.slots.release()
	backoff := backoffMin
	for attempt := 1; ; attempt++ {
		s.mu.Lock()
		s.tries = attempt
		s.mu.Unlock()
		n, err := s.once(ctx)
		if ctx.Err() != nil { // stopped on purpose: not the stream's failure
			s.setState(StateEnded, nil)
			return
		}
		if !s.side.follow && (err == nil || attempt >= noFollowTries) {
			s.setState(StateEnded, err)
			return
		}
		if n > 0 {
			backoff = backoffMin // it worked for a while: start the backoff over
		}
		s.setState(StateReconnecting, err)
		select {
		case <-time.After(backoff):
		case <-ctx.Done():
			return
		}
		backoff = min(2*backoff, backoffMax)
		s.res.rewind()
	}
}

func (s *stream) lastErr() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// once opens the log once and reads it to EOF or error; it returns how
// many lines it delivered.
func (s *stream) once(ctx context.Context) (int, error) {
	rc, err := s.side.open(ctx, s.c, s.options())
	if err != nil {
		return 0, fmt.Errorf("open log %s/%s/%s: %w", s.c.Namespace, s.c.Pod, s.c.Container, err)
	}
	defer rc.Close()
	s.setState(StateLive, nil)
	n, err := s.read(rc)
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return n, err
}

// options builds the request: history (tail/since) on the first connect,
// SinceTime from the last delivered line on a resume.
func (s *stream) options() *corev1.PodLogOptions {
	sel := s.side.sel
	o := &corev1.PodLogOptions{
		Container:  s.c.Container,
		Follow:     s.side.follow,
		Timestamps: true,
		Previous:   sel.Previous,
	}
	if !s.res.last.IsZero() {
		o.SinceTime = &metav1.Time{Time: s.res.last}
		return o
	}
	if sel.Tail > 0 {
		o.TailLines = &sel.Tail
	}
	if sel.Since > 0 {
		secs := int64(max(sel.Since/time.Second, 1))
		o.SinceSeconds = &secs
	}
	return o
}

// read delivers lines until the body ends. The ring never blocks, so a
// slow reader of the ring never slows this loop.
func (s *stream) read(r io.Reader) (int, error) {
	br := newLineReader(r)
	lp := &lineParser{fields: s.side.fields}
	n := 0
	for {
		raw, err := readLine(br)
		if len(raw) > 0 {
			ts, text := splitTimestamp(raw)
			if s.res.admit(ts, text) {
				s.side.deliver(lp, s.c, ts, text)
				n++
				s.lines.Add(1)
			}
		}
		if err != nil {
			return n, err
		}
	}
}

// readBufBytes is a stream's read buffer. Lines are short, and with up to
// --max-log-requests streams a cluster, a buffer of MaxLineBytes each would
// hold megabytes for nothing: the rare longer line is put together in its
// own slice instead.
const readBufBytes = 8 << 10

func newLineReader(r io.Reader) *bufio.Reader { return bufio.NewReaderSize(r, readBufBytes) }

// readLine returns one line without its newline, cut at MaxLineBytes with a
// marker; the rest of an overlong line is read and thrown away, so memory
// stays bounded whatever the container prints.
func readLine(br *bufio.Reader) ([]byte, error) {
	chunk, err := br.ReadSlice('\n')
	if !errors.Is(err, bufio.ErrBufferFull) {
		return trimEOL(chunk), err
	}
	line := append(make([]byte, 0, 2*len(chunk)), chunk...)
	for errors.Is(err, bufio.ErrBufferFull) {
		chunk, err = br.ReadSlice('\n')
		text := len(chunk)
		if err == nil {
			text = len(trimEOL(chunk))
		}
		if room := MaxLineBytes - len(line); text > room {
			line = append(line, chunk[:room]...)
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			return append(line, truncateMarker...), err
		}
		line = append(line, chunk...)
	}
	return trimEOL(line), err
}

func trimEOL(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' {
		b = b[:n-1]
	}
	return b
}
