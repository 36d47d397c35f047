package iam

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// The fake's managed policies and OIDC providers.

func (f *fakeIAM) CreatePolicy(_ context.Context, in *iam.CreatePolicyInput, _ ...func(*iam.Options)) (*iam.CreatePolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	arn := fmt.Sprintf("arn:aws:iam::%s:policy%s%s", f.account, aws.ToString(in.Path), aws.ToString(in.PolicyName))
	f.log("CreatePolicy", arn)
	if _, ok := f.policies[arn]; ok {
		return nil, &types.EntityAlreadyExistsException{Message: aws.String(arn)}
	}
	f.policies[arn] = &fakePolicy{name: aws.ToString(in.PolicyName), path: aws.ToString(in.Path), desc: aws.ToString(in.Description),
		versions: map[string]string{"v1": aws.ToString(in.PolicyDocument)}, def: "v1", next: 2}
	return &iam.CreatePolicyOutput{Policy: &types.Policy{Arn: aws.String(arn)}}, nil
}

func (f *fakeIAM) policy(op string, arn *string, detail ...string) (*fakePolicy, error) {
	f.log(op, append([]string{aws.ToString(arn)}, detail...)...)
	p, ok := f.policies[aws.ToString(arn)]
	if !ok {
		return nil, noSuch("policy " + aws.ToString(arn))
	}
	return p, nil
}

func (f *fakeIAM) CreatePolicyVersion(_ context.Context, in *iam.CreatePolicyVersionInput, _ ...func(*iam.Options)) (*iam.CreatePolicyVersionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, err := f.policy("CreatePolicyVersion", in.PolicyArn)
	if err != nil {
		return nil, err
	}
	v := fmt.Sprintf("v%d", p.next)
	p.next++
	p.versions[v] = aws.ToString(in.PolicyDocument)
	if in.SetAsDefault {
		p.def = v
	}
	if f.loseVersionAnswers > 0 {
		f.loseVersionAnswers--
		return nil, &smithyhttp.ResponseError{Response: &smithyhttp.Response{Response: &http.Response{StatusCode: 500}},
			Err: errors.New("the answer was lost after IAM wrote the version")}
	}
	return &iam.CreatePolicyVersionOutput{}, nil
}

func (f *fakeIAM) SetDefaultPolicyVersion(_ context.Context, in *iam.SetDefaultPolicyVersionInput, _ ...func(*iam.Options)) (*iam.SetDefaultPolicyVersionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, err := f.policy("SetDefaultPolicyVersion", in.PolicyArn, aws.ToString(in.VersionId))
	if err != nil {
		return nil, err
	}
	p.def = aws.ToString(in.VersionId)
	return &iam.SetDefaultPolicyVersionOutput{}, nil
}

func (f *fakeIAM) DeletePolicyVersion(_ context.Context, in *iam.DeletePolicyVersionInput, _ ...func(*iam.Options)) (*iam.DeletePolicyVersionOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, err := f.policy("DeletePolicyVersion", in.PolicyArn, aws.ToString(in.VersionId))
	if err != nil {
		return nil, err
	}
	delete(p.versions, aws.ToString(in.VersionId))
	return &iam.DeletePolicyVersionOutput{}, nil
}

func (f *fakeIAM) DeletePolicy(_ context.Context, in *iam.DeletePolicyInput, _ ...func(*iam.Options)) (*iam.DeletePolicyOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	arn := aws.ToString(in.PolicyArn)
	if _, err := f.policy("DeletePolicy", in.PolicyArn); err != nil {
		return nil, err
	}
	for _, r := range f.roles {
		if slices.Contains(r.attached, arn) {
			return nil, &types.DeleteConflictException{Message: aws.String("policy attached")}
		}
	}
	delete(f.policies, arn)
	return &iam.DeletePolicyOutput{}, nil
}

func (f *fakeIAM) GetOpenIDConnectProvider(_ context.Context, in *iam.GetOpenIDConnectProviderInput, _ ...func(*iam.Options)) (*iam.GetOpenIDConnectProviderOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log("GetOpenIDConnectProvider", aws.ToString(in.OpenIDConnectProviderArn))
	u, ok := f.providers[aws.ToString(in.OpenIDConnectProviderArn)]
	if !ok {
		return nil, noSuch("provider")
	}
	return &iam.GetOpenIDConnectProviderOutput{Url: aws.String(strings.TrimPrefix(u, "https://")), ClientIDList: []string{stsAudience}}, nil
}

func (f *fakeIAM) CreateOpenIDConnectProvider(_ context.Context, in *iam.CreateOpenIDConnectProviderInput, _ ...func(*iam.Options)) (*iam.CreateOpenIDConnectProviderOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	arn := "arn:aws:iam::" + f.account + ":oidc-provider/" + strings.TrimPrefix(aws.ToString(in.Url), "https://")
	f.log("CreateOpenIDConnectProvider", arn, strings.Join(in.ClientIDList, ","))
	if _, ok := f.providers[arn]; ok {
		return nil, &types.EntityAlreadyExistsException{Message: aws.String(arn)}
	}
	f.providers[arn] = aws.ToString(in.Url)
	return &iam.CreateOpenIDConnectProviderOutput{OpenIDConnectProviderArn: aws.String(arn)}, nil
}

func (f *fakeIAM) DeleteOpenIDConnectProvider(_ context.Context, in *iam.DeleteOpenIDConnectProviderInput, _ ...func(*iam.Options)) (*iam.DeleteOpenIDConnectProviderOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	arn := aws.ToString(in.OpenIDConnectProviderArn)
	f.log("DeleteOpenIDConnectProvider", arn)
	if _, ok := f.providers[arn]; !ok {
		return nil, noSuch("provider")
	}
	delete(f.providers, arn)
	return &iam.DeleteOpenIDConnectProviderOutput{}, nil
}
