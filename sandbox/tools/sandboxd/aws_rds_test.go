package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	kmstypes "github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// fakeKMS is the part of KMS the RDS front asks, for one account: what
// kumo answers behind the proxy.
type fakeKMS struct {
	mu      sync.Mutex
	account string
	keys    map[string]string // key id -> ARN
	aliases map[string]string // alias -> key id
}

func newFakeKMS(account string) *fakeKMS {
	return &fakeKMS{account: account, keys: map[string]string{}, aliases: map[string]string{}}
}

func (k *fakeKMS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	k.mu.Lock()
	defer k.mu.Unlock()
	var in map[string]any
	_ = json.NewDecoder(r.Body).Decode(&in)
	str := func(f string) string { s, _ := in[f].(string); return s }
	reply := func(v any) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_ = json.NewEncoder(w).Encode(v)
	}
	meta := func(id string) map[string]any {
		return map[string]any{"KeyMetadata": map[string]any{"KeyId": id, "Arn": k.keys[id], "KeyManager": "CUSTOMER"}}
	}
	switch strings.TrimPrefix(r.Header.Get("X-Amz-Target"), "TrentService.") {
	case "CreateKey":
		id := fmt.Sprintf("key-%d", len(k.keys)+1)
		k.keys[id] = "arn:aws:kms:us-east-1:" + k.account + ":key/" + id
		reply(meta(id))
	case "CreateAlias":
		k.aliases[str("AliasName")] = str("TargetKeyId")
		reply(map[string]any{})
	case "DescribeKey":
		id := str("KeyId")
		if a, ok := k.aliases[id]; ok {
			id = a
		}
		for kid, arn := range k.keys {
			if arn == id {
				id = kid
			}
		}
		if _, ok := k.keys[id]; !ok {
			w.WriteHeader(http.StatusBadRequest)
			reply(map[string]string{"__type": "NotFoundException", "message": "no key " + id})
			return
		}
		reply(meta(id))
	case "ListAliases":
		var list []map[string]string
		for a, id := range k.aliases {
			list = append(list, map[string]string{"AliasName": a, "TargetKeyId": id})
		}
		reply(map[string]any{"Aliases": list})
	default:
		w.WriteHeader(http.StatusBadRequest)
		reply(map[string]string{"__type": "InvalidAction", "message": "not faked"})
	}
}

// testClock is a clock the test moves.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// rdsAccount is one account's front on a test server.
type rdsAccount struct {
	svc *rdsService
	kms *fakeKMS
	rds *rds.Client
	key *kms.Client
	url string
}

var testDelays = rdsDelays{create: 3 * time.Second, snapshot: 2 * time.Second, copy: 2 * time.Second, delete: time.Second}

func startRDSAccount(t *testing.T, account, dir string, clock *testClock, peers peerAccounts) *rdsAccount {
	t.Helper()
	a := &rdsAccount{svc: newRDSService(account, "us-east-1", peers, dir, testDelays), kms: newFakeKMS(account)}
	if a.svc.loadErr != nil {
		t.Fatal(a.svc.loadErr)
	}
	a.svc.now = clock.Now
	srv := httptest.NewServer(a.svc.front(a.kms))
	t.Cleanup(srv.Close)
	a.url = srv.URL
	cfg := sdkConfig(srv.URL, "us-east-1")
	a.rds, a.key = rds.NewFromConfig(cfg), kms.NewFromConfig(cfg)
	return a
}

// startRDSPair starts the old account 111111111111 and the new one
// 222222222222, peers of each other on one clock; dir is where the new
// one keeps its state.
func startRDSPair(t *testing.T) (old, nu *rdsAccount, clock *testClock, dir string) {
	t.Helper()
	clock = &testClock{now: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)}
	peers := peerAccounts{}
	old = startRDSAccount(t, "111111111111", t.TempDir(), clock, peers)
	dir = t.TempDir()
	nu = startRDSAccount(t, "222222222222", dir, clock, peerAccounts{"111111111111": old.url})
	peers["222222222222"] = nu.url
	return old, nu, clock, dir
}

// TestRDSFrontShareCopyRestore walks the clone of an encrypted instance
// from one account to another through two fronts, as ferry's RDS step
// does, checking each answer and fault as the SDK decodes it.
func TestRDSFrontShareCopyRestore(t *testing.T) {
	t.Parallel()
	old, nu, clock, dir := startRDSPair(t)
	ctx := t.Context()

	s := &seeder{account: "111111111111"}
	must(t, "old key", s.ensureKey(ctx, old.key, "alias/orders-db", "orders"))
	must(t, "new key", s.ensureKey(ctx, nu.key, "alias/orders-db", "orders"))
	must(t, "old groups", ensureDBGroups(ctx, old.rds, "kops-private", "kops", []string{"subnet-1"}))
	createInstances(t, old.rds)

	// Creating, then available once the clock passes the create delay.
	in := describeOne(t, old.rds, "orders-db")
	if aws.ToString(in.DBInstanceStatus) != "creating" || in.Endpoint != nil {
		t.Errorf("new instance: status %s, endpoint %v; want creating without endpoint", aws.ToString(in.DBInstanceStatus), in.Endpoint)
	}
	_, err := old.rds.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String("orders-db"), DBSnapshotIdentifier: aws.String("snap")})
	wantFault[*rdstypes.InvalidDBInstanceStateFault](t, "snapshot of a creating instance", err)
	clock.Add(testDelays.create)
	in = describeOne(t, old.rds, "orders-db")
	wantKey := old.kms.keys["key-1"]
	if aws.ToString(in.DBInstanceStatus) != "available" || aws.ToString(in.KmsKeyId) != wantKey ||
		aws.ToString(in.DBSubnetGroup.DBSubnetGroupName) != "kops-private" || aws.ToString(in.DBParameterGroups[0].DBParameterGroupName) != "orders-pg15" ||
		aws.ToString(in.VpcSecurityGroups[0].VpcSecurityGroupId) != "sg-old" || len(in.TagList) != 1 {
		t.Errorf("orders-db once available: %s", jsonOf(in))
	}

	snapARN := snapshotAndShare(t, old, clock)
	copyAndRestore(t, nu, clock, snapARN)

	// The state survives a restart of the account.
	again := newRDSService("222222222222", "us-east-1", nil, dir, testDelays)
	if again.loadErr != nil || again.data.Instances["orders-db"] == nil || again.data.Snapshots["ferry-copy"] == nil {
		t.Errorf("state after a restart: %v, %+v", again.loadErr, again.data)
	}
	deleteInstance(t, nu, clock)
}

func createInstances(t *testing.T, c *rds.Client) {
	t.Helper()
	ctx := t.Context()
	_, err := c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("orders-db"),
		Engine: aws.String("postgres"), EngineVersion: aws.String("15.7"), DBInstanceClass: aws.String("db.t3.micro"),
		DBSubnetGroupName: aws.String("kops-private"), DBParameterGroupName: aws.String("orders-pg15"),
		VpcSecurityGroupIds: []string{"sg-old"}, StorageEncrypted: aws.Bool(true), KmsKeyId: aws.String("alias/orders-db"),
		Tags: []rdstypes.Tag{{Key: aws.String("team"), Value: aws.String("orders")}}})
	must(t, "create orders-db", err)
	_, err = c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("legacy"),
		Engine: aws.String("mysql"), DBInstanceClass: aws.String("db.t3.micro"), StorageEncrypted: aws.Bool(true)})
	must(t, "create legacy", err)
	_, err = c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("bad"),
		Engine: aws.String("mysql"), DBInstanceClass: aws.String("db.t3.micro"), DBSubnetGroupName: aws.String("nope")})
	wantFault[*rdstypes.DBSubnetGroupNotFoundFault](t, "instance in a missing subnet group", err)
	_, err = c.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String("legacy"),
		Engine: aws.String("mysql"), DBInstanceClass: aws.String("db.t3.micro")})
	wantFault[*rdstypes.DBInstanceAlreadyExistsFault](t, "instance created twice", err)
}

// snapshotAndShare snapshots orders-db and legacy in the old account and
// shares them with the new one: legacy, under the AWS-managed key, is
// refused.
func snapshotAndShare(t *testing.T, old *rdsAccount, clock *testClock) string {
	t.Helper()
	ctx := t.Context()
	for _, inst := range []string{"orders-db", "legacy"} {
		out, err := old.rds.CreateDBSnapshot(ctx, &rds.CreateDBSnapshotInput{DBInstanceIdentifier: aws.String(inst), DBSnapshotIdentifier: aws.String("ferry-" + inst)})
		must(t, "create snapshot", err)
		if aws.ToString(out.DBSnapshot.Status) != "creating" || !aws.ToBool(out.DBSnapshot.Encrypted) {
			t.Errorf("new snapshot %s", jsonOf(out.DBSnapshot))
		}
	}
	share := func(id string) error {
		_, err := old.rds.ModifyDBSnapshotAttribute(ctx, &rds.ModifyDBSnapshotAttributeInput{DBSnapshotIdentifier: aws.String(id),
			AttributeName: aws.String("restore"), ValuesToAdd: []string{"222222222222"}})
		return err
	}
	wantFault[*rdstypes.InvalidDBSnapshotStateFault](t, "share while creating", share("ferry-orders-db"))
	clock.Add(testDelays.snapshot)
	must(t, "share orders-db", share("ferry-orders-db"))
	err := share("ferry-legacy")
	var api interface{ ErrorCode() string }
	if !errors.As(err, &api) || api.ErrorCode() != "InvalidParameterValue" || !strings.Contains(err.Error(), "cannot be shared") {
		t.Errorf("sharing a snapshot under aws/rds: %v, want InvalidParameterValue saying it cannot be shared", err)
	}
	attrs, err := old.rds.DescribeDBSnapshotAttributes(ctx, &rds.DescribeDBSnapshotAttributesInput{DBSnapshotIdentifier: aws.String("ferry-orders-db")})
	must(t, "describe attributes", err)
	if a := attrs.DBSnapshotAttributesResult.DBSnapshotAttributes; len(a) != 1 || aws.ToString(a[0].AttributeName) != "restore" ||
		!slices.Equal(a[0].AttributeValues, []string{"222222222222"}) {
		t.Errorf("restore attribute: %s", jsonOf(a))
	}
	key, err := old.key.DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String("alias/aws/rds")})
	must(t, "describe aws/rds through the front", err)
	if key.KeyMetadata.KeyManager != kmstypes.KeyManagerTypeAws {
		t.Errorf("aws/rds key manager = %s, want AWS", key.KeyMetadata.KeyManager)
	}
	return "arn:aws:rds:us-east-1:111111111111:snapshot:ferry-orders-db"
}

// copyAndRestore copies the shared snapshot into the new account with its
// own key and restores it into its own groups.
func copyAndRestore(t *testing.T, nu *rdsAccount, clock *testClock, snapARN string) {
	t.Helper()
	ctx := t.Context()
	shared, err := nu.rds.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{SnapshotType: aws.String("shared"), IncludeShared: aws.Bool(true)})
	must(t, "describe shared", err)
	if len(shared.DBSnapshots) != 1 || aws.ToString(shared.DBSnapshots[0].DBSnapshotArn) != snapARN ||
		aws.ToString(shared.DBSnapshots[0].DBSnapshotIdentifier) != snapARN {
		t.Fatalf("shared snapshots seen by the new account: %s", jsonOf(shared.DBSnapshots))
	}
	own, err := nu.rds.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{})
	if must(t, "describe own", err); len(own.DBSnapshots) != 0 {
		t.Errorf("without IncludeShared the new account sees %s", jsonOf(own.DBSnapshots))
	}
	cp := func(key string) (*rds.CopyDBSnapshotOutput, error) {
		in := &rds.CopyDBSnapshotInput{SourceDBSnapshotIdentifier: aws.String(snapARN), TargetDBSnapshotIdentifier: aws.String("ferry-copy")}
		if key != "" {
			in.KmsKeyId = aws.String(key)
		}
		return nu.rds.CopyDBSnapshot(ctx, in)
	}
	_, err = cp("")
	wantCode(t, "copy an encrypted shared snapshot without a key", err, "InvalidParameterValue")
	_, err = cp("alias/missing")
	wantFault[*rdstypes.KMSKeyNotAccessibleFault](t, "copy with a missing key", err)
	out, err := cp("alias/orders-db")
	must(t, "copy", err)
	newKey := nu.kms.keys["key-1"]
	if aws.ToString(out.DBSnapshot.KmsKeyId) != newKey || aws.ToString(out.DBSnapshot.SourceDBSnapshotIdentifier) != snapARN {
		t.Errorf("copy: %s", jsonOf(out.DBSnapshot))
	}
	restore := func() error {
		_, err := nu.rds.RestoreDBInstanceFromDBSnapshot(ctx, &rds.RestoreDBInstanceFromDBSnapshotInput{
			DBInstanceIdentifier: aws.String("orders-db"), DBSnapshotIdentifier: aws.String("ferry-copy"),
			DBInstanceClass: aws.String("db.t3.micro"), DBSubnetGroupName: aws.String("eks-private"),
			DBParameterGroupName: aws.String("orders-pg15"), VpcSecurityGroupIds: []string{"sg-new"},
			Tags: []rdstypes.Tag{{Key: aws.String("team"), Value: aws.String("orders")}}})
		return err
	}
	wantFault[*rdstypes.InvalidDBSnapshotStateFault](t, "restore from a copy in progress", restore())
	clock.Add(testDelays.copy)
	wantFault[*rdstypes.DBSubnetGroupNotFoundFault](t, "restore into a missing subnet group", restore())
	must(t, "new groups", ensureDBGroups(ctx, nu.rds, "eks-private", "eks", []string{"subnet-2"}))
	must(t, "restore", restore())
	if in := describeOne(t, nu.rds, "orders-db"); aws.ToString(in.DBInstanceStatus) != "creating" {
		t.Errorf("restored instance: %s, want creating", aws.ToString(in.DBInstanceStatus))
	}
	clock.Add(testDelays.create)
	in := describeOne(t, nu.rds, "orders-db")
	if aws.ToString(in.DBInstanceStatus) != "available" || aws.ToString(in.KmsKeyId) != newKey || aws.ToString(in.EngineVersion) != "15.7" ||
		aws.ToString(in.DBInstanceArn) != "arn:aws:rds:us-east-1:222222222222:db:orders-db" ||
		aws.ToString(in.DBSubnetGroup.DBSubnetGroupName) != "eks-private" || aws.ToString(in.VpcSecurityGroups[0].VpcSecurityGroupId) != "sg-new" {
		t.Errorf("restored orders-db: %s", jsonOf(in))
	}
	if b := jsonOf(in); strings.Contains(b, "111111111111") {
		t.Errorf("the restored instance names the old account: %s", b)
	}
}

func deleteInstance(t *testing.T, nu *rdsAccount, clock *testClock) {
	t.Helper()
	ctx := t.Context()
	_, err := nu.rds.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("orders-db")})
	wantCode(t, "delete without SkipFinalSnapshot", err, "InvalidParameterCombination")
	_, err = nu.rds.DeleteDBInstance(ctx, &rds.DeleteDBInstanceInput{DBInstanceIdentifier: aws.String("orders-db"), SkipFinalSnapshot: aws.Bool(true)})
	must(t, "delete", err)
	if in := describeOne(t, nu.rds, "orders-db"); aws.ToString(in.DBInstanceStatus) != "deleting" {
		t.Errorf("deleted instance: %s, want deleting", aws.ToString(in.DBInstanceStatus))
	}
	clock.Add(testDelays.delete)
	_, err = nu.rds.DescribeDBInstances(ctx, &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String("orders-db")})
	wantFault[*rdstypes.DBInstanceNotFoundFault](t, "describe a deleted instance", err)
	_, err = nu.rds.DeleteDBSnapshot(ctx, &rds.DeleteDBSnapshotInput{DBSnapshotIdentifier: aws.String("ferry-copy")})
	must(t, "delete snapshot", err)
	_, err = nu.rds.DescribeDBSnapshots(ctx, &rds.DescribeDBSnapshotsInput{DBSnapshotIdentifier: aws.String("ferry-copy")})
	wantFault[*rdstypes.DBSnapshotNotFoundFault](t, "describe a deleted snapshot", err)
}

func describeOne(t *testing.T, c *rds.Client, id string) rdstypes.DBInstance {
	t.Helper()
	out, err := c.DescribeDBInstances(t.Context(), &rds.DescribeDBInstancesInput{DBInstanceIdentifier: aws.String(id)})
	must(t, "describe "+id, err)
	if len(out.DBInstances) != 1 {
		t.Fatalf("describe %s: %d instances", id, len(out.DBInstances))
	}
	return out.DBInstances[0]
}

// wantFault fails unless err is the SDK's typed fault F.
func wantFault[F error](t *testing.T, what string, err error) {
	t.Helper()
	var f F
	if !errors.As(err, &f) {
		t.Errorf("%s: error %v, want %T", what, err, f)
	}
}

func wantCode(t *testing.T, what string, err error, code string) {
	t.Helper()
	var api interface{ ErrorCode() string }
	if !errors.As(err, &api) || api.ErrorCode() != code {
		t.Errorf("%s: error %v, want %s", what, err, code)
	}
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestRDSDefaultKeyOnFirstUse: an account that never used RDS encryption
// still answers for alias/aws/rds, by making the AWS-managed key then, as
// AWS does; a copy into it may name the key by alias or alias ARN.
func TestRDSDefaultKeyOnFirstUse(t *testing.T) {
	t.Parallel()
	_, nu, _, _ := startRDSPair(t)
	s, c := nu.svc, &rdsCall{ctx: t.Context(), next: nu.kms}
	first, managed, e := s.resolveKey(c, "alias/aws/rds")
	if e != nil || !managed || !strings.Contains(first, ":222222222222:key/") {
		t.Fatalf("alias/aws/rds in a fresh account: %s managed=%v, %v", first, managed, e)
	}
	again, _, e := s.resolveKey(c, "arn:aws:kms:us-east-1:222222222222:alias/aws/rds")
	if e != nil || again != first {
		t.Errorf("by alias ARN: %s, %v; want the same key %s", again, e, first)
	}
	if _, _, e := s.resolveKey(c, "alias/never-made"); e == nil {
		t.Error("an unknown alias resolved")
	}
}
