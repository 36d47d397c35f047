package clone

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/dynamic"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// irsaAnnotation is where IRSA reads a ServiceAccount's role.
const irsaAnnotation = "eks.amazonaws.com/role-arn"

// Plan reads the service from the source and dry-runs a server-side apply
// of each object against the target, comparing the result with what is
// live there. Objects in a namespace the target lacks cannot be dry-run;
// they are shown as the creates they will be, and a note says so.
func (s *serviceStep) Plan(ctx context.Context) (runbook.ChangeSet, error) {
	ex, err := s.export(ctx)
	if err != nil {
		return runbook.ChangeSet{}, err
	}
	cs := runbook.ChangeSet{Step: s.ID()}
	nsMissing := false
	for _, it := range ex.want {
		ch, err := s.planOne(ctx, it, nsMissing)
		if err != nil {
			return runbook.ChangeSet{}, s.fail(ex.red, "%w", err)
		}
		if it.obj.GetKind() == "Namespace" && ch.Op == runbook.OpCreate {
			nsMissing = true
			cs.Notes = append(cs.Notes, fmt.Sprintf("namespace %s does not exist on %s: it is created first, and the objects in it are previewed without a server dry-run",
				it.obj.GetName(), s.cfg.TargetLabel))
		}
		cs.Changes = append(cs.Changes, ch)
	}
	cs.Notes = append(cs.Notes, irsaNotes(ex)...)
	return cs, nil
}

// planOne is one object's change: create, update or none.
func (s *serviceStep) planOne(ctx context.Context, it item, nsMissing bool) (runbook.Change, error) {
	ch := runbook.Change{Kind: it.obj.GetKind(), Namespace: it.obj.GetNamespace(), Name: it.obj.GetName()}
	live, err := s.getTarget(ctx, it)
	if err != nil {
		return ch, err
	}
	after := it.obj
	if !nsMissing {
		if after, err = s.apply(ctx, it, true); err != nil {
			return ch, err
		}
	}
	switch {
	case live == nil:
		ch.Op = runbook.OpCreate
	case same(live, after):
		ch.Op = runbook.OpNone
	default:
		ch.Op = runbook.OpUpdate
		if ch.Before, err = render(live); err != nil {
			return ch, err
		}
	}
	ch.After, err = render(after)
	return ch, err
}

// getTarget reads an object's current state on the target; nil when absent.
func (s *serviceStep) getTarget(ctx context.Context, it item) (*unstructured.Unstructured, error) {
	live, err := s.client(s.cfg.Target, it).Get(ctx, it.obj.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s on %s: %w", describe(it.obj), s.cfg.TargetLabel, err)
	}
	return live, nil
}

// apply server-side applies an object to the target as ferry, taking over
// fields other managers hold (the clone is meant to win), or only
// dry-runs it.
func (s *serviceStep) apply(ctx context.Context, it item, dryRun bool) (*unstructured.Unstructured, error) {
	opts := metav1.ApplyOptions{FieldManager: FieldManager, Force: true}
	what := "server-side apply"
	if dryRun {
		opts.DryRun = []string{metav1.DryRunAll}
		what = "dry-run server-side apply"
	}
	out, err := s.client(s.cfg.Target, it).Apply(ctx, it.obj.GetName(), it.obj, opts)
	if err != nil {
		return nil, fmt.Errorf("%s of %s on %s: %w; fix the object on the source or the plan's mapping, then plan again",
			what, describe(it.obj), s.cfg.TargetLabel, err)
	}
	return out, nil
}

// client is the resource an item lives in on one cluster.
func (s *serviceStep) client(c dynamic.Interface, it item) dynamic.ResourceInterface {
	if it.res.namespaced {
		return c.Resource(it.res.gvr).Namespace(it.obj.GetNamespace())
	}
	return c.Resource(it.res.gvr)
}

// irsaNotes says where each kube2iam role went: IRSA changes how pods get
// their credentials, which the operator should not learn from a diff.
func irsaNotes(ex export) []string {
	had := map[string]bool{}
	for _, o := range ex.source {
		if o.GetKind() == "ServiceAccount" && o.GetAnnotations()[irsaAnnotation] != "" {
			had[o.GetName()] = true
		}
	}
	var out []string
	for _, it := range ex.want {
		role := it.obj.GetAnnotations()[irsaAnnotation]
		if it.obj.GetKind() == "ServiceAccount" && role != "" && !had[it.obj.GetName()] {
			out = append(out, fmt.Sprintf("kube2iam pod annotation iam.amazonaws.com/role becomes IRSA: ServiceAccount %s gets %s=%s",
				it.obj.GetName(), irsaAnnotation, role))
		}
	}
	return out
}
