package rds

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// clusterUndo is what the cluster step's undo records ask: what to delete
// in the new account, and what stays in the old one.
type clusterUndo struct {
	cluster, copy bool
	members       []string // member instances the step created, in order
	old           []string // "name (what)" in the old account
}

// merge reads the undo records, refusing any this step did not write.
func (s *clusterStep) merge(records []json.RawMessage) (clusterUndo, error) {
	var u clusterUndo
	var err error
	u.old, err = s.mergeRecords(records, func(r undoRecord) bool {
		ok := r.Account == s.cfg.TargetAccount
		switch r.Kind {
		case recordCluster:
			u.cluster = true
			return ok && r.Name == s.names.cluster
		case recordCopy:
			u.copy = true
			return ok && r.Name == s.names.copy
		case recordMember:
			ok = ok && r.Name != ""
			if ok && !slices.Contains(u.members, r.Name) {
				u.members = append(u.members, r.Name)
			}
			return ok
		}
		return false
	})
	return u, err
}

// rollbackTarget is what a rollback finds in the new account.
type rollbackTarget struct {
	cluster *types.DBCluster
	members map[string]*types.DBInstance // the step's members that still exist
}

// readRollback reads what the rollback deletes and refuses, before
// anything is deleted, what changed since the apply in a way that would
// stop it half-way or delete what ferry did not make: a member instance
// moved out of the cluster, members added to the cluster since, deletion
// protection turned on.
func (s *clusterStep) readRollback(ctx context.Context, u clusterUndo) (rollbackTarget, error) {
	t := rollbackTarget{members: map[string]*types.DBInstance{}}
	for _, id := range u.members {
		in, err := describeInstance(ctx, s.cfg.Target, id)
		switch {
		case err != nil:
			return t, s.fail("%s: %w", s.onTarget(), err)
		case in == nil:
			continue
		case arnAccount(aws.ToString(in.DBInstanceArn)) != s.cfg.TargetAccount || aws.ToString(in.DBClusterIdentifier) != s.names.cluster:
			return t, s.fail("DB instance %s (%s) is no longer a member of DB cluster %s in %s, although ferry created it there: it changed since the apply, and ferry deletes only its own cluster's members; delete it by hand if it should go, then roll back again",
				id, aws.ToString(in.DBInstanceArn), s.names.cluster, s.onTarget())
		}
		t.members[id] = in
	}
	if !u.cluster {
		return t, nil
	}
	cl, err := describeCluster(ctx, s.cfg.Target, s.names.cluster)
	switch {
	case err != nil:
		return t, s.fail("%s: %w", s.onTarget(), err)
	case cl == nil:
		return t, nil
	case arnAccount(aws.ToString(cl.DBClusterArn)) != s.cfg.TargetAccount:
		return t, s.fail("DB cluster %s on the target side is in account %q, not the plan's target account %s; check the target profile",
			s.names.cluster, arnAccount(aws.ToString(cl.DBClusterArn)), s.cfg.TargetAccount)
	case aws.ToBool(cl.DeletionProtection):
		return t, s.fail("DB cluster %s in %s has deletion protection, turned on since ferry restored it without: turn it off there if the cluster should go, then roll back again",
			s.names.cluster, s.onTarget())
	}
	var foreign []string
	for _, m := range cl.DBClusterMembers {
		if id := aws.ToString(m.DBInstanceIdentifier); !slices.Contains(u.members, id) {
			foreign = append(foreign, id)
		}
	}
	if len(foreign) > 0 {
		return t, s.fail("DB cluster %s in %s has member instances ferry did not create (added since the apply): %s; AWS deletes no cluster with members and ferry deletes only what it made: delete them there first, then roll back again",
			s.names.cluster, s.onTarget(), strings.Join(foreign, ", "))
	}
	t.cluster = cl
	return t, nil
}

// PlanRollback names what Rollback deletes in the new account, live: the
// member instances, the restored cluster and the snapshot copy, each delete
// or none when already gone. Notes say the old account is left as it is,
// and what stays there.
func (s *clusterStep) PlanRollback(ctx context.Context, records []json.RawMessage) (runbook.ChangeSet, error) {
	cs := runbook.ChangeSet{Step: s.ID()}
	if err := s.checkConfig(); err != nil {
		return cs, err
	}
	u, err := s.merge(records)
	if err != nil {
		return cs, err
	}
	t, err := s.readRollback(ctx, u)
	if err != nil {
		return cs, err
	}
	for _, id := range u.members {
		ch := runbook.Change{Op: runbook.OpNone, Kind: ChangeInstance, Namespace: s.cfg.TargetAccount, Name: id}
		if in := t.members[id]; in != nil {
			ch.Op, ch.Before = runbook.OpDelete, haveMember(in).render(s.names.cluster)
		}
		cs.Changes = append(cs.Changes, ch)
	}
	if u.cluster {
		ch := runbook.Change{Op: runbook.OpNone, Kind: ChangeCluster, Namespace: s.cfg.TargetAccount, Name: s.names.cluster}
		if t.cluster != nil {
			ch.Op, ch.Before = runbook.OpDelete, haveCluster(t.cluster).render(s.names.cluster)
			cs.Notes = append(cs.Notes, fmt.Sprintf("deleting DB cluster %s destroys its data, including anything written to it since the restore; no final snapshot is taken", s.names.cluster))
		}
		cs.Changes = append(cs.Changes, ch)
	}
	if u.copy {
		ch, err := s.snaps().rollbackChange(ctx, &s.common)
		if err != nil {
			return cs, err
		}
		cs.Changes = append(cs.Changes, ch)
	}
	cs.Notes = append(cs.Notes, s.oldNote(u.old))
	return cs, nil
}

// Rollback deletes, in the new account only, what the undo records say
// Apply made: the member instances, then the cluster (without a final
// snapshot, waiting until each is gone), then the snapshot copy. The old
// account's snapshot and its share stay, as the plan's notes say.
func (s *clusterStep) Rollback(ctx context.Context, records []json.RawMessage, rec runbook.Recorder) error {
	if err := s.checkConfig(); err != nil {
		return err
	}
	u, err := s.merge(records)
	if err != nil {
		return err
	}
	t, err := s.readRollback(ctx, u)
	if err != nil {
		return err
	}
	var done []string
	if len(u.members) > 0 {
		msg, err := s.deleteMembers(ctx, rec, u.members, t)
		if err != nil {
			return err
		}
		done = append(done, msg)
	}
	if u.cluster {
		msg, err := s.deleteCluster(ctx, rec, t.cluster)
		if err != nil {
			return err
		}
		done = append(done, msg)
	}
	return s.snaps().finishRollback(ctx, &s.common, rec, done, u.copy, u.old)
}

// deleteMembers deletes the step's members that exist, each once AWS lets
// it (not while it is still being created), all before waiting, then
// waits until each is gone.
func (s *clusterStep) deleteMembers(ctx context.Context, rec runbook.Recorder, ids []string, t rollbackTarget) (string, error) {
	var deleted, gone []string
	for _, id := range ids {
		if t.members[id] == nil {
			gone = append(gone, id)
			continue
		}
		what := fmt.Sprintf("member %s of DB cluster %s in account %s, to be deleted", id, s.names.cluster, s.cfg.TargetAccount)
		if err := s.wait(ctx, rec, phase{0, 2}, what, settled(s.instanceGone(s.cfg.Target, id))); err != nil {
			return "", err
		}
		in, err := describeInstance(ctx, s.cfg.Target, id)
		if err != nil {
			return "", s.fail("%s: %w", s.onTarget(), err)
		}
		if in != nil && aws.ToString(in.DBInstanceStatus) != "deleting" {
			_, err := s.cfg.Target.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String(id), SkipFinalSnapshot: aws.Bool(true)})
			if err != nil && !isCode(err, "DBInstanceNotFound") {
				return "", s.fail("delete member %s of DB cluster %s in %s: %w; fix what RDS says and roll back again", id, s.names.cluster, s.cfg.TargetLabel, err)
			}
		}
		deleted = append(deleted, id)
	}
	for _, id := range deleted {
		if err := s.wait(ctx, rec, phase{0, 2}, fmt.Sprintf("member %s deleted in account %s", id, s.cfg.TargetAccount), s.instanceGone(s.cfg.Target, id)); err != nil {
			return "", err
		}
	}
	var out []string
	if len(deleted) > 0 {
		out = append(out, fmt.Sprintf("deleted member instances %s in %s", strings.Join(deleted, ", "), s.cfg.TargetLabel))
	}
	if len(gone) > 0 {
		out = append(out, fmt.Sprintf("member instances %s are already gone from %s", strings.Join(gone, ", "), s.cfg.TargetLabel))
	}
	return strings.Join(out, "; "), nil
}

// deleteCluster deletes the restored cluster, cl as read before the
// members went, once AWS lets it, and waits until it is gone.
func (s *clusterStep) deleteCluster(ctx context.Context, rec runbook.Recorder, cl *types.DBCluster) (string, error) {
	if cl == nil {
		return fmt.Sprintf("DB cluster %s is already gone from %s", s.names.cluster, s.cfg.TargetLabel), nil
	}
	what := fmt.Sprintf("DB cluster %s in account %s, to be deleted", s.names.cluster, s.cfg.TargetAccount)
	if err := s.wait(ctx, rec, phase{1, 2}, what, settled(s.clusterGone())); err != nil {
		return "", err
	}
	cl, err := describeCluster(ctx, s.cfg.Target, s.names.cluster)
	if err != nil {
		return "", s.fail("%s: %w", s.onTarget(), err)
	}
	if cl != nil && aws.ToString(cl.Status) != "deleting" {
		_, err := s.cfg.Target.DeleteDBCluster(ctx, &rds.DeleteDBClusterInput{DBClusterIdentifier: aws.String(s.names.cluster), SkipFinalSnapshot: aws.Bool(true)})
		if err != nil && !isCode(err, "DBClusterNotFoundFault") {
			return "", s.fail("delete DB cluster %s in %s: %w; fix what RDS says (deletion protection? members added since?) and roll back again", s.names.cluster, s.cfg.TargetLabel, err)
		}
	}
	if err := s.wait(ctx, rec, phase{1, 2}, fmt.Sprintf("DB cluster %s deleted in account %s", s.names.cluster, s.cfg.TargetAccount), s.clusterGone()); err != nil {
		return "", err
	}
	return fmt.Sprintf("deleted DB cluster %s in %s", s.names.cluster, s.cfg.TargetLabel), nil
}
