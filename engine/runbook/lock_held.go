package runbook

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// Held is an acquired lock. It renews itself until Release; if it cannot
// (the cluster is unreachable for a whole lease duration, or someone took
// the lease over), Lost is closed and whoever applies must stop.
type Held struct {
	lock *Lock
	// TookOver is the holder of the stale lease this acquire replaced, nil
	// when the lease was free.
	TookOver *LockHolder

	renewed time.Time // last successful renewal; only the renew loop touches it
	cancel  context.CancelFunc
	done    chan struct{}
	lost    chan struct{}
	stop    chan struct{}

	mu      sync.Mutex
	lostErr error
	stopBy  string
	release sync.Once
}

var errNotOurs = errors.New("the lease is no longer ours")

// start runs the renew loop. It outlives ctx's cancellation: only Release
// stops renewing, so a cancelled apply still holds the lock while it
// journals its end.
func (h *Held) start(ctx context.Context) {
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	h.cancel, h.done, h.lost, h.stop = cancel, make(chan struct{}), make(chan struct{}), make(chan struct{})
	go h.renewLoop(rctx)
}

// Lost is closed when the lock was lost while held; Err says why.
func (h *Held) Lost() <-chan struct{} { return h.lost }

// Err is why the lock was lost, nil while it is held.
func (h *Held) Err() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lostErr
}

func (h *Held) renewLoop(ctx context.Context) {
	defer close(h.done)
	t := time.NewTicker(h.lock.cfg.StopPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		err := h.tick(ctx)
		if err == nil {
			continue
		}
		if ctx.Err() != nil {
			return
		}
		if errors.Is(err, errNotOurs) || time.Since(h.renewed) >= h.lock.cfg.Duration {
			h.mu.Lock()
			h.lostErr = fmt.Errorf("runbook lock %s lost: %w; check the journal and the target before applying again", h.lock.Lease(), err)
			h.mu.Unlock()
			close(h.lost)
			return
		}
	}
}

// tick reads the lease: still ours, and has anyone asked us to stop? It
// moves the renew time to now once RenewEvery has passed.
func (h *Held) tick(ctx context.Context) error {
	l := h.lock
	leases := l.client.CoordinationV1().Leases(l.cfg.Namespace)
	cur, err := leases.Get(ctx, l.cfg.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return fmt.Errorf("%w: it was deleted", errNotOurs)
	}
	if err != nil {
		return err
	}
	if cur.Annotations[annotationToken] != l.token {
		return fmt.Errorf("%w: %s took it over", errNotOurs, deref(cur.Spec.HolderIdentity))
	}
	if by := cur.Annotations[annotationStop]; by != "" {
		h.askedToStop(by)
	}
	if time.Since(h.renewed) < l.cfg.RenewEvery {
		return nil
	}
	now := metav1.NewMicroTime(time.Now())
	cur.Spec.RenewTime = &now
	if _, err = leases.Update(ctx, cur, metav1.UpdateOptions{}); err != nil {
		return err
	}
	h.renewed = now.Time
	return nil
}

// Release stops renewing and deletes the lease if it is still ours. A
// failure is harmless beyond a delay: the lease goes stale within its
// duration and the next acquirer takes it over.
func (h *Held) Release(ctx context.Context) error {
	var err error
	h.release.Do(func() {
		h.cancel()
		<-h.done
		err = h.deleteIfOurs(ctx)
	})
	return err
}

func (h *Held) deleteIfOurs(ctx context.Context) error {
	l := h.lock
	leases := l.client.CoordinationV1().Leases(l.cfg.Namespace)
	for range 3 {
		cur, err := leases.Get(ctx, l.cfg.Name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return nil
		}
		if err != nil {
			return l.apiErr("release", err)
		}
		if cur.Annotations[annotationToken] != l.token {
			return nil
		}
		rv := cur.ResourceVersion
		err = leases.Delete(ctx, l.cfg.Name, metav1.DeleteOptions{Preconditions: &metav1.Preconditions{ResourceVersion: &rv}})
		if err == nil || apierrors.IsNotFound(err) {
			return nil
		}
		if !apierrors.IsConflict(err) {
			return l.apiErr("release", err)
		}
	}
	return l.apiErr("release", errors.New("the lease kept changing"))
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
