package clone

import (
	"context"
	"encoding/json"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/util/retry"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// Rollback puts the target back as it was before the first Apply the undo
// records cover: an object that existed gets its prior content back
// (replaced whole, so fields the clone added go too); an object the clone
// created is deleted. Objects are undone in reverse apply order, so the
// Ingress goes before the workload and the Namespace last.
func (s *serviceStep) Rollback(ctx context.Context, undo []json.RawMessage, rec runbook.Recorder) error {
	recs, err := oldestPerObject(undo)
	if err != nil {
		return s.fail(redactor{}, "%w", err)
	}
	red := redactor{}
	for _, u := range recs {
		if u.Prior != nil {
			red = red.with([]*unstructured.Unstructured{{Object: u.Prior}})
		}
	}
	for i := len(recs) - 1; i >= 0; i-- {
		msg, err := s.restore(ctx, recs[i])
		if err != nil {
			return s.fail(red, "%w", err)
		}
		rec.Progress(runbook.Progress{Done: len(recs) - i, Total: len(recs), Message: red.text(msg)})
	}
	return nil
}

// oldestPerObject keeps, for each object, its first record: the state
// before the first write. Later records (a re-apply) describe states the
// clone itself made. The result is in first-write order.
func oldestPerObject(undo []json.RawMessage) ([]undoRecord, error) {
	seen := map[string]bool{}
	var out []undoRecord
	for i, raw := range undo {
		var u undoRecord
		if err := json.Unmarshal(raw, &u); err != nil {
			return nil, fmt.Errorf("undo record %d is unreadable: %w; the rollback needs it, restore the undo store from a backup", i+1, err)
		}
		if u.Resource == "" || u.Version == "" || u.Name == "" {
			return nil, fmt.Errorf("undo record %d names no object; it was not written by a clone step", i+1)
		}
		if !seen[u.key()] {
			seen[u.key()] = true
			out = append(out, u)
		}
	}
	return out, nil
}

// restore undoes the clone's writes to one object.
func (s *serviceStep) restore(ctx context.Context, u undoRecord) (string, error) {
	ri := s.undoClient(u)
	if !u.Existed {
		bg := metav1.DeletePropagationBackground
		err := ri.Delete(ctx, u.Name, metav1.DeleteOptions{PropagationPolicy: &bg})
		if apierrors.IsNotFound(err) {
			return "already gone " + u.describe(), nil
		}
		if err != nil {
			return "", fmt.Errorf("delete %s, which the clone created, on %s: %w; delete it by hand or roll back again", u.describe(), s.cfg.TargetLabel, err)
		}
		return "deleted " + u.describe(), nil
	}
	msg := ""
	err := retry.RetryOnConflict(retry.DefaultRetry, func() error {
		var err error
		msg, err = s.putBack(ctx, ri, u)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("restore %s on %s: %w; roll back again, or restore it by hand from the undo record", u.describe(), s.cfg.TargetLabel, err)
	}
	return msg, nil
}

// putBack writes an object's prior content over whatever is there now.
func (s *serviceStep) putBack(ctx context.Context, ri dynamic.ResourceInterface, u undoRecord) (string, error) {
	prior := (&unstructured.Unstructured{Object: u.Prior}).DeepCopy()
	cur, err := ri.Get(ctx, u.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		_, err = ri.Create(ctx, prior, metav1.CreateOptions{FieldManager: FieldManager})
		return "recreated " + u.describe(), err
	}
	if err != nil {
		return "", err
	}
	if same(cur, prior) {
		return "already as before " + u.describe(), nil
	}
	prior.SetResourceVersion(cur.GetResourceVersion())
	_, err = ri.Update(ctx, prior, metav1.UpdateOptions{FieldManager: FieldManager})
	return "restored " + u.describe(), err
}

// undoClient is the resource an undo record's object lives in.
func (s *serviceStep) undoClient(u undoRecord) dynamic.ResourceInterface {
	r := s.cfg.Target.Resource(schema.GroupVersionResource{Group: u.Group, Version: u.Version, Resource: u.Resource})
	if u.Namespace == "" {
		return r
	}
	return r.Namespace(u.Namespace)
}
