package inventory

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// side watches one cluster: one shared informer per kind, listed once and
// then watched, cluster-wide (one list and one watch per kind) and filtered
// to the plan's namespaces when the pairs are built.
type side struct {
	name    string
	client  kubernetes.Interface
	factory informers.SharedInformerFactory
	changed func() // marks the inventory dirty

	mu     sync.Mutex
	health Health
	err    string
	since  time.Time
}

// kinds lists the informers each side runs. Events are kept for warnings;
// everything else feeds pairs, drift and references.
func (s *side) informers() []cache.SharedIndexInformer {
	f := s.factory
	return []cache.SharedIndexInformer{
		f.Apps().V1().Deployments().Informer(),
		f.Apps().V1().StatefulSets().Informer(),
		f.Apps().V1().DaemonSets().Informer(),
		f.Apps().V1().ReplicaSets().Informer(),
		f.Core().V1().Pods().Informer(),
		f.Core().V1().Services().Informer(),
		f.Networking().V1().Ingresses().Informer(),
		f.Core().V1().ConfigMaps().Informer(),
		f.Core().V1().Secrets().Informer(),
		f.Core().V1().ServiceAccounts().Informer(),
		f.Autoscaling().V2().HorizontalPodAutoscalers().Informer(),
		f.Core().V1().Events().Informer(),
	}
}

func newSide(name string, client kubernetes.Interface, changed func()) *side {
	s := &side{name: name, client: client, changed: changed, health: HealthConnecting, since: time.Now()}
	s.factory = newFactory(client)
	return s
}

// start registers handlers and starts every informer. It returns at once.
func (s *side) start(ctx context.Context) error {
	handler := cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { s.sawEvent() },
		UpdateFunc: func(any, any) { s.sawEvent() },
		DeleteFunc: func(any) { s.sawEvent() },
	}
	for _, inf := range s.informers() {
		if _, err := inf.AddEventHandler(handler); err != nil {
			return fmt.Errorf("%s: add handler: %w", s.name, err)
		}
		if err := inf.SetWatchErrorHandlerWithContext(func(_ context.Context, _ *cache.Reflector, err error) {
			s.setError(err)
		}); err != nil {
			return fmt.Errorf("%s: watch error handler: %w", s.name, err)
		}
	}
	s.factory.Start(ctx.Done())
	go s.watchListed(ctx)
	return nil
}

// watchListed marks the inventory dirty once every informer has listed:
// the last list to end may bring no object (no warning events, say), and
// then no handler would.
func (s *side) watchListed(ctx context.Context) {
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !s.synced() {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
	s.changed()
}

// synced reports whether every informer has listed once.
func (s *side) synced() bool {
	for _, inf := range s.informers() {
		if !inf.HasSynced() {
			return false
		}
	}
	return true
}

// sawEvent: an event proves the side answers again after an error.
func (s *side) sawEvent() {
	s.mu.Lock()
	if s.health != HealthUp && s.health != HealthConnecting {
		s.health, s.err, s.since = HealthUp, "", time.Now()
	}
	s.mu.Unlock()
	s.changed()
}

func (s *side) setError(err error) {
	// A watch that ends or expires is routine: the reflector re-lists. An
	// apiserver that is gone shows up as the next list's error.
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || apierrors.IsResourceExpired(err) || apierrors.IsGone(err) {
		return
	}
	h := HealthDown
	if apierrors.IsForbidden(err) || apierrors.IsUnauthorized(err) {
		h = HealthForbidden
	}
	s.mu.Lock()
	changed := s.health != h || s.err != err.Error()
	if s.health != h {
		s.since = time.Now()
	}
	s.health, s.err = h, err.Error()
	s.mu.Unlock()
	if changed {
		s.changed()
	}
}

// listing reports whether the side is on its first list: connecting, not
// failed, and some informer has not listed yet.
func (s *side) listing() bool {
	return s.state().Health == HealthConnecting && !s.synced()
}

// markSynced turns connecting into up once every informer listed.
func (s *side) markSynced() {
	s.mu.Lock()
	if s.health == HealthConnecting {
		s.health, s.since = HealthUp, time.Now()
	}
	s.mu.Unlock()
}

func (s *side) state() SideState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return SideState{Name: s.name, Health: s.health, Error: s.err, Since: s.since}
}

// probe checks the side every few seconds. The informers alone cannot tell
// an outage: a reflector whose watch hits "connection refused" retries
// quietly, and a watch that resumes after a restart delivers no event. So a
// cheap /readyz marks an answering side up and a silent one down; a side
// refused by RBAC stays forbidden until a list succeeds.
func (s *side) probe(ctx context.Context) {
	s.mu.Lock()
	h := s.health
	s.mu.Unlock()
	if h == HealthConnecting {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var err error
	if h == HealthForbidden {
		_, err = s.client.AppsV1().Deployments("").List(ctx, v1.ListOptions{Limit: 1})
	} else {
		err = s.client.Discovery().RESTClient().Get().AbsPath("/readyz").Do(ctx).Error()
	}
	if err != nil {
		if ctx.Err() != nil && h == HealthUp {
			err = fmt.Errorf("no answer from the apiserver within 2s: %w", err)
		}
		s.setError(err)
		return
	}
	if h != HealthUp {
		s.mu.Lock()
		s.health, s.err, s.since = HealthUp, "", time.Now()
		s.mu.Unlock()
		s.changed()
	}
}
