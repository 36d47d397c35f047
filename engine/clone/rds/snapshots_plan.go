package rds

import (
	"context"
	"fmt"
	"strings"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// changes are the snapshot work still to do; once the new account holds
// its copy, the old account's part is over and left out. from is the ARN
// the copy is made from, copyKey how the copy is encrypted.
func (sd snapshots[S]) changes(c *common, from, copyKey string) []runbook.Change {
	k, n := sd.kind, sd.ids
	copyChange := runbook.Change{Op: createOp(sd.copy != nil), Kind: k.change, Namespace: c.targetAccount, Name: n.copy,
		After: fmt.Sprintf("account: %s (new)\ncopied from: %s\n%s", c.targetAccount, from, copyKey)}
	if sd.copy != nil {
		return []runbook.Change{copyChange}
	}
	snapKey := sd.srcKey.describeName()
	if sd.snap != nil && k.key(sd.snap) != "" {
		snapKey = k.key(sd.snap)
	}
	old := c.sourceAccount + " (old; ferry's only writes there)"
	out := []runbook.Change{{Op: createOp(sd.snap != nil), Kind: k.change, Namespace: c.sourceAccount, Name: n.snapshot,
		After: fmt.Sprintf("account: %s\nsnapshot of: %s\n%s", old, c.name, encryption(sd.srcKey.arn != "", snapKey))}}
	if sd.reencrypt() {
		out = append(out, runbook.Change{Op: createOp(sd.share != nil), Kind: k.change, Namespace: c.sourceAccount, Name: n.share,
			After: fmt.Sprintf("account: %s\ncopy of: %s\n%s", old, n.snapshot, encryption(true, sd.shareKey.describeName()))})
	}
	share := runbook.Change{Op: runbook.OpUpdate, Kind: k.shareChange, Namespace: c.sourceAccount, Name: sd.sharedID() + "/restore",
		Before: "restore: []", After: "restore: [" + c.targetAccount + "]"}
	if sd.shared {
		share.Op, share.Before = runbook.OpNone, share.After
	}
	return append(out, share, copyChange)
}

// notes say what the clone writes where, what AWS does and for how long
// (work), what the data is, what the operator must have arranged, how the
// source's deletion protection is handled, what the clone's endpoints are
// (endpoints), and what stays in the old account.
func (sd snapshots[S]) notes(c *common, work string, protected bool, endpoints string) []string {
	var notes []string
	if w := sd.oldWrites(c); len(w) > 0 {
		notes = append(notes, fmt.Sprintf("this step writes to the old account %s, the only writes it makes there: it %s", c.sourceAccount, strings.Join(w, ", then ")))
	}
	notes = append(notes, work, sd.dataNote(c))
	key := sd.srcKey
	if sd.reencrypt() {
		key = sd.shareKey
	}
	if key.arn != "" {
		notes = append(notes, fmt.Sprintf("KMS key %s stays in account %s: its key policy must let account %s use it (kms:DescribeKey, kms:CreateGrant, kms:Decrypt), or AWS refuses the copy with KMSKeyNotAccessibleFault; ferry never changes the old account's keys",
			key.describeName(), c.sourceAccount, c.targetAccount))
	}
	if protected {
		notes = append(notes, fmt.Sprintf("%s has deletion protection; the clone is restored without it so that a rollback can delete it: turn it on after the cutover", c.name))
	}
	return append(notes, endpoints, sd.leftNote(c))
}

// oldWrites are the writes in the old account still to make.
func (sd snapshots[S]) oldWrites(c *common) []string {
	if sd.copy != nil {
		return nil
	}
	var writes []string
	if sd.snap == nil {
		writes = append(writes, fmt.Sprintf("creates %s %s of %s", sd.kind.noun, sd.ids.snapshot, c.name))
	}
	if sd.reencrypt() && sd.share == nil {
		writes = append(writes, fmt.Sprintf("copies it as %s under the share key %s (%s is AWS-managed and cannot be shared)",
			sd.ids.share, sd.shareKey.describeName(), sd.srcKey.describeName()))
	}
	if !sd.shared {
		writes = append(writes, fmt.Sprintf("shares %s with account %s (its restore attribute)", sd.sharedID(), c.targetAccount))
	}
	return writes
}

// dataNote says which point in time the clone holds.
func (sd snapshots[S]) dataNote(c *common) string {
	if sd.snap != nil && sd.kind.created(sd.snap) != nil {
		return fmt.Sprintf("%s %s already exists in account %s (taken %s): the clone restores that point in time; delete it there for a fresher one",
			sd.kind.noun, sd.ids.snapshot, c.sourceAccount, sd.kind.created(sd.snap).UTC().Format("2006-01-02 15:04 MST"))
	}
	return fmt.Sprintf("the clone holds %s's data as of the %s apply takes: writes after it are not copied; stop writes first (or plan a final sync) if the cutover needs them",
		c.name, sd.kind.noun)
}

// leftNote names what the step leaves in the old account.
func (sd snapshots[S]) leftNote(c *common) string {
	left := sd.ids.snapshot
	if sd.reencrypt() {
		left += " and " + sd.ids.share
	}
	return fmt.Sprintf("the old account keeps %s %s, shared with account %s: neither apply nor rollback deletes it; delete it there when the migration is done",
		sd.kind.noun, left, c.targetAccount)
}

// evidence says where the step's snapshots are.
func (sd snapshots[S]) evidence(c *common) string {
	state := func(sn *S) string {
		if sn == nil {
			return "absent"
		}
		return sd.kind.status(sn)
	}
	out := fmt.Sprintf("copy %s in account %s: %s; %s %s in the old account %s: %s", sd.ids.copy, c.targetAccount, state(sd.copy),
		sd.kind.noun, sd.ids.snapshot, c.sourceAccount, state(sd.snap))
	if sd.reencrypt() {
		out += fmt.Sprintf("; re-encrypted copy %s there: %s", sd.ids.share, state(sd.share))
	}
	if sd.shared {
		out += fmt.Sprintf("; %s is shared with account %s", sd.sharedID(), c.targetAccount)
	}
	return out
}

// currentKey is the key the plan named by an alias AWS creates on first
// use, looked up again now that it may exist; key and name as they were
// otherwise.
func (c *common) currentKey(ctx context.Context, key, name string) (string, string, error) {
	if !strings.HasPrefix(key, "alias/") {
		return key, name, nil
	}
	k, found, err := readKey(ctx, c.targetKMS, key)
	if err != nil {
		return "", "", c.fail("%s: %w", c.onTarget(), err)
	}
	if found {
		return k.arn, k.describeName(), nil
	}
	return key, name, nil
}
