package runbook

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

// TestLockSandbox runs the lock against the sandbox's real EKS-side
// apiserver, whose resourceVersion checks are the real ones.
func TestLockSandbox(t *testing.T) {
	t.Parallel()
	kube := sandboxtest.Get(t).Kube(t, "eks")
	env := fmt.Sprintf("test-%d", time.Now().UnixNano())
	leases := kube.CoordinationV1().Leases(DefaultLockNamespace)
	t.Cleanup(func() { _ = leases.Delete(context.Background(), LeaseName(env), metav1.DeleteOptions{}) })

	if n := acquireRace(t, kube, env, 4); n != 1 {
		t.Fatalf("%d of 4 concurrent acquirers won on the real apiserver, want exactly 1", n)
	}
	// acquireRace's winner releases in its cleanup; until then a fresh
	// acquirer is refused, naming the holder.
	other := NewLock(kube, env, LockConfig{Holder: "carol@box pid 3 (ferry)"})
	_, err := other.Acquire(t.Context())
	var locked ErrLocked
	if !errors.As(err, &locked) || locked.Holder != DefaultHolder() || locked.Since.IsZero() {
		t.Fatalf("Acquire while held = %v", err)
	}

	// A stale lease on the real server is taken over, exactly once.
	env2 := env + "-stale"
	t.Cleanup(func() { _ = leases.Delete(context.Background(), LeaseName(env2), metav1.DeleteOptions{}) })
	staleLease(t, kube, NewLock(kube, env2, LockConfig{}))
	if n := acquireRace(t, kube, env2, 4); n != 1 {
		t.Fatalf("%d of 4 acquirers took over the stale lease, want exactly 1", n)
	}

	// Renewal and release against the real server.
	env3 := env + "-renew"
	l := NewLock(kube, env3, LockConfig{Duration: 2 * time.Second, RenewEvery: 100 * time.Millisecond, Run: "run-x"})
	held, err := l.Acquire(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	first, err := getLease(t, kube, l)
	if err != nil || first.Annotations[annotationRun] != "run-x" || *first.Spec.LeaseDurationSeconds != 2 {
		t.Fatalf("lease = %+v, %v", first, err)
	}
	waitFor(t, func() bool {
		cur, err := getLease(t, kube, l)
		return err == nil && cur.Spec.RenewTime.After(first.Spec.RenewTime.Time)
	}, "a renewal on the real apiserver")
	if err := held.Release(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := getLease(t, kube, l); !apierrors.IsNotFound(err) {
		t.Errorf("lease after release: %v, want deleted", err)
	}
}
