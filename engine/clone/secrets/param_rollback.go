package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	ssmtypes "github.com/aws/aws-sdk-go-v2/service/ssm/types"

	"github.com/ferry-dev/ferry/engine/clone/awsstep"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// paramMerged is one parameter's undo records merged, oldest first: the
// first record to touch a part of it saw it before any apply.
type paramMerged struct {
	created bool
	wrote   []digest
	prior   *priorParam
	tags    awsstep.TagUndo
}

// merge groups the undo records by parameter, in name order.
func (s *paramStep) merge(records []json.RawMessage) ([]string, map[string]*paramMerged, error) {
	byName := map[string]*paramMerged{}
	var names []string
	for i, raw := range records {
		var r paramUndo
		if err := json.Unmarshal(raw, &r); err != nil {
			return nil, nil, s.Fail("undo record %d is unreadable: %w; the rollback needs it, restore the undo store from a backup", i+1, err)
		}
		if r.Account != s.TargetAccount || r.Parameter == "" {
			return nil, nil, s.Fail("undo record %d is for parameter %q in account %s, not account %s; it was not written by this step",
				i+1, r.Parameter, r.Account, s.TargetAccount)
		}
		m := byName[r.Parameter]
		if m == nil {
			m = &paramMerged{created: r.Created}
			byName[r.Parameter], names = m, append(names, r.Parameter)
		}
		if r.Wrote != nil {
			m.wrote = append(m.wrote, *r.Wrote)
		}
		if r.Prior != nil && m.prior == nil {
			m.prior = r.Prior
		}
		m.tags.Add(r.PriorTags, r.AddedTags)
	}
	slices.Sort(names)
	return names, byName, nil
}

// paramAction is what the rollback does to one parameter.
type paramAction struct {
	name   string
	cur    param
	m      *paramMerged
	delete bool // created by the clone: delete it
	put    bool // overwritten by the clone: put the previous version back
}

// Rollback deletes the parameters the clone created and puts back the
// previous version of those it overwrote (read by version number, written
// as a new version), with their tags. A parameter whose value is not one
// the clone wrote was changed since: the rollback refuses, naming every
// such parameter, before any write. The old account is never touched.
func (s *paramStep) Rollback(ctx context.Context, records []json.RawMessage, rec runbook.Recorder) (err error) {
	v := &vault{}
	defer func() { err = v.mask(err) }()
	if err := s.checkConfig(); err != nil {
		return err
	}
	names, merged, err := s.merge(records)
	if err != nil {
		return err
	}
	actions, err := s.rollbackActions(ctx, names, merged, v)
	if err != nil {
		return err
	}
	for i, a := range actions {
		msg, err := s.rollbackOne(ctx, a, v)
		if err != nil {
			return err
		}
		rec.Progress(runbook.Progress{Done: i + 1, Total: len(actions), Message: msg})
	}
	if len(actions) == 0 {
		rec.Progress(runbook.Progress{Done: 1, Total: 1, Message: "nothing to undo: no apply wrote a parameter"})
	}
	return nil
}

// rollbackActions reads every parameter the clone wrote and decides what
// to do, refusing when any was changed since.
func (s *paramStep) rollbackActions(ctx context.Context, names []string, merged map[string]*paramMerged, v *vault) ([]paramAction, error) {
	var actions []paramAction
	var refused []string
	for _, name := range names {
		m := merged[name]
		cur, err := readParam(ctx, s.cfg.Target, name, v)
		if err != nil {
			return nil, s.Fail("%s (account %s): %w", s.TargetLabel, s.TargetAccount, err)
		}
		a := paramAction{name: name, cur: cur, m: m}
		ours := slices.Contains(m.wrote, digestOf(cur.value))
		switch {
		case m.created && !cur.found:
		case m.created && ours:
			a.delete = true
		case !cur.found:
			refused = append(refused, name+" (it existed before the clone and is gone)")
		case m.prior != nil && cur.version != m.prior.Version && ours:
			a.put = true
		case m.prior != nil && digestOf(cur.value) == m.prior.Value:
			// Put back by an earlier, interrupted rollback.
		case m.prior != nil && cur.version != m.prior.Version || m.created:
			refused = append(refused, fmt.Sprintf("%s (version %d holds a value the clone did not write)", name, cur.version))
		}
		actions = append(actions, a)
	}
	if len(refused) > 0 {
		return nil, s.Fail("parameters changed in %s since the clone wrote them: %s; the rollback leaves everything alone, restore those by hand (or put back what the clone wrote), then roll back again",
			s.TargetLabel, strings.Join(refused, ", "))
	}
	return actions, nil
}

// rollbackOne carries out one parameter's action, then its tags.
func (s *paramStep) rollbackOne(ctx context.Context, a paramAction, v *vault) (string, error) {
	switch {
	case a.m.created && !a.cur.found:
		return fmt.Sprintf("parameter %s is already gone from %s", a.name, s.TargetLabel), nil
	case a.delete:
		_, err := s.cfg.Target.DeleteParameter(ctx, &ssm.DeleteParameterInput{Name: aws.String(a.name)})
		var nf *ssmtypes.ParameterNotFound
		if err != nil && !errors.As(err, &nf) {
			return "", s.Fail("delete parameter %s, which the clone created, in %s: %w; delete it by hand or roll back again", a.name, s.TargetLabel, err)
		}
		return fmt.Sprintf("deleted parameter %s, which the clone created, in %s", a.name, s.TargetLabel), nil
	}
	var done []string
	if a.put {
		if err := s.putBack(ctx, a, v); err != nil {
			return "", err
		}
		done = append(done, fmt.Sprintf("version %d's value %s", a.m.prior.Version, a.m.prior.Value))
	}
	tset, untag := a.m.tags.Restore(a.cur.tags)
	if err := s.writeTags(ctx, a.name, tset, untag); err != nil {
		return "", s.Fail("restore the tags of parameter %s in %s: %w; roll back again", a.name, s.TargetLabel, err)
	}
	if len(tset)+len(untag) > 0 {
		done = append(done, "tags")
	}
	if len(done) == 0 {
		return fmt.Sprintf("parameter %s in %s is already as before", a.name, s.TargetLabel), nil
	}
	return fmt.Sprintf("restored parameter %s in %s: %s", a.name, s.TargetLabel, strings.Join(done, ", ")), nil
}

// putBack reads the version the clone overwrote and writes it again.
func (s *paramStep) putBack(ctx context.Context, a paramAction, v *vault) error {
	p := a.m.prior
	old, err := readParam(ctx, s.cfg.Target, a.name+":"+strconv.FormatInt(p.Version, 10), v)
	switch {
	case err != nil:
		return s.Fail("read version %d of parameter %s in %s: %w; restore it by hand", p.Version, a.name, s.TargetLabel, err)
	case !old.found || digestOf(old.value) != p.Value:
		return s.Fail("version %d of parameter %s in %s is gone or no longer hashes to %s (SSM keeps the last 100 versions); restore it by hand",
			p.Version, a.name, s.TargetLabel, p.Value)
	}
	back := param{name: a.name, typ: p.Type, value: old.value, description: p.Description, keyID: p.KeyID, dataType: p.DataType, allowedPattern: p.AllowedPattern}
	if err := s.put(ctx, back, true); err != nil {
		return s.Fail("put back version %d of parameter %s in %s: %w; roll back again", p.Version, a.name, s.TargetLabel, err)
	}
	return nil
}

// RollbackPreview names, from the undo records alone, what a rollback
// would do in the new account, for the confirmation an operator answers
// before it runs.
func (s *paramStep) RollbackPreview(records []json.RawMessage) ([]string, error) {
	names, merged, err := s.merge(records)
	if err != nil {
		return nil, err
	}
	where := fmt.Sprintf("in %s (account %s)", s.TargetLabel, s.TargetAccount)
	var out []string
	for _, name := range names {
		m := merged[name]
		switch {
		case m.created:
			out = append(out, fmt.Sprintf("delete parameter %s %s, which the clone created", name, where))
		case m.prior != nil:
			out = append(out, fmt.Sprintf("put back version %d (value %s) of parameter %s %s", m.prior.Version, m.prior.Value, name, where))
		}
		if !m.created && len(m.tags.Keys()) > 0 {
			out = append(out, fmt.Sprintf("restore tags %s of parameter %s %s", strings.Join(m.tags.Keys(), ", "), name, where))
		}
	}
	return out, nil
}

// PlanRollback is RollbackPreview as the runbook's rollback confirmation
// shows it.
func (s *paramStep) PlanRollback(_ context.Context, records []json.RawMessage) (runbook.ChangeSet, error) {
	lines, err := s.RollbackPreview(records)
	return runbook.ChangeSet{Step: s.ID(), Notes: lines}, err
}
