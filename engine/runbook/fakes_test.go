package runbook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	coordv1 "k8s.io/api/coordination/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
)

// fakeStep is a step over a pretend world of one object: Apply creates it
// (idempotently), Rollback restores what the undo payloads say.
type fakeStep struct {
	id      string
	deps    []string
	ns, svc string

	mu       sync.Mutex
	calls    []string
	exists   bool
	writes   int               // real changes made
	failNext error             // Apply or Rollback returns it once
	checks   []Check           // what Verify returns
	undoSeen []json.RawMessage // what the last Rollback got
	progress int               // progress events per Apply
	// gate, when set, makes Apply save its undo, signal reached, then
	// wait for gate (or ctx) before writing: a step blocked mid-apply.
	gate    chan struct{}
	reached chan struct{}
}

func newFake(id string, deps ...string) *fakeStep {
	return &fakeStep{id: id, deps: deps, checks: []Check{{Name: "exists", OK: true, Evidence: "found it"}}}
}

func (f *fakeStep) ID() string              { return f.id }
func (f *fakeStep) Kind() string            { return "fake" }
func (f *fakeStep) Title() string           { return "Fake " + f.id }
func (f *fakeStep) Deps() []string          { return f.deps }
func (f *fakeStep) Scope() (string, string) { return f.ns, f.svc }
func (f *fakeStep) call(name string)        { f.mu.Lock(); f.calls = append(f.calls, name); f.mu.Unlock() }
func (f *fakeStep) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}
func (f *fakeStep) Writes() int             { f.mu.Lock(); defer f.mu.Unlock(); return f.writes }
func (f *fakeStep) setChecks(cs ...Check)   { f.mu.Lock(); f.checks = cs; f.mu.Unlock() }
func (f *fakeStep) fail(err error)          { f.mu.Lock(); f.failNext = err; f.mu.Unlock() }
func (f *fakeStep) Undo() []json.RawMessage { f.mu.Lock(); defer f.mu.Unlock(); return f.undoSeen }
func (f *fakeStep) takeFail() (err error) {
	f.mu.Lock()
	err, f.failNext = f.failNext, nil
	f.mu.Unlock()
	return
}
func (f *fakeStep) existsNow() (exists bool) { f.mu.Lock(); exists = f.exists; f.mu.Unlock(); return }

func (f *fakeStep) Plan(ctx context.Context) (ChangeSet, error) {
	f.call("plan")
	op := OpCreate
	if f.existsNow() {
		op = OpNone
	}
	return ChangeSet{Changes: []Change{{Op: op, Kind: "ConfigMap", Namespace: "payments", Name: f.id, After: "data: {body: planned-body}"}}}, nil
}

func (f *fakeStep) Apply(ctx context.Context, rec Recorder) error {
	f.call("apply")
	if err := f.takeFail(); err != nil {
		return err
	}
	if err := rec.Save(json.RawMessage(fmt.Sprintf(`{"existed":%t}`, f.existsNow()))); err != nil {
		return err
	}
	if f.gate != nil {
		f.reached <- struct{}{}
		select {
		case <-f.gate:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	for i := range f.progress {
		rec.Progress(Progress{Done: i + 1, Total: f.progress, Message: "copying"})
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.exists {
		f.exists, f.writes = true, f.writes+1
	}
	return nil
}

func (f *fakeStep) Verify(ctx context.Context) ([]Check, error) {
	f.call("verify")
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Check(nil), f.checks...), nil
}

func (f *fakeStep) Rollback(ctx context.Context, undo []json.RawMessage, rec Recorder) error {
	f.call("rollback")
	if err := f.takeFail(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.undoSeen = undo
	if len(undo) == 0 {
		return errors.New("no undo")
	}
	var first struct{ Existed bool }
	if err := json.Unmarshal(undo[0], &first); err != nil {
		return err
	}
	if f.exists != first.Existed {
		f.exists, f.writes = first.Existed, f.writes+1
	}
	rec.Progress(Progress{Done: 1, Total: 1, Message: "restored"})
	return nil
}

// tempJournal opens a journal in a fresh directory.
func tempJournal(t *testing.T, opts ...JournalOption) *Journal {
	t.Helper()
	j, err := OpenJournal(filepath.Join(t.TempDir(), "ferry.journal.jsonl"), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

// newRunner builds a runner over steps with a fresh journal.
func newRunner(t *testing.T, cfg Config, steps ...Step) *Runner {
	t.Helper()
	if cfg.Journal == nil {
		cfg.Journal = tempJournal(t)
	}
	cfg.Steps = steps
	if cfg.Operator.User == "" {
		cfg.Operator.User = "tester"
	}
	r, err := NewRunner(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// fakeCluster is a fake clientset whose Leases honour resourceVersion like
// a real apiserver: an update carrying a stale one is a Conflict. The
// plain fake accepts any update, which would let two acquirers both win.
func fakeCluster() *fake.Clientset {
	cs := fake.NewClientset()
	var rv atomic.Int64
	tracker := cs.Tracker()
	gvr := coordv1.SchemeGroupVersion.WithResource("leases")
	cs.PrependReactor("*", "leases", func(a k8stesting.Action) (bool, runtime.Object, error) {
		// CreateAction and UpdateAction have the same methods: switch on
		// the verb, not the type.
		obj, ok := a.(k8stesting.CreateAction)
		if !ok {
			return false, nil, nil
		}
		l := obj.GetObject().(*coordv1.Lease)
		switch a.GetVerb() {
		case "create":
			l.ResourceVersion = strconv.FormatInt(rv.Add(1), 10)
		case "update":
			cur, err := tracker.Get(gvr, l.Namespace, l.Name)
			if err != nil {
				return true, nil, err
			}
			if cur.(*coordv1.Lease).ResourceVersion != l.ResourceVersion {
				return true, nil, apierrors.NewConflict(gvr.GroupResource(), l.Name, errors.New("resourceVersion changed"))
			}
			l.ResourceVersion = strconv.FormatInt(rv.Add(1), 10)
		}
		return false, nil, nil
	})
	return cs
}
