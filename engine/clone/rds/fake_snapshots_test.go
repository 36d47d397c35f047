package rds

import (
	"maps"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// The fake world's DB snapshots and DB cluster snapshots behave alike: one
// machinery serves both, told by a fakeSnapKind where a kind keeps its
// fields and which fault codes it answers with.

// fakeSnap is one snapshot of either kind: its description, the accounts
// its restore attribute names, and the reads left until it is available.
type fakeSnap[S any] struct {
	d       S
	shared  []string
	pending int
}

type (
	fakeSnapshot        = fakeSnap[types.DBSnapshot]
	fakeClusterSnapshot = fakeSnap[types.DBClusterSnapshot]
)

// fakeSnapKind is what the machinery needs of one kind of snapshot.
type fakeSnapKind[S any] struct {
	label                      string // "DBSnapshot": how a not-found message names one
	arnType                    string // "snapshot": the resource type in its ARN
	notFound, badState, exists string // fault codes
	store                      func(*fakeAccount) map[string]*fakeSnap[S]
	// Fields of a description, to read and write.
	id, arn, key, status, source, typ func(*S) **string
	progress                          func(*S) **int32
	tags                              func(*S) *[]types.Tag
}

var fakeDBSnapshots = &fakeSnapKind[types.DBSnapshot]{label: "DBSnapshot", arnType: "snapshot",
	notFound: "DBSnapshotNotFound", badState: "InvalidDBSnapshotState", exists: "DBSnapshotAlreadyExists",
	store:    func(a *fakeAccount) map[string]*fakeSnapshot { return a.snapshots },
	id:       func(d *types.DBSnapshot) **string { return &d.DBSnapshotIdentifier },
	arn:      func(d *types.DBSnapshot) **string { return &d.DBSnapshotArn },
	key:      func(d *types.DBSnapshot) **string { return &d.KmsKeyId },
	status:   func(d *types.DBSnapshot) **string { return &d.Status },
	source:   func(d *types.DBSnapshot) **string { return &d.SourceDBSnapshotIdentifier },
	typ:      func(d *types.DBSnapshot) **string { return &d.SnapshotType },
	progress: func(d *types.DBSnapshot) **int32 { return &d.PercentProgress },
	tags:     func(d *types.DBSnapshot) *[]types.Tag { return &d.TagList },
}

var fakeDBClusterSnapshots = &fakeSnapKind[types.DBClusterSnapshot]{label: "DBClusterSnapshot", arnType: "cluster-snapshot",
	notFound: "DBClusterSnapshotNotFoundFault", badState: "InvalidDBClusterSnapshotStateFault", exists: "DBClusterSnapshotAlreadyExistsFault",
	store:    func(a *fakeAccount) map[string]*fakeClusterSnapshot { return a.clusterSnaps },
	id:       func(d *types.DBClusterSnapshot) **string { return &d.DBClusterSnapshotIdentifier },
	arn:      func(d *types.DBClusterSnapshot) **string { return &d.DBClusterSnapshotArn },
	key:      func(d *types.DBClusterSnapshot) **string { return &d.KmsKeyId },
	status:   func(d *types.DBClusterSnapshot) **string { return &d.Status },
	source:   func(d *types.DBClusterSnapshot) **string { return &d.SourceDBClusterSnapshotArn },
	typ:      func(d *types.DBClusterSnapshot) **string { return &d.SnapshotType },
	progress: func(d *types.DBClusterSnapshot) **int32 { return &d.PercentProgress },
	tags:     func(d *types.DBClusterSnapshot) *[]types.Tag { return &d.TagList },
}

func (k *fakeSnapKind[S]) get(f func(*S) **string, d *S) string { return aws.ToString(*f(d)) }

// read advances a snapshot's creation by one read.
func (k *fakeSnapKind[S]) read(sn *fakeSnap[S]) S {
	if sn.pending > 0 {
		if sn.pending--; sn.pending == 0 {
			*k.status(&sn.d), *k.progress(&sn.d) = aws.String("available"), aws.Int32(100)
		}
	}
	return sn.d
}

// describe answers a describe call of c's account: the snapshot id, or
// with snapType "shared" those other accounts share with it, named by ARN.
func (k *fakeSnapKind[S]) describe(c *client, id, snapType string) ([]S, error) {
	if snapType == "shared" {
		var out []S
		for _, other := range c.w.accounts {
			snaps := k.store(other)
			for _, name := range slices.Sorted(maps.Keys(snaps)) {
				if sn := snaps[name]; other != c.a && slices.Contains(sn.shared, c.a.id) {
					d := sn.d
					*k.id(&d), *k.typ(&d) = *k.arn(&d), aws.String("shared")
					out = append(out, d)
				}
			}
		}
		return out, nil
	}
	sn, ok := k.store(c.a)[id]
	if !ok {
		return nil, fault(k.notFound, k.label+" "+id+" not found.")
	}
	return []S{k.read(sn)}, nil
}

// restore is a snapshot's restore attribute.
func (k *fakeSnapKind[S]) restore(c *client, id string) ([]string, error) {
	sn, ok := k.store(c.a)[id]
	if !ok {
		return nil, fault(k.notFound, id)
	}
	return slices.Clone(sn.shared), nil
}

// share adds accounts to an available snapshot's restore attribute; one
// under an AWS-managed key cannot be shared.
func (k *fakeSnapKind[S]) share(c *client, id string, accounts []string) error {
	sn, ok := k.store(c.a)[id]
	switch {
	case !ok:
		return fault(k.notFound, id)
	case k.get(k.status, &sn.d) != "available":
		return fault(k.badState, id)
	case c.a.keys[k.get(k.key, &sn.d)].managed:
		return fault("InvalidParameterValue", "encrypted with the default key: cannot be shared")
	}
	for _, v := range accounts {
		if !slices.Contains(sn.shared, v) {
			sn.shared = append(sn.shared, v)
		}
	}
	return nil
}

// copy copies one of c's account's snapshots, or by ARN one another
// account shares with it, as dst under key ("" keeps the source's).
func (k *fakeSnapKind[S]) copy(c *client, src, dst, key string, tags []types.Tag) (*S, error) {
	var from *fakeSnap[S]
	for _, a := range c.w.accounts {
		for _, sn := range k.store(a) {
			mine := a == c.a && k.get(k.id, &sn.d) == src
			if mine || (k.get(k.arn, &sn.d) == src && slices.Contains(sn.shared, c.a.id)) {
				from = sn
			}
		}
	}
	switch {
	case from == nil:
		return nil, fault(k.notFound, src)
	case k.get(k.status, &from.d) != "available":
		return nil, fault(k.badState, src)
	case k.store(c.a)[dst] != nil:
		return nil, fault(k.exists, dst)
	}
	d := from.d
	*k.id(&d), *k.arn(&d) = aws.String(dst), aws.String("arn:aws:rds:us-east-1:"+c.a.id+":"+k.arnType+":"+dst)
	*k.source(&d), *k.status(&d), *k.tags(&d) = *k.arn(&from.d), aws.String("creating"), tags
	if key != "" {
		*k.key(&d) = aws.String(key)
	}
	k.store(c.a)[dst] = &fakeSnap[S]{d: d, pending: pending}
	return &d, nil
}

// remove deletes one of c's account's snapshots.
func (k *fakeSnapKind[S]) remove(c *client, id string) error {
	if _, ok := k.store(c.a)[id]; !ok {
		return fault(k.notFound, id)
	}
	delete(k.store(c.a), id)
	return nil
}
