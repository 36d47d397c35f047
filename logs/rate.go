package logs

import (
	"sync"
	"time"
)

// rate counts events over a sliding window of one-second buckets. The clock
// is injected so tests can drive it.
type rate struct {
	mu      sync.Mutex
	now     func() time.Time
	buckets []uint64 // count per second, indexed by unix second mod len
	stamps  []int64  // which second each bucket holds
	total   uint64
}

func newRate(window time.Duration, now func() time.Time) *rate {
	n := max(int(window/time.Second), 1)
	return &rate{now: now, buckets: make([]uint64, n), stamps: make([]int64, n)}
}

// add counts n events now.
func (r *rate) add(n uint64) {
	sec := r.now().Unix()
	r.mu.Lock()
	i := int(sec % int64(len(r.buckets)))
	if r.stamps[i] != sec {
		r.stamps[i], r.buckets[i] = sec, 0
	}
	r.buckets[i] += n
	r.total += n
	r.mu.Unlock()
}

// perSecond is the mean rate over the completed seconds of the window, so a
// half-filled current second does not make the figure jump.
func (r *rate) perSecond() float64 {
	sec := r.now().Unix()
	r.mu.Lock()
	defer r.mu.Unlock()
	var sum uint64
	for i, s := range r.stamps {
		if s < sec && s >= sec-int64(len(r.buckets)) {
			sum += r.buckets[i]
		}
	}
	return float64(sum) / float64(len(r.buckets))
}

func (r *rate) count() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.total
}
