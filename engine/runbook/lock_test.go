package runbook

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	coordv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

func getLease(t *testing.T, c kubernetes.Interface, l *Lock) (*coordv1.Lease, error) {
	t.Helper()
	return c.CoordinationV1().Leases(l.cfg.Namespace).Get(t.Context(), l.cfg.Name, metav1.GetOptions{})
}

func TestLeaseNameAndDefaults(t *testing.T) {
	t.Parallel()
	for env, want := range map[string]string{
		"prod": "ferry-runbook-prod", "EKS Prod_1": "ferry-runbook-eks-prod-1", "": "ferry-runbook",
		strings.Repeat("x", 80): "ferry-runbook-" + strings.Repeat("x", 49),
	} {
		if got := LeaseName(env); got != want {
			t.Errorf("LeaseName(%q) = %q, want %q", env, got, want)
		}
	}
	l := NewLock(fakeCluster(), "prod", LockConfig{})
	if l.Lease() != "kube-system/ferry-runbook-prod" || l.cfg.Duration != 30*time.Second || l.cfg.RenewEvery != 10*time.Second {
		t.Errorf("defaults: %s %v %v", l.Lease(), l.cfg.Duration, l.cfg.RenewEvery)
	}
	if h := DefaultHolder(); !strings.Contains(h, "@") || !strings.Contains(h, " pid ") || !strings.HasSuffix(h, " (ferry)") {
		t.Errorf("DefaultHolder = %q", h)
	}
}

func TestLockFailsFastNamingHolder(t *testing.T) {
	t.Parallel()
	c := fakeCluster()
	a := NewLock(c, "prod", LockConfig{Holder: "alice@box pid 1 (ferry)", Run: "run-a"})
	b := NewLock(c, "prod", LockConfig{Holder: "bob@box pid 2 (ferry)"})
	held, err := a.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = b.Acquire(t.Context())
	var locked ErrLocked
	if !errors.As(err, &locked) {
		t.Fatalf("second Acquire = %v, want ErrLocked", err)
	}
	if locked.Holder != "alice@box pid 1 (ferry)" || time.Since(locked.Since) > time.Minute || locked.Run != "run-a" {
		t.Errorf("ErrLocked = %+v", locked)
	}
	if !strings.Contains(err.Error(), "alice@box") || time.Since(start) > 2*time.Second {
		t.Errorf("error %q, took %v", err, time.Since(start))
	}
	if h, err := b.Peek(t.Context()); err != nil || h == nil || h.Run != "run-a" {
		t.Errorf("Peek = %+v, %v", h, err)
	}
	if err := held.Release(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := getLease(t, c, a); !apierrors.IsNotFound(err) {
		t.Errorf("lease after release: %v, want deleted", err)
	}
	held, err = b.Acquire(t.Context())
	if err != nil {
		t.Fatalf("Acquire after release: %v", err)
	}
	held.Release(t.Context())
}

func TestLockWaitsForRelease(t *testing.T) {
	t.Parallel()
	c := fakeCluster()
	a := NewLock(c, "prod", LockConfig{})
	b := NewLock(c, "prod", LockConfig{Wait: 10 * time.Second, Poll: 20 * time.Millisecond})
	held, err := a.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(100*time.Millisecond, func() { held.Release(context.Background()) })
	hb, err := b.Acquire(t.Context())
	if err != nil {
		t.Fatalf("waiting Acquire: %v", err)
	}
	hb.Release(t.Context())

	// A wait that runs out still says who holds the lock.
	held, _ = a.Acquire(t.Context())
	defer held.Release(t.Context())
	short := NewLock(c, "prod", LockConfig{Wait: 80 * time.Millisecond, Poll: 20 * time.Millisecond})
	if _, err := short.Acquire(t.Context()); !errors.As(err, new(ErrLocked)) {
		t.Errorf("timed-out wait = %v, want ErrLocked", err)
	}
}

// staleLease puts a lease in the cluster whose holder stopped renewing a
// minute ago.
func staleLease(t *testing.T, c kubernetes.Interface, l *Lock) {
	t.Helper()
	old := metav1.NewMicroTime(time.Now().Add(-time.Minute))
	holder, secs := "dead@box pid 9 (ferry)", int32(30)
	lease := &coordv1.Lease{
		ObjectMeta: metav1.ObjectMeta{Name: l.cfg.Name, Namespace: l.cfg.Namespace, Annotations: map[string]string{annotationRun: "dead-run"}},
		Spec:       coordv1.LeaseSpec{HolderIdentity: &holder, LeaseDurationSeconds: &secs, AcquireTime: &old, RenewTime: &old},
	}
	if _, err := c.CoordinationV1().Leases(l.cfg.Namespace).Create(t.Context(), lease, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestLockTakesOverStaleLease(t *testing.T) {
	t.Parallel()
	c := fakeCluster()
	l := NewLock(c, "prod", LockConfig{})
	staleLease(t, c, l)
	if h, err := l.Peek(t.Context()); err != nil || h != nil {
		t.Errorf("Peek on a stale lease = %+v, %v; want free", h, err)
	}
	held, err := l.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release(t.Context())
	if held.TookOver == nil || held.TookOver.Holder != "dead@box pid 9 (ferry)" || held.TookOver.Run != "dead-run" {
		t.Errorf("TookOver = %+v", held.TookOver)
	}
}

// acquireRace starts n acquirers at once and counts the winners.
func acquireRace(t *testing.T, c kubernetes.Interface, env string, n int) (wins int32) {
	t.Helper()
	var won atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	for range n {
		l := NewLock(c, env, LockConfig{})
		wg.Go(func() {
			<-start
			h, err := l.Acquire(t.Context())
			if err == nil {
				won.Add(1)
				t.Cleanup(func() { h.Release(context.Background()) })
				return
			}
			if !errors.As(err, new(ErrLocked)) {
				t.Errorf("acquirer: %v", err)
			}
		})
	}
	close(start)
	wg.Wait()
	return won.Load()
}

func TestLockConcurrentAcquirersOneWins(t *testing.T) {
	t.Parallel()
	t.Run("free", func(t *testing.T) {
		t.Parallel()
		if n := acquireRace(t, fakeCluster(), "prod", 8); n != 1 {
			t.Errorf("%d acquirers won, want exactly 1", n)
		}
	})
	t.Run("stale", func(t *testing.T) {
		t.Parallel()
		c := fakeCluster()
		staleLease(t, c, NewLock(c, "prod", LockConfig{}))
		if n := acquireRace(t, c, "prod", 8); n != 1 {
			t.Errorf("%d acquirers won, want exactly 1", n)
		}
	})
}

func TestLockRenewsAndNoticesLoss(t *testing.T) {
	t.Parallel()
	c := fakeCluster()
	l := NewLock(c, "prod", LockConfig{Duration: time.Second, RenewEvery: 20 * time.Millisecond})
	held, err := l.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	defer held.Release(t.Context())
	first, _ := getLease(t, c, l)
	waitFor(t, func() bool {
		cur, err := getLease(t, c, l)
		return err == nil && cur.Spec.RenewTime.After(first.Spec.RenewTime.Time)
	}, "renew time to move")

	// Someone else takes the lease over: the holder must notice.
	waitFor(t, func() bool {
		cur, err := getLease(t, c, l)
		if err != nil {
			return false
		}
		cur.Annotations[annotationToken] = "intruder"
		_, err = c.CoordinationV1().Leases(l.cfg.Namespace).Update(t.Context(), cur, metav1.UpdateOptions{})
		return err == nil // a renew in between is a conflict: try again
	}, "the takeover to land")
	select {
	case <-held.Lost():
		if !strings.Contains(held.Err().Error(), "lost") {
			t.Errorf("Err = %v", held.Err())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("loss of the lease went unnoticed")
	}
	// Release must not delete the intruder's lease.
	held.Release(t.Context())
	if _, err := getLease(t, c, l); err != nil {
		t.Errorf("release deleted a lease it no longer held: %v", err)
	}
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
