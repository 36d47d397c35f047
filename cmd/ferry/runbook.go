package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/user"
	"time"

	"github.com/spf13/cobra"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"

	"github.com/ferry-dev/ferry/cmd/internal/cli"
	"github.com/ferry-dev/ferry/engine/clone"
	"github.com/ferry-dev/ferry/engine/preflight"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// runbookFlags are the flags of the commands that work on runbook steps.
type runbookFlags struct {
	connectFlags
	journal   string
	namespace string
	service   string
	wait      time.Duration
	readOnly  bool
}

func addRunbookFlags(cmd *cobra.Command, f *runbookFlags) {
	addConnectFlags(cmd, &f.connectFlags)
	fl := cmd.Flags()
	fl.StringVar(&f.journal, "journal", "", "journal file (default: next to the plan, NAME.journal.jsonl)")
	fl.StringVarP(&f.namespace, "namespace", "n", "", "only the steps of this (source) namespace")
	fl.StringVar(&f.service, "service", "", "only the steps of this service (NAME or NAMESPACE/NAME)")
	fl.DurationVar(&f.wait, "wait", 0, "when another ferry holds the runbook lock, wait this long for it (default: refuse at once)")
	fl.BoolVar(&f.readOnly, "read-only", false, "refuse every action that would change a cluster or an account")
}

// runbookSession is a session with its runbook: the steps, the journal and
// the runner.
type runbookSession struct {
	*session
	runner  *runbook.Runner
	journal *runbook.Journal
}

// openRunbook connects, builds the steps from the plan and the live
// inventory, filters them and opens the journal.
func openRunbook(ctx context.Context, f runbookFlags) (*runbookSession, error) {
	s, err := openSession(ctx, f.connectFlags)
	if err != nil {
		return nil, err
	}
	slowWritesForTests(s)
	redact, err := secretRedactor(ctx, s)
	if err != nil {
		return nil, err
	}
	opts := []runbook.JournalOption{runbook.WithRedactor(redact),
		runbook.WithSealer(newClusterKeySealer(s.target.Kube, s.plan.Environment.Name))}
	if f.readOnly {
		opts = append(opts, runbook.JournalReadOnly())
	}
	j, err := runbook.OpenJournal(journalPath(f.journal, s.plan), opts...)
	if err != nil {
		return nil, err
	}
	steps, err := buildSteps(ctx, s)
	if err != nil {
		j.Close()
		return nil, err
	}
	steps = runbook.Filter(steps, f.namespace, f.service)
	cfg := runbook.Config{Steps: steps, Journal: j, Operator: operator(s), ReadOnly: f.readOnly}
	if !f.readOnly {
		cfg.Lock = runbook.NewLock(s.target.Kube, s.plan.Environment.Name, runbook.LockConfig{Wait: f.wait})
	}
	r, err := runbook.NewRunner(cfg)
	if err != nil {
		j.Close()
		return nil, err
	}
	return &runbookSession{session: s, runner: r, journal: j}, nil
}

// buildSteps is the runbook the plan implies: preflight, one clone step
// per service the source runs, and one per resource the plan names.
func buildSteps(ctx context.Context, s *session) ([]runbook.Step, error) {
	steps := []runbook.Step{preflight.New(preflight.Config{
		Source: preflight.SideOf(s.plan.Source, s.source), Target: preflight.SideOf(s.plan.Target, s.target),
		Namespaces: s.plan.Namespaces, Plan: s.plan,
	})}
	clones, err := cloneSteps(ctx, s)
	if err != nil {
		return nil, err
	}
	aws, err := awsSteps(ctx, s)
	if err != nil {
		return nil, err
	}
	cut, err := cutoverSteps(ctx, s)
	if err != nil {
		return nil, err
	}
	return append(append(append(steps, clones...), aws...), cut...), nil
}

// operator is who acts: the OS user and both AWS callers.
func operator(s *session) runbook.Operator {
	name := "unknown"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if h, err := os.Hostname(); err == nil {
		name += "@" + h
	}
	return runbook.Operator{User: name, SourceARN: s.source.Identity.ARN, TargetARN: s.target.Identity.ARN}
}

// secretRedactor masks every Secret value of the plan's namespaces on both
// sides wherever it would reach the journal: an error message quoting an
// object must not carry one.
func secretRedactor(ctx context.Context, s *session) (runbook.Redactor, error) {
	var values []string
	for _, side := range []struct {
		kube kubernetes.Interface
		ns   []string
	}{{s.source.Kube, s.plan.Namespaces}, {s.target.Kube, cli.MapNamespaces(s.plan, s.plan.Namespaces)}} {
		for _, ns := range side.ns {
			list, err := side.kube.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{})
			if err != nil {
				if errors.Is(err, context.Canceled) {
					return nil, err
				}
				continue // a namespace not there yet has no secrets to hide
			}
			for _, sec := range list.Items {
				for _, v := range sec.Data {
					values = append(values, string(v))
				}
			}
		}
	}
	return runbook.MaskValues(values...), nil
}

// errLockedHint turns a lock refusal into what to do about it.
func errLockedHint(err error) error {
	var locked runbook.ErrLocked
	if errors.As(err, &locked) {
		return fmt.Errorf("%w\nanother ferry is applying this runbook; wait for it (--wait 5m) or ask %s", err, locked.Holder)
	}
	return err
}

// cloneSteps is one clone step per service the source runs, in the
// inventory's order.
func cloneSteps(_ context.Context, s *session) ([]runbook.Step, error) {
	src, err := dynamic.NewForConfig(s.source.REST)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.plan.Source.Label, err)
	}
	dst, err := dynamic.NewForConfig(s.target.REST)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.plan.Target.Label, err)
	}
	var steps []runbook.Step
	for _, p := range s.inv.Snapshot().Pairs {
		if p.Source == nil {
			continue // only on the target: nothing to clone
		}
		key, inv := p.Key(), s.inv
		steps = append(steps, clone.NewServiceStep(clone.ServiceConfig{
			Namespace: p.Namespace, Name: p.Name, TargetLabel: s.plan.Target.Label,
			Source: src, Target: dst, Mapping: s.plan.Mapping,
			Objects: func(context.Context) ([]*unstructured.Unstructured, error) {
				objs, _ := inv.Objects(key)
				return objs, nil
			},
		}))
	}
	return steps, nil
}

// slowWritesForTests delays every write to the target by
// $FERRY_TEST_WRITE_DELAY (a Go duration), so the crash and lock tests can
// catch an apply in the middle. Unset, it does nothing.
func slowWritesForTests(s *session) {
	d, err := time.ParseDuration(os.Getenv("FERRY_TEST_WRITE_DELAY"))
	if err != nil || d <= 0 {
		return
	}
	s.target.REST.Wrap(func(rt http.RoundTripper) http.RoundTripper {
		return roundTripFunc(func(req *http.Request) (*http.Response, error) {
			if req.Method != http.MethodGet {
				time.Sleep(d)
			}
			return rt.RoundTrip(req)
		})
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
