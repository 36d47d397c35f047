package logs

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/cache"
)

// side is one cluster: its pod discovery, its streams, cap and counters.
type side struct {
	label      string
	role       Side
	templates  *TemplateStats
	client     kubernetes.Interface
	sel        Selector
	follow     bool
	open       opener
	slots      *slots
	ring       *Ring
	lines      *rate
	errs       *rate
	errPattern *regexp.Regexp
	keepColor  bool
	fields     bool

	mu      sync.Mutex
	streams map[streamKey]*stream
	cancels map[types.UID][]context.CancelFunc
	discErr error
	pruned  int // ended streams of deleted pods, no longer in streams
	wg      sync.WaitGroup
}

// prune forgets the stream of a deleted pod once it has ended, so a long
// follow over many rollouts keeps only live pods' streams. It stays counted
// as ended. Without follow, and when the whole run stops, ended streams
// stay listed: their errors are the caller's report.
func (s *side) prune(ctx context.Context, k streamKey) {
	if !s.follow || ctx.Err() != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, live := s.cancels[k.uid]; live {
		return // ended for another reason while its pod lives on
	}
	delete(s.streams, k)
	s.pruned++
}

// streamKey includes the pod UID: a StatefulSet pod recreated under the
// same name is a new log.
type streamKey struct {
	Container
	uid types.UID
}

func newSide(cfg Config, src Source, sel Selector, ring *Ring) *side {
	s := &side{
		label: src.Label, role: src.Role, templates: cfg.Templates, client: src.Client, sel: sel, open: src.open,
		// A previous log is finished; following it would reconnect forever.
		follow: cfg.Follow && !sel.Previous,
		slots:  newSlots(cfg.MaxStreams), ring: ring,
		lines: newRate(cfg.RateWindow, cfg.now), errs: newRate(cfg.RateWindow, cfg.now),
		errPattern: cfg.ErrorPattern, keepColor: cfg.KeepColor, fields: cfg.Fields,
		streams: map[streamKey]*stream{}, cancels: map[types.UID][]context.CancelFunc{},
	}
	if s.open == nil {
		s.open = podsLogOpener(src.Client)
	}
	return s
}

// deliver turns raw text into a Line in the ring and counts it.
func (s *side) deliver(lp *lineParser, c Container, ts time.Time, text []byte) {
	l := Line{Side: s.label, Namespace: c.Namespace, Pod: c.Pod, Container: c.Container, Time: ts,
		Text: Sanitize(string(text), s.keepColor)}
	lp.parse(&l)
	s.ring.Add(l)
	s.lines.add(1)
	if s.templates != nil {
		msg := l.Msg
		if msg == "" {
			msg = l.Text
		}
		s.templates.Add(s.role, l.Level, msg, l.Time, l.Text)
	}
	if l.IsError() || s.errPattern != nil && s.errPattern.MatchString(l.Text) {
		s.errs.add(1)
	}
}

func (s *side) namespaces() []string {
	if len(s.sel.Namespaces) == 0 {
		return []string{metav1.NamespaceAll}
	}
	return s.sel.Namespaces
}

func (s *side) listOptions(o *metav1.ListOptions) {
	if s.sel.LabelSelector != nil {
		o.LabelSelector = s.sel.LabelSelector.String()
	}
}

// discover finds pods and starts their streams. Without follow it lists
// once and waits for every stream; with follow an informer per namespace
// adds streams for new pods and ends those of deleted pods until ctx ends.
func (s *side) discover(ctx context.Context) {
	defer s.wg.Wait()
	if !s.follow {
		for _, ns := range s.namespaces() {
			o := metav1.ListOptions{}
			s.listOptions(&o)
			pods, err := s.client.CoreV1().Pods(ns).List(ctx, o)
			if err != nil {
				s.setDiscErr(fmt.Errorf("list pods in %q: %w", ns, err))
				continue
			}
			for i := range pods.Items {
				s.syncPod(ctx, &pods.Items[i])
			}
		}
		return
	}
	for _, ns := range s.namespaces() {
		f := informers.NewSharedInformerFactoryWithOptions(s.client, 0,
			informers.WithNamespace(ns), informers.WithTweakListOptions(s.listOptions))
		inf := f.Core().V1().Pods().Informer()
		_, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc:    func(o any) { s.onPod(ctx, o) },
			UpdateFunc: func(_, o any) { s.onPod(ctx, o) },
			DeleteFunc: s.onDelete,
		})
		if err != nil {
			s.setDiscErr(err)
			continue
		}
		f.Start(ctx.Done())
	}
	<-ctx.Done()
}

func (s *side) setDiscErr(err error) {
	s.mu.Lock()
	s.discErr = err
	s.mu.Unlock()
}

func (s *side) onPod(ctx context.Context, o any) {
	if pod, ok := o.(*corev1.Pod); ok {
		s.syncPod(ctx, pod)
	}
}

// onDelete ends the streams of a deleted pod: it will log no more, and a
// stream that kept reconnecting to it would never end.
func (s *side) onDelete(o any) {
	if t, ok := o.(cache.DeletedFinalStateUnknown); ok {
		o = t.Obj
	}
	pod, ok := o.(*corev1.Pod)
	if !ok {
		return
	}
	s.mu.Lock()
	cancels := s.cancels[pod.UID]
	delete(s.cancels, pod.UID)
	s.mu.Unlock()
	for _, c := range cancels {
		c()
	}
}

// syncPod starts a stream for each selected container not streamed yet.
func (s *side) syncPod(ctx context.Context, pod *corev1.Pod) {
	for _, name := range s.sel.containers(pod) {
		k := streamKey{Container{pod.Namespace, pod.Name, name}, pod.UID}
		s.mu.Lock()
		if _, ok := s.streams[k]; ok {
			s.mu.Unlock()
			continue
		}
		sctx, cancel := context.WithCancel(ctx)
		st := &stream{c: k.Container, side: s, state: StateWaiting}
		s.streams[k] = st
		s.cancels[pod.UID] = append(s.cancels[pod.UID], cancel)
		s.wg.Add(1)
		s.mu.Unlock()
		go func() {
			defer s.wg.Done()
			defer cancel()
			st.run(sctx)
			s.prune(ctx, k)
		}()
	}
}

// stats snapshots the side's counters and streams, sorted for stable output.
func (s *side) stats() (SideStats, []StreamStats) {
	ss := SideStats{Label: s.label, LinesPerSec: s.lines.perSecond(), ErrorsPerSec: s.errs.perSecond(),
		Lines: s.lines.count(), Errors: s.errs.count()}
	_, ss.Waiting, ss.PeakConcurrent = s.slots.counts()
	s.mu.Lock()
	ss.Ended = s.pruned
	if s.discErr != nil {
		ss.DiscoveryErr = s.discErr.Error()
	}
	out := make([]StreamStats, 0, len(s.streams))
	for _, st := range s.streams {
		st.mu.Lock()
		x := StreamStats{Side: s.label, Container: st.c, State: st.state, Lines: st.lines.Load(), Attempts: st.tries}
		if st.err != nil {
			x.Err = st.err.Error()
		}
		st.mu.Unlock()
		out = append(out, x)
	}
	s.mu.Unlock()
	for _, x := range out {
		switch x.State {
		case StateLive:
			ss.Live++
		case StateReconnecting:
			ss.Reconnecting++
		case StateEnded:
			ss.Ended++
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i].Container, out[j].Container
		return a.Namespace+"/"+a.Pod+"/"+a.Container < b.Namespace+"/"+b.Pod+"/"+b.Container
	})
	return ss, out
}
