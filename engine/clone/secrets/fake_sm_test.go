package secrets

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	smtypes "github.com/aws/aws-sdk-go-v2/service/secretsmanager/types"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
	"github.com/ferry-dev/ferry/engine/rewrite"
)

const (
	oldAcct = "111111111111"
	newAcct = "222222222222"
)

var testMapping = rewrite.Mapping{Accounts: map[string]string{oldAcct: newAcct}}

// fakeSM is one account's Secrets Manager in memory, answering as the
// service does where the step can tell: versions with stages (a new value
// moves AWSCURRENT and AWSPREVIOUS along), idempotent tokens, deletion
// with or without recovery. echo makes writes fail the way AWS validation
// errors do, quoting the value. Every call is logged.
type fakeSM struct {
	mu      sync.Mutex
	account string
	secrets map[string]*fakeSecret
	calls   clonetest.Calls
	echo    bool
	// lostCreate makes CreateSecret create the secret and then answer
	// ResourceExistsException, as the retry of a create whose answer was
	// lost gets.
	lostCreate bool
	// onCreate runs as CreateSecret is called, before it looks at anything.
	onCreate func()
}

type fakeSecret struct {
	arn, description, kmsKey string
	tags                     map[string]string
	versions                 map[string]*fakeVersion
	deleted                  bool
}

type fakeVersion struct {
	value  []byte
	binary bool
	stages []string
}

func newFakeSM(account string) *fakeSM {
	return &fakeSM{account: account, secrets: map[string]*fakeSecret{}}
}

// add puts a secret with one current version in place without logging.
func (f *fakeSM) add(name, value, description, kmsKey string, tags map[string]string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.secrets[name] = &fakeSecret{arn: fmt.Sprintf("arn:aws:secretsmanager:us-east-1:%s:secret:%s-AbCdEf", f.account, name),
		description: description, kmsKey: kmsKey, tags: maps.Clone(tags),
		versions: map[string]*fakeVersion{"v-seed": {value: []byte(value), stages: []string{stageCurrent}}}}
	if f.secrets[name].tags == nil {
		f.secrets[name].tags = map[string]string{}
	}
}

// state is each secret's settings, tags and current value's digest.
func (f *fakeSM) state() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	for _, n := range slices.Sorted(maps.Keys(f.secrets)) {
		s := f.secrets[n]
		id, v := s.current()
		fmt.Fprintf(&b, "%s %q %q %v deleted=%t current=%s %s\n", n, s.description, s.kmsKey, s.tags, s.deleted, id, digestOf(v.value))
	}
	return b.String()
}

// currentValue is a secret's current value, for tests that check what was
// written.
func (f *fakeSM) currentValue(name string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, v := f.secrets[name].current()
	return string(v.value)
}

func (s *fakeSecret) current() (string, *fakeVersion) {
	for id, v := range s.versions {
		if slices.Contains(v.stages, stageCurrent) {
			return id, v
		}
	}
	return "", &fakeVersion{}
}

func (f *fakeSM) find(id *string) (string, *fakeSecret, error) {
	for n, s := range f.secrets {
		if n == aws.ToString(id) || s.arn == aws.ToString(id) {
			return n, s, nil
		}
	}
	return "", nil, &smtypes.ResourceNotFoundException{Message: aws.String("Secrets Manager can't find the specified secret.")}
}

func (f *fakeSM) invalid(value []byte) error {
	return &smtypes.InvalidParameterException{Message: aws.String(fmt.Sprintf("1 validation error detected: Value '%s' at 'secretString' failed to satisfy constraint", value))}
}

func (f *fakeSM) DescribeSecret(_ context.Context, in *secretsmanager.DescribeSecretInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.DescribeSecretOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls.Addf("DescribeSecret %s", aws.ToString(in.SecretId))
	n, s, err := f.find(in.SecretId)
	if err != nil {
		return nil, err
	}
	out := &secretsmanager.DescribeSecretOutput{ARN: aws.String(s.arn), Name: aws.String(n), VersionIdsToStages: map[string][]string{}}
	if s.description != "" {
		out.Description = aws.String(s.description)
	}
	if s.kmsKey != "" {
		out.KmsKeyId = aws.String(s.kmsKey)
	}
	if s.deleted {
		out.DeletedDate = aws.Time(time.Now())
	}
	for _, k := range slices.Sorted(maps.Keys(s.tags)) {
		out.Tags = append(out.Tags, smtypes.Tag{Key: aws.String(k), Value: aws.String(s.tags[k])})
	}
	for id, v := range s.versions {
		out.VersionIdsToStages[id] = slices.Clone(v.stages)
	}
	return out, nil
}

func (f *fakeSM) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls.Addf("GetSecretValue %s", aws.ToString(in.SecretId))
	_, s, err := f.find(in.SecretId)
	if err != nil {
		return nil, err
	}
	for id, v := range s.versions {
		if slices.Contains(v.stages, aws.ToString(in.VersionStage)) || id == aws.ToString(in.VersionId) {
			out := &secretsmanager.GetSecretValueOutput{ARN: aws.String(s.arn), VersionId: aws.String(id), VersionStages: v.stages}
			if v.binary {
				out.SecretBinary = v.value
			} else {
				out.SecretString = aws.String(string(v.value))
			}
			return out, nil
		}
	}
	return nil, &smtypes.ResourceNotFoundException{Message: aws.String("no such version")}
}

func (f *fakeSM) CreateSecret(_ context.Context, in *secretsmanager.CreateSecretInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.CreateSecretOutput, error) {
	if f.onCreate != nil {
		f.onCreate()
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	name, v := aws.ToString(in.Name), value(in.SecretString, in.SecretBinary)
	f.calls.Addf("CreateSecret %s", name)
	if f.echo {
		return nil, f.invalid(v.value)
	}
	if _, ok := f.secrets[name]; ok {
		return nil, &smtypes.ResourceExistsException{Message: aws.String("the secret " + name + " already exists")}
	}
	s := &fakeSecret{arn: fmt.Sprintf("arn:aws:secretsmanager:us-east-1:%s:secret:%s-XyZ123", f.account, name),
		description: aws.ToString(in.Description), kmsKey: aws.ToString(in.KmsKeyId), tags: map[string]string{},
		versions: map[string]*fakeVersion{aws.ToString(in.ClientRequestToken): v}}
	for _, t := range in.Tags {
		s.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	f.secrets[name] = s
	if f.lostCreate {
		return nil, &smtypes.ResourceExistsException{Message: aws.String("the secret " + name + " already exists")}
	}
	return &secretsmanager.CreateSecretOutput{ARN: aws.String(s.arn)}, nil
}

func value(str *string, bin []byte) *fakeVersion {
	if str != nil {
		return &fakeVersion{value: []byte(*str), stages: []string{stageCurrent}}
	}
	return &fakeVersion{value: bin, binary: true, stages: []string{stageCurrent}}
}

func (f *fakeSM) PutSecretValue(_ context.Context, in *secretsmanager.PutSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.PutSecretValueOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls.Addf("PutSecretValue %s", aws.ToString(in.SecretId))
	_, s, err := f.find(in.SecretId)
	if err != nil {
		return nil, err
	}
	v := value(in.SecretString, in.SecretBinary)
	if f.echo {
		return nil, f.invalid(v.value)
	}
	token := aws.ToString(in.ClientRequestToken)
	if old, ok := s.versions[token]; ok {
		if string(old.value) != string(v.value) {
			return nil, &smtypes.ResourceExistsException{Message: aws.String("token reused with another value")}
		}
		return &secretsmanager.PutSecretValueOutput{VersionId: aws.String(token)}, nil
	}
	for _, o := range s.versions {
		o.stages = slices.DeleteFunc(o.stages, func(st string) bool { return st == "AWSPREVIOUS" })
		if i := slices.Index(o.stages, stageCurrent); i >= 0 {
			o.stages[i] = "AWSPREVIOUS"
		}
	}
	s.versions[token] = v
	return &secretsmanager.PutSecretValueOutput{VersionId: aws.String(token)}, nil
}

func (f *fakeSM) UpdateSecret(_ context.Context, in *secretsmanager.UpdateSecretInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls.Addf("UpdateSecret %s", aws.ToString(in.SecretId))
	_, s, err := f.find(in.SecretId)
	if err != nil {
		return nil, err
	}
	if in.Description != nil {
		s.description = *in.Description
	}
	if in.KmsKeyId != nil {
		s.kmsKey = *in.KmsKeyId
		if s.kmsKey == defaultSecretsKey {
			s.kmsKey = ""
		}
	}
	return &secretsmanager.UpdateSecretOutput{}, nil
}

func (f *fakeSM) UpdateSecretVersionStage(_ context.Context, in *secretsmanager.UpdateSecretVersionStageInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.UpdateSecretVersionStageOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	stage, to, from := aws.ToString(in.VersionStage), aws.ToString(in.MoveToVersionId), aws.ToString(in.RemoveFromVersionId)
	f.calls.Addf("UpdateSecretVersionStage %s %s %s->%s", aws.ToString(in.SecretId), stage, from, to)
	_, s, err := f.find(in.SecretId)
	if err != nil {
		return nil, err
	}
	if s.versions[to] == nil || s.versions[from] == nil || !slices.Contains(s.versions[from].stages, stage) {
		return nil, &smtypes.InvalidParameterException{Message: aws.String("bad versions")}
	}
	for _, o := range s.versions {
		o.stages = slices.DeleteFunc(o.stages, func(st string) bool { return st == "AWSPREVIOUS" })
	}
	s.versions[from].stages = slices.DeleteFunc(s.versions[from].stages, func(st string) bool { return st == stage })
	s.versions[to].stages = append(s.versions[to].stages, stage)
	if stage == stageCurrent {
		s.versions[from].stages = append(s.versions[from].stages, "AWSPREVIOUS")
	}
	return &secretsmanager.UpdateSecretVersionStageOutput{}, nil
}

func (f *fakeSM) TagResource(_ context.Context, in *secretsmanager.TagResourceInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.TagResourceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls.Addf("TagResource %s", aws.ToString(in.SecretId))
	_, s, err := f.find(in.SecretId)
	if err != nil {
		return nil, err
	}
	for _, t := range in.Tags {
		s.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return &secretsmanager.TagResourceOutput{}, nil
}

func (f *fakeSM) UntagResource(_ context.Context, in *secretsmanager.UntagResourceInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.UntagResourceOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls.Addf("UntagResource %s %v", aws.ToString(in.SecretId), in.TagKeys)
	_, s, err := f.find(in.SecretId)
	if err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		delete(s.tags, k)
	}
	return &secretsmanager.UntagResourceOutput{}, nil
}

func (f *fakeSM) DeleteSecret(_ context.Context, in *secretsmanager.DeleteSecretInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.DeleteSecretOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls.Addf("DeleteSecret %s force=%t", aws.ToString(in.SecretId), aws.ToBool(in.ForceDeleteWithoutRecovery))
	n, s, err := f.find(in.SecretId)
	if err != nil {
		return nil, err
	}
	if aws.ToBool(in.ForceDeleteWithoutRecovery) {
		delete(f.secrets, n)
	} else {
		s.deleted = true
	}
	return &secretsmanager.DeleteSecretOutput{}, nil
}

// memRecorder keeps undo records and progress in memory; Resume are the
// undo records of earlier applies that Saved returns first; Check, when
// set, runs at each Save, before the writes the record describes.
type memRecorder = clonetest.Recorder[json.RawMessage]

// must fails the test on err.
func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// Both the fakes and the SDK clients satisfy the consumer-side interfaces.
var (
	_ SecretTargetAPI = (*fakeSM)(nil)
	_ SecretTargetAPI = (*secretsmanager.Client)(nil)
)
