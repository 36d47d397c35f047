package iam

import (
	"context"
	"maps"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/ferry-dev/ferry/engine/clone/clonetest"
)

// fakeIAM is one account's IAM in memory, answering as IAM does where the
// step can tell: documents come back URL-encoded, a role with policies
// cannot be deleted, an attached policy cannot be deleted, NoSuchEntity
// for what is absent. Every call is logged.
type fakeIAM struct {
	mu        sync.Mutex
	account   string
	roles     map[string]*fakeRole
	policies  map[string]*fakePolicy // by ARN
	providers map[string]string      // ARN -> URL
	calls     clonetest.Calls
	// loseVersionAnswers is how many CreatePolicyVersion calls write the
	// version and then fail, as an answer lost to a 5xx would.
	loseVersionAnswers int
}

type fakeRole struct {
	path, desc string
	maxSession int32
	trust      string
	tags       map[string]string
	inline     map[string]string
	attached   []string
}

type fakePolicy struct {
	name, path, desc string
	versions         map[string]string
	def              string
	next             int
}

func newFakeIAM(account string) *fakeIAM {
	return &fakeIAM{account: account, roles: map[string]*fakeRole{}, policies: map[string]*fakePolicy{}, providers: map[string]string{}}
}

func noSuch(what string) error {
	return &types.NoSuchEntityException{Message: aws.String(what + " not found")}
}

// log records a call.
func (f *fakeIAM) log(op string, detail ...string) {
	f.calls.Add(strings.Join(append([]string{op}, detail...), " "))
}

func (f *fakeIAM) roleARN(name, path string) string {
	return "arn:aws:iam::" + f.account + ":role" + path + name
}

// addRole puts a role in place without logging a call.
func (f *fakeIAM) addRole(name, trust string, inline map[string]string, attached ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.roles[name] = &fakeRole{path: "/", desc: name + " role", maxSession: 3600, trust: trust, tags: map[string]string{},
		inline: maps.Clone(inline), attached: attached}
	if f.roles[name].inline == nil {
		f.roles[name].inline = map[string]string{}
	}
}

// addPolicy puts a managed policy in place without logging a call.
func (f *fakeIAM) addPolicy(arn, doc string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.policies[arn] = &fakePolicy{name: arn[strings.LastIndex(arn, "/")+1:], path: "/", versions: map[string]string{"v1": doc}, def: "v1", next: 2}
}

func (f *fakeIAM) GetRole(_ context.Context, in *iam.GetRoleInput, _ ...func(*iam.Options)) (*iam.GetRoleOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.RoleName)
	f.log("GetRole", name)
	r, ok := f.roles[name]
	if !ok {
		return nil, noSuch("role " + name)
	}
	out := &types.Role{RoleName: in.RoleName, Arn: aws.String(f.roleARN(name, r.path)), Path: aws.String(r.path),
		AssumeRolePolicyDocument: aws.String(url.PathEscape(r.trust)), MaxSessionDuration: aws.Int32(r.maxSession), Tags: tagList(r.tags)}
	if r.desc != "" {
		out.Description = aws.String(r.desc)
	}
	return &iam.GetRoleOutput{Role: out}, nil
}

func (f *fakeIAM) role(op string, name *string, detail ...string) (*fakeRole, error) {
	f.log(op, append([]string{aws.ToString(name)}, detail...)...)
	r, ok := f.roles[aws.ToString(name)]
	if !ok {
		return nil, noSuch("role " + aws.ToString(name))
	}
	return r, nil
}

func (f *fakeIAM) ListRolePolicies(_ context.Context, in *iam.ListRolePoliciesInput, _ ...func(*iam.Options)) (*iam.ListRolePoliciesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, err := f.role("ListRolePolicies", in.RoleName)
	if err != nil {
		return nil, err
	}
	return &iam.ListRolePoliciesOutput{PolicyNames: slices.Sorted(maps.Keys(r.inline))}, nil
}

func (f *fakeIAM) GetRolePolicy(_ context.Context, in *iam.GetRolePolicyInput, _ ...func(*iam.Options)) (*iam.GetRolePolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, err := f.role("GetRolePolicy", in.RoleName, aws.ToString(in.PolicyName))
	if err != nil {
		return nil, err
	}
	doc, ok := r.inline[aws.ToString(in.PolicyName)]
	if !ok {
		return nil, noSuch("policy " + aws.ToString(in.PolicyName))
	}
	return &iam.GetRolePolicyOutput{PolicyDocument: aws.String(url.PathEscape(doc))}, nil
}

func (f *fakeIAM) ListAttachedRolePolicies(_ context.Context, in *iam.ListAttachedRolePoliciesInput, _ ...func(*iam.Options)) (*iam.ListAttachedRolePoliciesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, err := f.role("ListAttachedRolePolicies", in.RoleName)
	if err != nil {
		return nil, err
	}
	out := &iam.ListAttachedRolePoliciesOutput{}
	for _, arn := range r.attached {
		out.AttachedPolicies = append(out.AttachedPolicies, types.AttachedPolicy{PolicyArn: aws.String(arn)})
	}
	return out, nil
}

func (f *fakeIAM) GetPolicy(_ context.Context, in *iam.GetPolicyInput, _ ...func(*iam.Options)) (*iam.GetPolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("GetPolicy", aws.ToString(in.PolicyArn))
	p, ok := f.policies[aws.ToString(in.PolicyArn)]
	if !ok {
		return nil, noSuch("policy " + aws.ToString(in.PolicyArn))
	}
	return &iam.GetPolicyOutput{Policy: &types.Policy{PolicyName: aws.String(p.name), Arn: in.PolicyArn, Path: aws.String(p.path),
		DefaultVersionId: aws.String(p.def), Description: aws.String(p.desc)}}, nil
}

func (f *fakeIAM) GetPolicyVersion(_ context.Context, in *iam.GetPolicyVersionInput, _ ...func(*iam.Options)) (*iam.GetPolicyVersionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("GetPolicyVersion", aws.ToString(in.PolicyArn), aws.ToString(in.VersionId))
	p, ok := f.policies[aws.ToString(in.PolicyArn)]
	if !ok || p.versions[aws.ToString(in.VersionId)] == "" {
		return nil, noSuch("policy version")
	}
	return &iam.GetPolicyVersionOutput{PolicyVersion: &types.PolicyVersion{VersionId: in.VersionId,
		Document: aws.String(url.PathEscape(p.versions[aws.ToString(in.VersionId)])), IsDefaultVersion: p.def == aws.ToString(in.VersionId)}}, nil
}

func (f *fakeIAM) ListRoles(_ context.Context, _ *iam.ListRolesInput, _ ...func(*iam.Options)) (*iam.ListRolesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("ListRoles")
	out := &iam.ListRolesOutput{}
	for _, name := range slices.Sorted(maps.Keys(f.roles)) {
		out.Roles = append(out.Roles, types.Role{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(url.PathEscape(f.roles[name].trust))})
	}
	return out, nil
}

func (f *fakeIAM) CreateRole(_ context.Context, in *iam.CreateRoleInput, _ ...func(*iam.Options)) (*iam.CreateRoleOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	name := aws.ToString(in.RoleName)
	f.log("CreateRole", name)
	if _, ok := f.roles[name]; ok {
		return nil, &types.EntityAlreadyExistsException{Message: aws.String("role " + name)}
	}
	r := &fakeRole{path: aws.ToString(in.Path), desc: aws.ToString(in.Description), maxSession: aws.ToInt32(in.MaxSessionDuration),
		trust: aws.ToString(in.AssumeRolePolicyDocument), tags: map[string]string{}, inline: map[string]string{}}
	for _, t := range in.Tags {
		r.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	f.roles[name] = r
	return &iam.CreateRoleOutput{}, nil
}

func (f *fakeIAM) UpdateRole(_ context.Context, in *iam.UpdateRoleInput, _ ...func(*iam.Options)) (*iam.UpdateRoleOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, err := f.role("UpdateRole", in.RoleName)
	if err != nil {
		return nil, err
	}
	r.desc, r.maxSession = aws.ToString(in.Description), aws.ToInt32(in.MaxSessionDuration)
	return &iam.UpdateRoleOutput{}, nil
}

func (f *fakeIAM) UpdateAssumeRolePolicy(_ context.Context, in *iam.UpdateAssumeRolePolicyInput, _ ...func(*iam.Options)) (*iam.UpdateAssumeRolePolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, err := f.role("UpdateAssumeRolePolicy", in.RoleName)
	if err != nil {
		return nil, err
	}
	r.trust = aws.ToString(in.PolicyDocument)
	return &iam.UpdateAssumeRolePolicyOutput{}, nil
}

func (f *fakeIAM) DeleteRole(_ context.Context, in *iam.DeleteRoleInput, _ ...func(*iam.Options)) (*iam.DeleteRoleOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, err := f.role("DeleteRole", in.RoleName)
	if err != nil {
		return nil, err
	}
	if len(r.inline)+len(r.attached) > 0 {
		return nil, &types.DeleteConflictException{Message: aws.String("role has policies")}
	}
	delete(f.roles, aws.ToString(in.RoleName))
	return &iam.DeleteRoleOutput{}, nil
}

func (f *fakeIAM) TagRole(_ context.Context, in *iam.TagRoleInput, _ ...func(*iam.Options)) (*iam.TagRoleOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, err := f.role("TagRole", in.RoleName)
	if err != nil {
		return nil, err
	}
	for _, t := range in.Tags {
		r.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
	}
	return &iam.TagRoleOutput{}, nil
}

func (f *fakeIAM) UntagRole(_ context.Context, in *iam.UntagRoleInput, _ ...func(*iam.Options)) (*iam.UntagRoleOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, err := f.role("UntagRole", in.RoleName, in.TagKeys...)
	if err != nil {
		return nil, err
	}
	for _, k := range in.TagKeys {
		delete(r.tags, k)
	}
	return &iam.UntagRoleOutput{}, nil
}

func (f *fakeIAM) PutRolePolicy(_ context.Context, in *iam.PutRolePolicyInput, _ ...func(*iam.Options)) (*iam.PutRolePolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, err := f.role("PutRolePolicy", in.RoleName, aws.ToString(in.PolicyName))
	if err != nil {
		return nil, err
	}
	r.inline[aws.ToString(in.PolicyName)] = aws.ToString(in.PolicyDocument)
	return &iam.PutRolePolicyOutput{}, nil
}

func (f *fakeIAM) DeleteRolePolicy(_ context.Context, in *iam.DeleteRolePolicyInput, _ ...func(*iam.Options)) (*iam.DeleteRolePolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	r, err := f.role("DeleteRolePolicy", in.RoleName, aws.ToString(in.PolicyName))
	if err != nil {
		return nil, err
	}
	if _, ok := r.inline[aws.ToString(in.PolicyName)]; !ok {
		return nil, noSuch("policy")
	}
	delete(r.inline, aws.ToString(in.PolicyName))
	return &iam.DeleteRolePolicyOutput{}, nil
}

func (f *fakeIAM) AttachRolePolicy(_ context.Context, in *iam.AttachRolePolicyInput, _ ...func(*iam.Options)) (*iam.AttachRolePolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	arn := aws.ToString(in.PolicyArn)
	r, err := f.role("AttachRolePolicy", in.RoleName, arn)
	if err != nil {
		return nil, err
	}
	if _, ok := f.policies[arn]; !ok && !awsManaged(arn) {
		return nil, noSuch("policy " + arn)
	}
	if !slices.Contains(r.attached, arn) {
		r.attached = append(r.attached, arn)
	}
	return &iam.AttachRolePolicyOutput{}, nil
}

func (f *fakeIAM) DetachRolePolicy(_ context.Context, in *iam.DetachRolePolicyInput, _ ...func(*iam.Options)) (*iam.DetachRolePolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	arn := aws.ToString(in.PolicyArn)
	r, err := f.role("DetachRolePolicy", in.RoleName, arn)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(r.attached, arn) {
		return nil, noSuch("attachment " + arn)
	}
	r.attached = slices.DeleteFunc(r.attached, func(a string) bool { return a == arn })
	return &iam.DetachRolePolicyOutput{}, nil
}
