package s3

import (
	"context"
	"fmt"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// Change kinds in the plan.
const (
	KindBucket  = "s3-bucket"
	KindObjects = "s3-objects"
)

// Plan reads both accounts and says what Apply would do: create the bucket
// or not, each configuration part's before and after, and how many objects
// a copy would write and skip.
func (s *bucketStep) Plan(ctx context.Context) (runbook.ChangeSet, error) {
	v, err := s.read(ctx)
	if err != nil {
		return runbook.ChangeSet{}, err
	}
	cs := runbook.ChangeSet{Step: s.ID()}
	bucket := runbook.Change{Op: runbook.OpNone, Kind: KindBucket, Name: s.target, Before: "exists", After: "exists"}
	if !v.exists {
		bucket = runbook.Change{Op: runbook.OpCreate, Kind: KindBucket, Name: s.target, After: fmt.Sprintf("in %s, copied from %s", s.cfg.TargetLabel, s.cfg.Name)}
	}
	cs.Changes = append(cs.Changes, bucket)
	for _, p := range parts {
		cs.Changes = append(cs.Changes, runbook.Change{Op: partOp(v.dst[p.name], v.want[p.name]), Kind: KindBucket + "-" + p.name,
			Name: s.target, Before: v.dst[p.name], After: v.want[p.name]})
	}
	d, err := s.compareObjects(ctx, v.exists)
	if err != nil {
		return runbook.ChangeSet{}, err
	}
	objects := runbook.Change{Op: runbook.OpNone, Kind: KindObjects, Name: s.target, After: d.summary()}
	if d.missing+d.differing > 0 {
		objects.Op = runbook.OpCreate
	}
	cs.Changes = append(cs.Changes, objects)
	cs.Notes = s.notes(v)
	return cs, nil
}

// partOp is the change a part needs to go from have to want.
func partOp(have, want string) runbook.Op {
	switch {
	case have == want:
		return runbook.OpNone
	case have == "":
		return runbook.OpCreate
	case want == "":
		return runbook.OpDelete
	default:
		return runbook.OpUpdate
	}
}

// notes are what the operator should know besides the changes.
func (s *bucketStep) notes(v view) []string {
	notes := []string{fmt.Sprintf("bucket names are global: %s becomes %s", s.cfg.Name, s.target)}
	if v.src[PartVersioning] != "" {
		notes = append(notes, "the source is versioned: only the current version of each object is copied, older versions stay behind")
	}
	if s.cfg.ServerSideCopy {
		notes = append(notes, "objects copy server-side (CopyObject) while the target may read the source; if it may not, they stream through ferry")
	} else {
		notes = append(notes, "objects stream through ferry (GetObject -> PutObject, multipart above "+sizeText(s.cfg.MultipartAbove)+")")
	}
	if v.want[PartPolicy] != v.src[PartPolicy] || v.want[PartNotification] != v.src[PartNotification] || v.want[PartTags] != v.src[PartTags] {
		notes = append(notes, "the policy, tags and notification targets are rewritten through the mapping; lifecycle and CORS copy as they are")
	}
	notes = append(notes, "large buckets belong on S3 Batch Replication; this step copies object by object")
	return notes
}
