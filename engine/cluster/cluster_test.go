package cluster

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

type fakeSTS struct {
	account string
	err     error
}

func (f fakeSTS) GetCallerIdentity(context.Context, *sts.GetCallerIdentityInput, ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &sts.GetCallerIdentityOutput{Account: aws.String(f.account),
		Arn: aws.String("arn:aws:iam::" + f.account + ":user/ops"), UserId: aws.String("AIDA")}, nil
}

func TestWritesAllowed(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		api     fakeSTS
		want    string
		wantErr error
	}{
		{"match", fakeSTS{account: "222222222222"}, "", nil},
		{"other account", fakeSTS{account: "111111111111"},
			`EKS: AWS account differs from the plan: profile "ferry-new" is arn:aws:iam::111111111111:user/ops in account 111111111111, the plan expects 222222222222; fix the profile or the plan's aws.account`,
			ErrAccountMismatch},
		{"sts down", fakeSTS{err: errors.New("connection refused")},
			"EKS: cannot confirm the AWS identity (connection refused); writes are refused until it can be checked", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := &Side{Config: Config{Name: "EKS", AWSProfile: "ferry-new", Account: "222222222222"}}
			s.Identity = WhoAmI(context.Background(), c.api, nil)
			err := s.WritesAllowed()
			if c.want == "" {
				if err != nil {
					t.Fatalf("WritesAllowed = %v", err)
				}
				return
			}
			if err == nil || err.Error() != c.want {
				t.Fatalf("WritesAllowed = %v\nwant %s", err, c.want)
			}
			if c.wantErr != nil && !errors.Is(err, c.wantErr) {
				t.Errorf("error does not wrap %v", c.wantErr)
			}
		})
	}
}

func TestKubeconfigRESTNamesContext(t *testing.T) {
	t.Parallel()
	_, err := KubeconfigREST(t.TempDir()+"/missing", "nope")
	if err == nil || !strings.Contains(err.Error(), `kube context "nope"`) {
		t.Fatalf("err = %v", err)
	}
}
