package logs

import (
	"context"
	"sync"
)

// slots caps concurrent streams per cluster. Streams beyond the cap wait in
// FIFO order instead of failing (stern exits at its limit), and the number
// waiting is visible.
type slots struct {
	mu     sync.Mutex
	free   int
	queue  []chan struct{}
	active int
	peak   int
}

func newSlots(n int) *slots { return &slots{free: max(n, 1)} }

// acquire blocks until a slot is granted or ctx ends.
func (s *slots) acquire(ctx context.Context) error {
	s.mu.Lock()
	if s.free > 0 && len(s.queue) == 0 {
		s.grantLocked()
		s.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	s.queue = append(s.queue, ch)
	s.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		defer s.mu.Unlock()
		for i, c := range s.queue {
			if c == ch {
				s.queue = append(s.queue[:i], s.queue[i+1:]...)
				return ctx.Err()
			}
		}
		// Granted while we were giving up: hand the slot on.
		s.releaseLocked()
		return ctx.Err()
	}
}

func (s *slots) grantLocked() {
	s.free--
	s.active++
	s.peak = max(s.peak, s.active)
}

// release frees a slot, handing it to the longest waiter.
func (s *slots) release() {
	s.mu.Lock()
	s.releaseLocked()
	s.mu.Unlock()
}

func (s *slots) releaseLocked() {
	s.free++
	s.active--
	if len(s.queue) > 0 {
		ch := s.queue[0]
		s.queue = s.queue[1:]
		s.grantLocked()
		close(ch)
	}
}

// counts returns streams holding a slot, waiting, and the peak held.
func (s *slots) counts() (active, waiting, peak int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.active, len(s.queue), s.peak
}
