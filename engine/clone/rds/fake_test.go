package rds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/smithy-go"

	"github.com/ferry-dev/ferry/engine/rewrite"
	"github.com/ferry-dev/ferry/engine/runbook"
)

// fakeWorld is RDS and KMS of several accounts in memory, answering as AWS
// does where the step can tell: resources take a few reads to become
// available (or gone), a snapshot is visible to the accounts its restore
// attribute names, a snapshot under an AWS-managed key cannot be shared,
// faults carry RDS's codes. Every call is logged per account.
type fakeWorld struct {
	mu       sync.Mutex
	accounts map[string]*fakeAccount
	fail     []*failRule
}

// failRule makes the nth call of an account starting with prefix fail.
type failRule struct {
	account, prefix string
	n, seen         int
	err             error
}

type fakeAccount struct {
	id        string
	instances map[string]*fakeInstance
	snapshots map[string]*fakeSnapshot
	subnets   []string
	params    []string
	keys      map[string]fakeKey // by ARN
	calls     []string
	// DB clusters (fake_cluster_test.go).
	clusters      map[string]*fakeCluster
	clusterSnaps  map[string]*fakeClusterSnapshot
	clusterParams []string
}

type fakeInstance struct {
	d       types.DBInstance
	pending int // reads before creating becomes available, or deleting becomes gone
}

type fakeKey struct {
	id, alias string
	extra     []string // more aliases
	managed   bool
}

const (
	oldAcct = "111111111111"
	newAcct = "222222222222"
)

func newFakeWorld() *fakeWorld {
	w := &fakeWorld{accounts: map[string]*fakeAccount{}}
	for _, id := range []string{oldAcct, newAcct} {
		w.accounts[id] = &fakeAccount{id: id, instances: map[string]*fakeInstance{}, snapshots: map[string]*fakeSnapshot{}, keys: map[string]fakeKey{},
			clusters: map[string]*fakeCluster{}, clusterSnaps: map[string]*fakeClusterSnapshot{}}
	}
	return w
}

// seed gives the old account orders-db (customer key alias/orders-db) and
// legacy (aws/rds), and the new account what a restore needs.
func (w *fakeWorld) seed() {
	old, nu := w.accounts[oldAcct], w.accounts[newAcct]
	old.addKey("k1", "alias/orders-db", false)
	old.addKey("k2", "alias/aws/rds", true)
	old.addKey("k3", "alias/share", false)
	nu.addKey("n1", "alias/orders-db", false)
	old.subnets, old.params = []string{"kops-private"}, []string{"orders-pg15"}
	nu.subnets, nu.params = []string{"eks-private"}, []string{"orders-pg15"}
	old.instances["orders-db"] = &fakeInstance{d: instance(oldAcct, "orders-db", "postgres", old.keyARN("k1"), "orders-pg15",
		map[string]string{"team": "orders", "backup-role": "arn:aws:iam::" + oldAcct + ":role/rds-backup"})}
	old.instances["legacy"] = &fakeInstance{d: instance(oldAcct, "legacy", "mysql", old.keyARN("k2"), "default.mysql8.0", nil)}
}

func instance(acct, id, engine, key, params string, tags map[string]string) types.DBInstance {
	in := types.DBInstance{DBInstanceIdentifier: aws.String(id), DBInstanceArn: aws.String("arn:aws:rds:us-east-1:" + acct + ":db:" + id),
		DBInstanceClass: aws.String("db.t3.micro"), Engine: aws.String(engine), EngineVersion: aws.String("15.7"),
		DBInstanceStatus: aws.String("available"), AllocatedStorage: aws.Int32(20), StorageType: aws.String("gp3"),
		StorageEncrypted: aws.Bool(true), KmsKeyId: aws.String(key), MultiAZ: aws.Bool(false), PubliclyAccessible: aws.Bool(false),
		DBSubnetGroup:     &types.DBSubnetGroup{DBSubnetGroupName: aws.String("kops-private")},
		DBParameterGroups: []types.DBParameterGroupStatus{{DBParameterGroupName: aws.String(params)}},
		VpcSecurityGroups: []types.VpcSecurityGroupMembership{{VpcSecurityGroupId: aws.String("sg-old")}}}
	for _, k := range slices.Sorted(maps.Keys(tags)) {
		in.TagList = append(in.TagList, types.Tag{Key: aws.String(k), Value: aws.String(tags[k])})
	}
	return in
}

func (a *fakeAccount) keyARN(id string) string { return "arn:aws:kms:us-east-1:" + a.id + ":key/" + id }

func (a *fakeAccount) addKey(id, alias string, managed bool) {
	a.keys[a.keyARN(id)] = fakeKey{id: id, alias: alias, managed: managed}
}

// client is one account's RDS and KMS as the step sees them.
type client struct {
	w *fakeWorld
	a *fakeAccount
}

func (w *fakeWorld) client(acct string) *client { return &client{w: w, a: w.accounts[acct]} }

// failNth makes the nth call of acct whose log line starts with prefix
// fail with err, once.
func (w *fakeWorld) failNth(acct, prefix string, n int, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.fail = append(w.fail, &failRule{account: acct, prefix: prefix, n: n, err: err})
}

// call logs op and returns an injected failure, if any.
func (c *client) call(op string, detail ...string) error {
	line := strings.Join(append([]string{op}, detail...), " ")
	c.a.calls = append(c.a.calls, line)
	for i, r := range c.w.fail {
		if r.account != c.a.id || !strings.HasPrefix(line, r.prefix) {
			continue
		}
		if r.seen++; r.seen == r.n {
			c.w.fail = slices.Delete(c.w.fail, i, i+1)
			return r.err
		}
	}
	return nil
}

func fault(code, msg string) error { return &smithy.GenericAPIError{Code: code, Message: msg} }

// writes is the log of every call of acct that changes something.
func (w *fakeWorld) writes(acct string) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, c := range w.accounts[acct].calls {
		if !strings.HasPrefix(c, "Describe") && !strings.HasPrefix(c, "List") {
			out = append(out, c)
		}
	}
	return out
}

// state is an account's instances and snapshots, for before/after checks.
func (w *fakeWorld) state(acct string) string {
	w.mu.Lock()
	defer w.mu.Unlock()
	a := w.accounts[acct]
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(a.instances)) {
		fmt.Fprintf(&b, "instance %s %s\n", k, aws.ToString(a.instances[k].d.DBInstanceStatus))
	}
	for _, k := range slices.Sorted(maps.Keys(a.snapshots)) {
		fmt.Fprintf(&b, "snapshot %s %s %v\n", k, aws.ToString(a.snapshots[k].d.Status), a.snapshots[k].shared)
	}
	for _, k := range slices.Sorted(maps.Keys(a.clusters)) {
		fmt.Fprintf(&b, "cluster %s %s\n", k, aws.ToString(a.clusters[k].d.Status))
	}
	for _, k := range slices.Sorted(maps.Keys(a.clusterSnaps)) {
		fmt.Fprintf(&b, "cluster snapshot %s %s %v\n", k, aws.ToString(a.clusterSnaps[k].d.Status), a.clusterSnaps[k].shared)
	}
	return b.String()
}

// fakeMapping maps the old account to the new, and the old VPC's subnet
// group and security group to the new one's.
func fakeMapping() rewrite.Mapping {
	return rewrite.Mapping{Accounts: map[string]string{oldAcct: newAcct}, Names: []rewrite.Rename{
		{Kind: "db-subnet-group", From: "kops-private", To: "eks-private"}, {Kind: "security-group", From: "sg-old", To: "sg-new"}}}
}

// step is a step on w's accounts, polling fast.
func (w *fakeWorld) step(name string, edit ...func(*InstanceConfig)) *instanceStep {
	old, nu := w.client(oldAcct), w.client(newAcct)
	cfg := InstanceConfig{Name: name, Source: old, Target: nu, SourceKMS: old, TargetKMS: nu,
		Mapping: fakeMapping(), TargetLabel: "EKS", SourceAccount: oldAcct, TargetAccount: newAcct, Region: "us-east-1",
		Poll: time.Millisecond, MaxPoll: 2 * time.Millisecond}
	for _, e := range edit {
		e(&cfg)
	}
	return NewInstanceStep(cfg).(*instanceStep)
}

// recorder is a runbook.Recorder in memory.
type recorder struct {
	mu       sync.Mutex
	saved    []json.RawMessage
	progress []runbook.Progress
	failSave error
}

func (r *recorder) Progress(p runbook.Progress) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.progress = append(r.progress, p)
}

func (r *recorder) Save(undo json.RawMessage) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failSave != nil {
		return r.failSave
	}
	r.saved = append(r.saved, undo)
	return nil
}

func (r *recorder) Saved() ([]json.RawMessage, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.saved), nil
}

func (r *recorder) messages() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, p := range r.progress {
		out = append(out, p.Message)
	}
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

var errCrash = errors.New("connection reset (the process died here)")

// KMS.

func (c *client) DescribeKey(_ context.Context, in *kms.DescribeKeyInput, _ ...func(*kms.Options)) (*kms.DescribeKeyOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	if err := c.call("DescribeKey", aws.ToString(in.KeyId)); err != nil {
		return nil, err
	}
	for arn, k := range c.a.keys {
		if id := aws.ToString(in.KeyId); id == arn || id == k.id || id == k.alias || slices.Contains(k.extra, id) {
			m := kmstypes.KeyManagerTypeCustomer
			if k.managed {
				m = kmstypes.KeyManagerTypeAws
			}
			return &kms.DescribeKeyOutput{KeyMetadata: &kmstypes.KeyMetadata{KeyId: aws.String(k.id), Arn: aws.String(arn), KeyManager: m}}, nil
		}
	}
	return nil, &kmstypes.NotFoundException{Message: aws.String("no key " + aws.ToString(in.KeyId))}
}

func (c *client) ListAliases(_ context.Context, in *kms.ListAliasesInput, _ ...func(*kms.Options)) (*kms.ListAliasesOutput, error) {
	c.w.mu.Lock()
	defer c.w.mu.Unlock()
	if err := c.call("ListAliases", aws.ToString(in.KeyId)); err != nil {
		return nil, err
	}
	out := &kms.ListAliasesOutput{}
	for _, k := range c.a.keys {
		if k.id == aws.ToString(in.KeyId) {
			for _, a := range append([]string{k.alias}, k.extra...) {
				out.Aliases = append(out.Aliases, kmstypes.AliasListEntry{AliasName: aws.String(a), TargetKeyId: aws.String(k.id)})
			}
		}
	}
	return out, nil
}
