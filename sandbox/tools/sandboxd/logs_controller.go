package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/dynamic/dynamicinformer"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// logsConfig is the parsed command line of `ferry-sandboxd logs`.
type logsConfig struct {
	dir       string // absolute: kwok opens the paths written into Logs objects
	seed      uint64
	rateScale float64
	grace     time.Duration // how long a deleted pod's files outlive it
	resync    time.Duration
	log       *slog.Logger
}

// logsController keeps one podWriter and one Logs object per scheduled pod.
// Pod and Logs events both enqueue the pod's key; a single worker reconciles,
// so only that worker starts or replaces writers.
type logsController struct {
	cfg   logsConfig
	kube  kubernetes.Interface
	dyn   dynamic.Interface
	pods  corelisters.PodLister
	logs  cache.Store
	queue workqueue.TypedRateLimitingInterface[string]

	mu       sync.Mutex
	writers  map[string]*podWriter // live pods
	draining map[string]*podWriter // deleted pods inside their grace
	wg       sync.WaitGroup        // writer goroutines
}

func newLogsController(kube kubernetes.Interface, dyn dynamic.Interface, cfg logsConfig) *logsController {
	return &logsController{
		cfg:  cfg,
		kube: kube,
		dyn:  dyn,
		queue: workqueue.NewTypedRateLimitingQueue(
			workqueue.NewTypedItemExponentialFailureRateLimiter[string](200*time.Millisecond, 30*time.Second)),
		writers:  map[string]*podWriter{},
		draining: map[string]*podWriter{},
	}
}

// run works until ctx ends, calling ready once both caches have synced, and
// returns after every goroutine it started has exited.
func (c *logsController) run(ctx context.Context, ready func()) error {
	podFactory := informers.NewSharedInformerFactory(c.kube, c.cfg.resync)
	logsFactory := dynamicinformer.NewDynamicSharedInformerFactory(c.dyn, c.cfg.resync)
	defer podFactory.Shutdown()
	defer logsFactory.Shutdown()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel() // runs before the Shutdowns, which wait for the informers to stop

	podInformer := podFactory.Core().V1().Pods()
	logsInformer := logsFactory.ForResource(logsGVR).Informer()
	c.pods, c.logs = podInformer.Lister(), logsInformer.GetStore()
	handler := cache.ResourceEventHandlerFuncs{
		AddFunc:    c.enqueue,
		UpdateFunc: func(_, obj any) { c.enqueue(obj) },
		DeleteFunc: c.enqueue,
	}
	for _, inf := range []cache.SharedIndexInformer{podInformer.Informer(), logsInformer} {
		if _, err := inf.AddEventHandler(handler); err != nil {
			return fmt.Errorf("watch: %w", err)
		}
	}
	podFactory.Start(ctx.Done())
	logsFactory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), podInformer.Informer().HasSynced, logsInformer.HasSynced) {
		return ctx.Err()
	}
	c.sweep()
	ready()

	var worker sync.WaitGroup
	worker.Go(func() {
		for c.processNext(ctx) {
		}
	})
	<-ctx.Done()
	c.queue.ShutDown()
	worker.Wait()
	c.wg.Wait() // writers end with ctx, leaving their files for the next run
	return nil
}

func (c *logsController) enqueue(obj any) {
	key, err := cache.DeletionHandlingMetaNamespaceKeyFunc(obj)
	if err == nil {
		c.queue.Add(key)
	}
}

func (c *logsController) processNext(ctx context.Context) bool {
	key, quit := c.queue.Get()
	if quit {
		return false
	}
	defer c.queue.Done(key)
	err := c.reconcile(ctx, key)
	if err == nil || ctx.Err() != nil {
		c.queue.Forget(key)
		return true
	}
	// A conflict only means the cache was behind; anything else (say, the
	// Logs CRD was removed) is worth a line now and then, not every retry.
	if n := c.queue.NumRequeues(key); n%10 == 0 && !apierrors.IsConflict(err) {
		c.cfg.log.Warn("reconcile pod logs failed; retrying", "pod", key, "attempt", n+1, "err", err)
	}
	c.queue.AddRateLimited(key)
	return true
}

func (c *logsController) reconcile(ctx context.Context, key string) error {
	ns, name, err := cache.SplitMetaNamespaceKey(key)
	if err != nil {
		return nil // not a key we can ever resolve
	}
	pod, err := c.pods.Pods(ns).Get(name)
	if apierrors.IsNotFound(err) || (err == nil && (pod.Spec.NodeName == "" || pod.DeletionTimestamp != nil)) {
		c.retire(key)
		return nil
	}
	if err != nil {
		return err
	}
	spec := parseLogSpec(pod.Annotations, c.cfg.rateScale)
	if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
		spec.rate = 0 // its containers have exited: their logs are final
	}
	w, err := c.ensureWriter(ctx, pod, spec)
	if err != nil {
		return err
	}
	cached, err := cachedLogs(c.logs, key)
	if err != nil {
		return err
	}
	return ensureLogsObject(ctx, c.dyn, cached, pod, w)
}

// ensureWriter returns the pod's running writer, replacing one that belongs
// to an older pod of the same name or was started with other annotations.
func (c *logsController) ensureWriter(ctx context.Context, pod *corev1.Pod, spec logSpec) (*podWriter, error) {
	key := pod.Namespace + "/" + pod.Name
	c.mu.Lock()
	old := c.writers[key]
	c.mu.Unlock()
	if old != nil && old.uid == pod.UID && old.spec == spec {
		return old, nil
	}
	if old != nil && old.uid == pod.UID {
		c.mu.Lock()
		delete(c.writers, key)
		c.mu.Unlock()
		old.cancel()
		<-old.done // the new writer appends to the same files
	} else if old != nil {
		c.retire(key)
		<-old.closed // the new pod's writer clears the directory
	}

	// Held while preparing the directory so that finishDrain of an older
	// pod cannot remove it between preparation and registration.
	c.mu.Lock()
	defer c.mu.Unlock()
	w, err := newPodWriter(c.cfg, pod, spec)
	if err != nil {
		return nil, fmt.Errorf("prepare logs of %s: %w", key, err)
	}
	wctx, cancel := context.WithCancel(ctx)
	w.cancel = cancel
	c.writers[key] = w
	c.wg.Go(func() {
		defer cancel()
		w.run(wctx, c.finishDrain)
	})
	return w, nil
}

// retire stops the writer of a pod that is gone; its files go after the grace.
func (c *logsController) retire(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := c.writers[key]
	if w == nil {
		return
	}
	delete(c.writers, key)
	c.draining[key] = w
	close(w.stop)
}

// finishDrain removes a deleted pod's files unless a new pod of the same
// name has taken the directory over in the meantime.
func (c *logsController) finishDrain(w *podWriter) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.draining[w.key] == w {
		delete(c.draining, w.key)
	}
	if c.writers[w.key] != nil {
		return
	}
	if err := os.RemoveAll(w.dir); err != nil {
		c.cfg.log.Warn("remove logs of deleted pod", "pod", w.key, "err", err)
	}
	os.Remove(filepath.Dir(w.dir)) // the namespace directory, if now empty
}

// sweep removes directories of pods deleted while no writer was running;
// nobody can be reading them, so they need no grace.
func (c *logsController) sweep() {
	markers, _ := filepath.Glob(filepath.Join(c.cfg.dir, "*", "*", uidFile))
	for _, m := range markers {
		dir := filepath.Dir(m)
		ns, name := filepath.Base(filepath.Dir(dir)), filepath.Base(dir)
		if _, err := c.pods.Pods(ns).Get(name); apierrors.IsNotFound(err) {
			os.RemoveAll(dir)
		}
	}
}
