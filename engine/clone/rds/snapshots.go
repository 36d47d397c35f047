package rds

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// snapKind is what the snapshot work both steps share needs to know of
// their kind of snapshot: the instance step's DB snapshots or the cluster
// step's DB cluster snapshots, which AWS keeps apart with calls, fields
// and error codes of their own but moves between accounts alike.
type snapKind[S any] struct {
	noun                string // "snapshot", "cluster snapshot": how messages name one
	change, shareChange string // the change set Kinds of one and of its share
	arnType             string // "snapshot", "cluster-snapshot": the resource type in its ARN
	notFound            string // the error code of deleting one that is not there
	// Fields of one.
	arn, key, status, source func(*S) string
	created                  func(*S) *time.Time
}

var dbSnapshots = &snapKind[types.DBSnapshot]{noun: "snapshot", change: ChangeSnapshot, shareChange: ChangeShare,
	arnType: "snapshot", notFound: "DBSnapshotNotFound",
	arn:     func(sn *types.DBSnapshot) string { return aws.ToString(sn.DBSnapshotArn) },
	key:     func(sn *types.DBSnapshot) string { return aws.ToString(sn.KmsKeyId) },
	status:  func(sn *types.DBSnapshot) string { return aws.ToString(sn.Status) },
	source:  func(sn *types.DBSnapshot) string { return aws.ToString(sn.SourceDBSnapshotIdentifier) },
	created: func(sn *types.DBSnapshot) *time.Time { return sn.SnapshotCreateTime },
}

var dbClusterSnapshots = &snapKind[types.DBClusterSnapshot]{noun: "cluster snapshot", change: ChangeClusterSnapshot, shareChange: ChangeClusterShare,
	arnType: "cluster-snapshot", notFound: "DBClusterSnapshotNotFoundFault",
	arn:     func(sn *types.DBClusterSnapshot) string { return aws.ToString(sn.DBClusterSnapshotArn) },
	key:     func(sn *types.DBClusterSnapshot) string { return aws.ToString(sn.KmsKeyId) },
	status:  func(sn *types.DBClusterSnapshot) string { return aws.ToString(sn.Status) },
	source:  func(sn *types.DBClusterSnapshot) string { return aws.ToString(sn.SourceDBClusterSnapshotArn) },
	created: func(sn *types.DBClusterSnapshot) *time.Time { return sn.SnapshotCreateTime },
}

// snapNames are a step's snapshot identifiers. They are derived from the
// step and both accounts, so a resumed or repeated apply finds what an
// earlier one made.
type snapNames struct {
	snapshot string // the snapshot of the source, in the old account
	share    string // its re-encrypted copy in the old account (ShareKey only)
	copy     string // the copy in the new account, restored from
}

// snapNames names the step's snapshots, their bases cut to limit
// characters (see snapshotID).
func (c *common) snapNames(limit int) snapNames {
	suffix := derivedSuffix(c.id, c.sourceAccount, c.targetAccount)
	n := snapNames{snapshot: snapshotID(c.name, suffix, limit), copy: snapshotID(c.mapName(c.name), suffix, limit)}
	if c.shareKey != "" {
		n.share = n.snapshot + "-share"
	}
	return n
}

// snapshots is how far an earlier apply got with a step's snapshots, and
// the keys they are under.
type snapshots[S any] struct {
	kind     *snapKind[S]
	ids      snapNames
	srcKey   keyInfo // zero when the source is not encrypted
	shareKey keyInfo // the configured ShareKey, when the source needs it
	// The step's snapshots, nil when absent: of the source, its
	// re-encrypted copy (ShareKey only), and the new account's copy.
	snap, share, copy *S
	shared            bool // the snapshot to share names the target account
}

// reencrypt says the snapshot must be copied under ShareKey before it is
// shared: the source's own key is AWS-managed.
func (sd snapshots[S]) reencrypt() bool { return sd.srcKey.managed }

// sharedID is the snapshot the old account shares: the snapshot itself or
// its re-encrypted copy.
func (sd snapshots[S]) sharedID() string {
	if sd.reencrypt() {
		return sd.ids.share
	}
	return sd.ids.snapshot
}

// toShare is the snapshot the old account shares, nil until it exists.
func (sd snapshots[S]) toShare() *S {
	if sd.reencrypt() {
		return sd.share
	}
	return sd.snap
}

// sharedARN is the ARN the new account copies from: the shared
// snapshot's, else built from the source's ARN (srcARN), region (the
// configured one first) and account.
func (sd snapshots[S]) sharedARN(srcARN, region, account string) string {
	if sn := sd.toShare(); sn != nil && sd.kind.arn(sn) != "" {
		return sd.kind.arn(sn)
	}
	partition := "aws"
	if parts := strings.SplitN(srcARN, ":", 6); len(parts) == 6 {
		partition, region = parts[1], cmp.Or(region, parts[3])
	}
	return fmt.Sprintf("arn:%s:rds:%s:%s:%s:%s", partition, region, account, sd.kind.arnType, sd.sharedID())
}

// snapAPI reaches a step's kind of snapshot in both accounts.
type snapAPI[S any] struct {
	kind           *snapKind[S]
	ids            snapNames
	source, target func(ctx context.Context, id string) (*S, error)
	// restore reads the accounts a snapshot of the old account is shared
	// with; delete deletes one in the new account.
	restore func(ctx context.Context, id string) ([]string, error)
	delete  func(ctx context.Context, id string) error
}

// read finds the snapshots an earlier apply made, and whether the one to
// share is shared with the target account. sd's keys must be read.
func (a snapAPI[S]) read(ctx context.Context, c *common, sd *snapshots[S]) error {
	var err error
	sd.kind, sd.ids = a.kind, a.ids
	if sd.snap, err = a.source(ctx, a.ids.snapshot); err != nil {
		return c.fail("old account %s: %w", c.sourceAccount, err)
	}
	if sd.reencrypt() {
		if sd.share, err = a.source(ctx, a.ids.share); err != nil {
			return c.fail("old account %s: %w", c.sourceAccount, err)
		}
	}
	if sd.copy, err = a.target(ctx, a.ids.copy); err != nil {
		return c.fail("%s: %w", c.onTarget(), err)
	}
	if sd.toShare() == nil {
		return nil
	}
	accounts, err := a.restore(ctx, sd.sharedID())
	if err != nil {
		return c.fail("old account %s: %w", c.sourceAccount, err)
	}
	sd.shared = slices.Contains(accounts, c.targetAccount)
	return nil
}

// rollbackChange is the deletion of the copy in the new account, none
// when it is already gone.
func (a snapAPI[S]) rollbackChange(ctx context.Context, c *common) (runbook.Change, error) {
	sn, err := a.target(ctx, a.ids.copy)
	if err != nil {
		return runbook.Change{}, c.fail("%s: %w", c.onTarget(), err)
	}
	ch := runbook.Change{Op: runbook.OpNone, Kind: a.kind.change, Namespace: c.targetAccount, Name: a.ids.copy}
	if sn != nil {
		ch.Op, ch.Before = runbook.OpDelete, fmt.Sprintf("account: %s\ncopied from: %s\nstatus: %s", c.targetAccount,
			a.kind.source(sn), a.kind.status(sn))
	}
	return ch, nil
}

// deleteCopy deletes the copy in the new account.
func (a snapAPI[S]) deleteCopy(ctx context.Context, c *common) (string, error) {
	noun, id := a.kind.noun, a.ids.copy
	gone := fmt.Sprintf("%s %s is already gone from %s", noun, id, c.label)
	sn, err := a.target(ctx, id)
	switch {
	case err != nil:
		return "", c.fail("%s: %w", c.onTarget(), err)
	case sn == nil:
		return gone, nil
	case arnAccount(a.kind.arn(sn)) != c.targetAccount:
		return "", c.fail("%s %s on the target side is in account %q, not the plan's target account %s; check the target profile",
			noun, id, arnAccount(a.kind.arn(sn)), c.targetAccount)
	}
	err = a.delete(ctx, id)
	if isCode(err, a.kind.notFound) {
		return gone, nil
	}
	if err != nil {
		return "", c.fail("delete %s %s in %s: %w; roll back again, or delete it by hand", noun, id, c.label, err)
	}
	return fmt.Sprintf("deleted %s %s in %s", noun, id, c.label), nil
}

// finishRollback deletes the copy when the undo records name it, then
// reports what the rollback did (done) and what stays in the old account
// (old).
func (a snapAPI[S]) finishRollback(ctx context.Context, c *common, rec runbook.Recorder, done []string, deleteCopy bool, old []string) error {
	if deleteCopy {
		msg, err := a.deleteCopy(ctx, c)
		if err != nil {
			return err
		}
		done = append(done, msg)
	}
	if len(done) == 0 {
		done = append(done, fmt.Sprintf("nothing to delete in account %s", c.targetAccount))
	}
	rec.Progress(runbook.Progress{Done: 1, Total: 1, Message: strings.Join(append(done, c.oldNote(old)), "; ")})
	return nil
}
