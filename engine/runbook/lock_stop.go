package runbook

import (
	"context"
	"errors"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// annotationStop on the Lease asks its holder to stop; the value says who
// asked. An emergency (all traffic back to the source) must not wait out
// another operator's 20-minute dwell.
const annotationStop = "ferry.dev/stop-requested-by"

// ErrStopRequested is the cause an apply is cancelled with when another
// ferry asked the lock's holder to stop.
type ErrStopRequested struct{ By string }

func (e ErrStopRequested) Error() string { return "stopped at the request of " + e.By }

// RequestStop asks the ferry holding the lock to stop what it applies and
// let go: it sees the request within its StopPoll, cancels the step (which
// journals where it stopped) and releases the lock, so an Acquire with a
// wait gets it. by names who asks, for that ferry's journal. It returns
// the holder asked; nil when the lock is free, stale or this Lock's own.
func (l *Lock) RequestStop(ctx context.Context, by string) (*LockHolder, error) {
	leases := l.client.CoordinationV1().Leases(l.cfg.Namespace)
	for range 5 {
		cur, err := leases.Get(ctx, l.cfg.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil, nil
		}
		if err != nil {
			return nil, l.apiErr("read", err)
		}
		h := l.holderOf(cur)
		if h == nil || time.Now().After(h.Expires) || cur.Annotations[annotationToken] == l.token {
			return nil, nil
		}
		if cur.Annotations == nil {
			cur.Annotations = map[string]string{}
		}
		cur.Annotations[annotationStop] = by
		_, err = leases.Update(ctx, cur, metav1.UpdateOptions{})
		switch {
		case err == nil:
			return h, nil
		case !apierrors.IsConflict(err):
			return nil, l.apiErr("ask the holder of", err)
		}
	}
	return nil, l.apiErr("ask the holder of", errors.New("the lease kept changing"))
}

// StopRequested is closed when another ferry asked this holder to stop;
// StopBy says who.
func (h *Held) StopRequested() <-chan struct{} { return h.stop }

// StopBy is who asked this holder to stop, "" until someone did.
func (h *Held) StopBy() string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.stopBy
}

// askedToStop records the first stop request and signals it.
func (h *Held) askedToStop(by string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopBy == "" {
		h.stopBy = by
		close(h.stop)
	}
}

// StopWait is how long a mutation waits for the lock after RequestStop
// asked its holder to stop: a live ferry lets go within seconds, a dead
// one's lease goes stale within its 30s.
const StopWait = 45 * time.Second

// RequestStop stops whatever keeps this runner from changing the runbook
// now: its own apply in flight (a stage dwelling, started from another
// screen) is cancelled, or the ferry holding the lock is asked to stop
// (Lock.RequestStop), and the next mutation waits up to StopWait for it.
// It returns who was stopped ("" when nothing was in the way). via says
// from where the request comes ("ferry rollback"); the journal of the
// stopped step names this ferry's holder and via.
func (r *Runner) RequestStop(ctx context.Context, via string) (string, error) {
	by := DefaultHolder()
	if r.cfg.Lock != nil {
		by = r.cfg.Lock.cfg.Holder
	}
	by += ", " + via
	r.mu.Lock()
	stop, id := r.stopOp, r.stopID
	r.mu.Unlock()
	if stop != nil {
		stop(ErrStopRequested{By: by})
		return "this ferry's " + id, nil
	}
	if r.cfg.Lock == nil {
		return "", nil
	}
	h, err := r.cfg.Lock.RequestStop(ctx, by)
	if err != nil || h == nil {
		return "", err
	}
	r.mu.Lock()
	r.stopAsked = time.Now()
	r.mu.Unlock()
	return h.Holder, nil
}

func (r *Runner) setStopOp(id string, cancel context.CancelCauseFunc) {
	r.mu.Lock()
	r.stopID, r.stopOp = id, cancel
	r.mu.Unlock()
}

// lockWait is how long a mutation waits for the lock: the configured Wait,
// or StopWait just after this runner asked the holder to stop.
func (r *Runner) lockWait(l *Lock) time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Since(r.stopAsked) < StopWait {
		return max(l.cfg.Wait, StopWait)
	}
	return l.cfg.Wait
}
