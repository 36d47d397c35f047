package clone

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// undoRecord is what Apply saves before writing one object, and all
// Rollback needs to undo that write: self-contained, so a rollback works in
// a later process with nothing but the record.
//
// Prior is the object as the target held it, metadata identity and status
// aside. For a Secret it holds the Secret's data: restoring it exactly
// needs the values. The runbook keeps undo payloads in a 0600 store apart
// from the journal for that reason.
type undoRecord struct {
	Group     string         `json:"group,omitempty"`
	Version   string         `json:"version"`
	Resource  string         `json:"resource"`
	Kind      string         `json:"kind"`
	Namespace string         `json:"namespace,omitempty"`
	Name      string         `json:"name"`
	Existed   bool           `json:"existed"`
	Prior     map[string]any `json:"prior,omitempty"`
}

// key names the object a record is about.
func (u undoRecord) key() string {
	return u.Group + "/" + u.Resource + "/" + u.Namespace + "/" + u.Name
}

// describe names the object in messages, as describe does for objects.
func (u undoRecord) describe() string {
	if u.Namespace == "" {
		return u.Kind + " " + u.Name
	}
	return u.Kind + " " + u.Namespace + "/" + u.Name
}

// Apply writes the service's objects to the target in applyOrder. Each
// object that would change gets an undo record (rec.Save) before it is
// written; an object the dry-run shows unchanged is not written at all, so
// a second Apply writes nothing and leaves every resourceVersion alone.
func (s *serviceStep) Apply(ctx context.Context, rec runbook.Recorder) error {
	ex, err := s.export(ctx)
	if err != nil {
		return err
	}
	for i, it := range ex.want {
		msg, err := s.applyOne(ctx, it, rec)
		if err != nil {
			return s.fail(ex.red, "%w", err)
		}
		rec.Progress(runbook.Progress{Done: i + 1, Total: len(ex.want), Message: ex.red.text(msg)})
	}
	return nil
}

// applyOne brings one object to its wanted state and says what it did.
func (s *serviceStep) applyOne(ctx context.Context, it item, rec runbook.Recorder) (string, error) {
	live, err := s.getTarget(ctx, it)
	if err != nil {
		return "", err
	}
	if live != nil {
		after, err := s.apply(ctx, it, true)
		if err != nil {
			return "", err
		}
		if same(live, after) {
			return "unchanged " + describe(it.obj), nil
		}
	}
	u := undoRecord{Group: it.res.gvr.Group, Version: it.res.gvr.Version, Resource: it.res.gvr.Resource,
		Kind: it.obj.GetKind(), Namespace: it.obj.GetNamespace(), Name: it.obj.GetName(), Existed: live != nil}
	if live != nil {
		u.Prior = forUndo(live)
	}
	raw, err := json.Marshal(u)
	if err != nil {
		return "", fmt.Errorf("encode the undo record of %s: %w", describe(it.obj), err)
	}
	if err := rec.Save(raw); err != nil {
		return "", fmt.Errorf("save the undo record of %s before writing it: %w; nothing was written, fix the journal's storage and apply again",
			describe(it.obj), err)
	}
	if _, err := s.apply(ctx, it, false); err != nil {
		return "", err
	}
	if live == nil {
		return "created " + describe(it.obj), nil
	}
	return "updated " + describe(it.obj), nil
}
