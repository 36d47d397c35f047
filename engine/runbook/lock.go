package runbook

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"os"
	"os/user"
	"regexp"
	"strings"
	"time"

	coordv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// DefaultLockNamespace is where the runbook Lease lives unless configured:
// kube-system exists in every cluster, is where Kubernetes keeps its own
// leader-election Leases, is never a namespace a migration clones or
// deletes, and writing there usually needs the admin rights a migration
// operator has anyway.
const DefaultLockNamespace = "kube-system"

// Lease annotations: which run holds the lock (so other processes can tell
// its open journal records are live) and which Lock value (so two Locks in
// one process, or one process restarted, never mistake each other).
const (
	annotationRun   = "ferry.dev/run"
	annotationToken = "ferry.dev/lock-token"
)

// LockConfig configures a Lock. Zero values take the defaults.
type LockConfig struct {
	Namespace  string        // DefaultLockNamespace
	Name       string        // LeaseName(environment)
	Holder     string        // DefaultHolder()
	Run        string        // the Runner's run id, recorded on the Lease
	Duration   time.Duration // 30s: how long a lease lives unrenewed
	RenewEvery time.Duration // 10s
	// StopPoll is how often the holder reads the lease for a stop request
	// (RequestStop) between renewals: 1s, or RenewEvery if shorter.
	StopPoll time.Duration
	// Wait is how long Acquire waits for a held lock; 0 fails fast with
	// ErrLocked.
	Wait time.Duration
	Poll time.Duration // 1s: how often a waiting Acquire retries
}

// Lock is the runbook's mutual exclusion: a coordination.k8s.io/v1 Lease in
// the target cluster. Create and resourceVersion-checked updates make sure
// two acquirers never both win.
type Lock struct {
	client kubernetes.Interface
	cfg    LockConfig
	token  string
}

// LockHolder describes who holds (or held) the lock.
type LockHolder struct {
	Holder  string    // "user@host pid N (ferry)"
	Run     string    // the holder's run id
	Since   time.Time // acquired
	Renewed time.Time // last renewed
	Expires time.Time // Renewed + lease duration
}

// ErrLocked is Acquire's error when another ferry holds the lock. Match it
// with errors.As(err, new(ErrLocked)) or a var of type ErrLocked.
type ErrLocked struct {
	Lease  string // namespace/name
	Holder string
	Since  time.Time
	// Expires is when the lease goes stale unless its holder renews it.
	Expires time.Time
	Run     string
}

// Error says who holds the lock, since when, and what to do.
func (e ErrLocked) Error() string {
	return fmt.Sprintf("runbook is locked by %s since %s (Lease %s, stale after %s unless renewed); wait for them to finish, or retry with a wait",
		e.Holder, e.Since.Local().Format(time.DateTime), e.Lease, e.Expires.Local().Format(time.TimeOnly))
}

// errRace is a lost create/update race: re-read and try again.
var errRace = errors.New("lease changed while acquiring")

// NewLock returns the lock for environment (the plan's target name) in the
// cluster client talks to. Nothing is contacted until Acquire.
func NewLock(client kubernetes.Interface, environment string, cfg LockConfig) *Lock {
	if cfg.Namespace == "" {
		cfg.Namespace = DefaultLockNamespace
	}
	if cfg.Name == "" {
		cfg.Name = LeaseName(environment)
	}
	if cfg.Holder == "" {
		cfg.Holder = DefaultHolder()
	}
	if cfg.Duration <= 0 {
		cfg.Duration = 30 * time.Second
	}
	if cfg.RenewEvery <= 0 {
		cfg.RenewEvery = cfg.Duration / 3
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.StopPoll <= 0 {
		cfg.StopPoll = min(time.Second, cfg.RenewEvery)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &Lock{client: client, cfg: cfg, token: hex.EncodeToString(b[:])}
}

var notDNS = regexp.MustCompile(`[^a-z0-9-]+`)

// LeaseName is the Lease's name for an environment:
// "ferry-runbook-<environment>", made a valid object name.
func LeaseName(environment string) string {
	env := strings.Trim(notDNS.ReplaceAllString(strings.ToLower(environment), "-"), "-")
	name := strings.TrimSuffix("ferry-runbook-"+env, "-")
	if len(name) > 63 {
		name = strings.TrimRight(name[:63], "-")
	}
	return name
}

// DefaultHolder is "user@host pid N (ferry)".
func DefaultHolder() string {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	host, _ := os.Hostname()
	return fmt.Sprintf("%s@%s pid %d (ferry)", name, host, os.Getpid())
}

// Lease is the lock's namespace/name.
func (l *Lock) Lease() string { return l.cfg.Namespace + "/" + l.cfg.Name }

// Acquire takes the lock, waiting up to the configured Wait for a holder to
// let go. A stale lease (not renewed within its duration: its holder died)
// is taken over, and Held.TookOver says from whom.
func (l *Lock) Acquire(ctx context.Context) (*Held, error) {
	return l.AcquireWithin(ctx, l.cfg.Wait)
}

// AcquireWithin is Acquire waiting up to wait instead of the configured
// Wait.
func (l *Lock) AcquireWithin(ctx context.Context, wait time.Duration) (*Held, error) {
	deadline := time.Now().Add(wait)
	for {
		h, err := l.try(ctx)
		if err == nil {
			h.start(ctx)
			return h, nil
		}
		if errors.Is(err, errRace) {
			continue
		}
		var locked ErrLocked
		if !errors.As(err, &locked) || !time.Now().Before(deadline) {
			return nil, err
		}
		t := time.NewTimer(min(l.cfg.Poll, time.Until(deadline)))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("waiting for the runbook lock: %w (%w)", ctx.Err(), err)
		case <-t.C:
		}
	}
}

// try makes one attempt: create the lease, or take over a free or stale
// one with a resourceVersion-checked update.
func (l *Lock) try(ctx context.Context) (*Held, error) {
	leases := l.client.CoordinationV1().Leases(l.cfg.Namespace)
	cur, err := leases.Get(ctx, l.cfg.Name, metav1.GetOptions{})
	now := time.Now()
	if apierrors.IsNotFound(err) {
		_, err = leases.Create(ctx, l.claim(&coordv1.Lease{}, now), metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) {
			return nil, errRace
		}
		if err != nil {
			return nil, l.apiErr("create", err)
		}
		return &Held{lock: l, renewed: now}, nil
	}
	if err != nil {
		return nil, l.apiErr("read", err)
	}
	var stale *LockHolder
	if prev := l.holderOf(cur); prev != nil {
		switch {
		case now.After(prev.Expires):
			stale = prev
		case cur.Annotations[annotationToken] != l.token:
			return nil, ErrLocked{Lease: l.Lease(), Holder: prev.Holder, Since: prev.Since, Expires: prev.Expires, Run: prev.Run}
		}
	}
	_, err = leases.Update(ctx, l.claim(cur.DeepCopy(), now), metav1.UpdateOptions{})
	if apierrors.IsConflict(err) || apierrors.IsNotFound(err) {
		return nil, errRace
	}
	if err != nil {
		return nil, l.apiErr("take over", err)
	}
	return &Held{lock: l, renewed: now, TookOver: stale}, nil
}

// claim fills lease in as held by l from now.
func (l *Lock) claim(lease *coordv1.Lease, now time.Time) *coordv1.Lease {
	lease.Name, lease.Namespace = l.cfg.Name, l.cfg.Namespace
	if lease.Annotations == nil {
		lease.Annotations = map[string]string{}
	}
	lease.Annotations[annotationRun] = l.cfg.Run
	lease.Annotations[annotationToken] = l.token
	delete(lease.Annotations, annotationStop) // asked of the previous holder
	secs := int32(math.Ceil(l.cfg.Duration.Seconds()))
	t := metav1.NewMicroTime(now)
	holder := l.cfg.Holder
	lease.Spec = coordv1.LeaseSpec{HolderIdentity: &holder, LeaseDurationSeconds: &secs, AcquireTime: &t, RenewTime: &t}
	return lease
}

// holderOf reads who holds lease; nil when nobody does (released).
func (l *Lock) holderOf(lease *coordv1.Lease) *LockHolder {
	s := lease.Spec
	if s.HolderIdentity == nil || *s.HolderIdentity == "" {
		return nil
	}
	h := &LockHolder{Holder: *s.HolderIdentity, Run: lease.Annotations[annotationRun]}
	if s.AcquireTime != nil {
		h.Since = s.AcquireTime.Time
	}
	h.Renewed = h.Since
	if s.RenewTime != nil {
		h.Renewed = s.RenewTime.Time
	}
	if s.LeaseDurationSeconds != nil {
		h.Expires = h.Renewed.Add(time.Duration(*s.LeaseDurationSeconds) * time.Second)
	}
	return h
}

// Peek says who holds the lock now, without taking it: nil when it is
// free or stale. A reader passes the holder's Run to States as live.
func (l *Lock) Peek(ctx context.Context) (*LockHolder, error) {
	cur, err := l.client.CoordinationV1().Leases(l.cfg.Namespace).Get(ctx, l.cfg.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, l.apiErr("read", err)
	}
	h := l.holderOf(cur)
	if h == nil || time.Now().After(h.Expires) {
		return nil, nil
	}
	return h, nil
}

func (l *Lock) apiErr(verb string, err error) error {
	return fmt.Errorf("%s runbook lock Lease %s: %w; check the target cluster is reachable and you may get, create, update and delete leases.coordination.k8s.io in %s",
		verb, l.Lease(), err, l.cfg.Namespace)
}
