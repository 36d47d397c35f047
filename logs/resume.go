package logs

import (
	"hash/maphash"
	"time"
)

// maxBoundary bounds the lines remembered at the last timestamp; a
// container printing more than this within one nanosecond is not a
// realistic case worth unbounded memory.
const maxBoundary = 1024

// resume decides which lines of a reconnected stream were already
// delivered. A resumed request asks from the last timestamp (the API
// rounds SinceTime down to the second), so the server replays lines at or
// before it: those before are dropped, and those at it are matched against
// the lines already delivered with that exact timestamp, as a multiset, so
// two genuine identical lines in the same instant both survive.
type resume struct {
	last   time.Time
	seen   map[uint64]int // texts delivered at last
	replay map[uint64]int // what a reconnect may still replay at last
}

// admit reports whether a line should be delivered and records it.
func (r *resume) admit(ts time.Time, text []byte) bool {
	if ts.IsZero() {
		return true // no stamp, nothing to compare; never lose a line
	}
	h := hashText(text)
	switch {
	case ts.Before(r.last):
		return false
	case ts.Equal(r.last):
		if r.replay[h] > 0 {
			r.replay[h]--
			return false
		}
	default:
		r.last, r.replay = ts, nil
		clear(r.seen)
	}
	if r.seen == nil {
		r.seen = map[uint64]int{}
	}
	if len(r.seen) < maxBoundary {
		r.seen[h]++
	}
	return true
}

// rewind is called before reconnecting: what was delivered at the last
// timestamp may come again.
func (r *resume) rewind() {
	r.replay = make(map[uint64]int, len(r.seen))
	for k, v := range r.seen {
		r.replay[k] = v
	}
}

// hashSeed is per process: hashes only ever compare within one run.
var hashSeed = maphash.MakeSeed()

func hashText(b []byte) uint64 { return maphash.Bytes(hashSeed, b) }
