package cluster

import (
	"context"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
)

func staticAWS() aws.Config {
	return aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", "")}
}

// TestTokenShape checks the token the way an EKS authenticator reads it.
func TestTokenShape(t *testing.T) {
	t.Parallel()
	before := time.Now()
	tok, exp, err := Token(context.Background(), staticAWS(), "acme-platform")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok, tokenPrefix) {
		t.Fatalf("token %q lacks %s", tok, tokenPrefix)
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(tok, tokenPrefix))
	if err != nil {
		t.Fatalf("token body is not unpadded base64url: %v", err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	checks := map[string]string{
		"Action":          "GetCallerIdentity",
		"X-Amz-Expires":   "60",
		"X-Amz-Algorithm": "AWS4-HMAC-SHA256",
	}
	for k, want := range checks {
		if got := q.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	if !strings.Contains(q.Get("X-Amz-SignedHeaders"), clusterIDHeader) {
		t.Errorf("signed headers %q do not include %s", q.Get("X-Amz-SignedHeaders"), clusterIDHeader)
	}
	if u.Host != "sts.us-east-1.amazonaws.com" {
		t.Errorf("host %q, want the regional STS endpoint", u.Host)
	}
	if d := exp.Sub(before); d < 13*time.Minute || d > 15*time.Minute {
		t.Errorf("token used for %s, want just under EKS's 15 minutes", d)
	}
}

type fakeEKS struct {
	out *eks.DescribeClusterOutput
	err error
}

func (f fakeEKS) DescribeCluster(context.Context, *eks.DescribeClusterInput, ...func(*eks.Options)) (*eks.DescribeClusterOutput, error) {
	return f.out, f.err
}

func TestDescribeEKS(t *testing.T) {
	t.Parallel()
	pem := "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"
	ok := &eks.DescribeClusterOutput{Cluster: &ekstypes.Cluster{
		Name: aws.String("acme-platform"), Endpoint: aws.String("https://ABC.gr7.us-east-1.eks.amazonaws.com"),
		CertificateAuthority: &ekstypes.Certificate{Data: aws.String(base64.StdEncoding.EncodeToString([]byte(pem)))},
		Status:               ekstypes.ClusterStatusActive,
		Identity:             &ekstypes.Identity{Oidc: &ekstypes.OIDC{Issuer: aws.String("https://oidc.eks.us-east-1.amazonaws.com/id/X")}},
	}}
	creating := &eks.DescribeClusterOutput{Cluster: &ekstypes.Cluster{Status: ekstypes.ClusterStatusCreating}}
	cases := []struct {
		name    string
		api     fakeEKS
		wantErr string
	}{
		{"active", fakeEKS{out: ok}, ""},
		{"creating", fakeEKS{out: creating}, `EKS cluster "acme-platform" has no endpoint or CA yet (status CREATING); wait until it is ACTIVE`},
		{"api error", fakeEKS{err: errors.New("ResourceNotFoundException")}, `describe EKS cluster "acme-platform": ResourceNotFoundException`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			info, err := DescribeEKS(context.Background(), c.api, "acme-platform")
			if c.wantErr != "" {
				if err == nil || err.Error() != c.wantErr {
					t.Fatalf("err = %v, want %q", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(info.CA) != pem || info.OIDCIssuer == "" || info.Endpoint == "" {
				t.Errorf("info = %+v", info)
			}
		})
	}
}
