package cluster

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"golang.org/x/oauth2"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/transport"
)

// The EKS bearer token, as aws-iam-authenticator and `aws eks get-token`
// make it: a presigned sts:GetCallerIdentity URL that signs the cluster name
// in a header, base64url-encoded behind a version prefix.
const (
	tokenPrefix     = "k8s-aws-v1."
	clusterIDHeader = "x-k8s-aws-id"
	// presignExpires is what the URL itself allows; EKS accepts a token for
	// 15 minutes from signing whatever the URL says.
	presignExpires = "60"
	// TokenLifetime is how long ferry uses one token before making the
	// next: under EKS's 15 minutes, with room for clock skew.
	TokenLifetime = 14 * time.Minute
)

// eksAPI is the one EKS call ferry makes to find a cluster.
type eksAPI interface {
	DescribeCluster(ctx context.Context, in *eks.DescribeClusterInput, opts ...func(*eks.Options)) (*eks.DescribeClusterOutput, error)
}

// EKSCluster is what DescribeCluster says about a cluster.
type EKSCluster struct {
	Name, ARN, Endpoint, Version, Status, OIDCIssuer string
	CA                                               []byte
}

// DescribeEKS finds a cluster's endpoint and CA by name.
func DescribeEKS(ctx context.Context, api eksAPI, name string) (EKSCluster, error) {
	out, err := api.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
	if err != nil {
		return EKSCluster{}, fmt.Errorf("describe EKS cluster %q: %w", name, err)
	}
	c := out.Cluster
	if c == nil || aws.ToString(c.Endpoint) == "" || c.CertificateAuthority == nil {
		return EKSCluster{}, fmt.Errorf("EKS cluster %q has no endpoint or CA yet (status %s); wait until it is ACTIVE", name, statusOf(c))
	}
	ca, err := base64.StdEncoding.DecodeString(aws.ToString(c.CertificateAuthority.Data))
	if err != nil {
		return EKSCluster{}, fmt.Errorf("EKS cluster %q: certificate authority is not base64: %w", name, err)
	}
	info := EKSCluster{Name: name, ARN: aws.ToString(c.Arn), Endpoint: aws.ToString(c.Endpoint),
		Version: aws.ToString(c.Version), Status: string(c.Status), CA: ca}
	if c.Identity != nil && c.Identity.Oidc != nil {
		info.OIDCIssuer = aws.ToString(c.Identity.Oidc.Issuer)
	}
	return info, nil
}

func statusOf(c *ekstypes.Cluster) string {
	if c == nil {
		return "unknown"
	}
	return string(c.Status)
}

// Token makes an EKS bearer token for cluster with the credentials in cfg,
// and says until when ferry should use it.
func Token(ctx context.Context, cfg aws.Config, cluster string) (string, time.Time, error) {
	presign := sts.NewPresignClient(sts.NewFromConfig(cfg))
	signedAt := time.Now()
	req, err := presign.PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}, func(o *sts.PresignOptions) {
		o.ClientOptions = append(o.ClientOptions, func(so *sts.Options) {
			so.APIOptions = append(so.APIOptions,
				smithyhttp.AddHeaderValue(clusterIDHeader, cluster),
				addQuery("X-Amz-Expires", presignExpires))
		})
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("presign an EKS token for %q: %w", cluster, err)
	}
	return tokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(req.URL)), signedAt.Add(TokenLifetime), nil
}

// addQuery sets a query parameter before signing, so it is signed too.
func addQuery(key, value string) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Build.Add(middleware.BuildMiddlewareFunc("ferryQuery"+key, func(
			ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler,
		) (middleware.BuildOutput, middleware.Metadata, error) {
			if req, ok := in.Request.(*smithyhttp.Request); ok {
				q := req.URL.Query()
				q.Set(key, value)
				req.URL.RawQuery = q.Encode()
			}
			return next.HandleBuild(ctx, in)
		}), middleware.After)
	}
}

// tokenSource hands client-go a fresh EKS token when the last one is near
// its lifetime, so a long session never sees "Unauthorized" at minute 15.
type tokenSource struct {
	ctx     context.Context
	cfg     aws.Config
	cluster string
}

// Token implements oauth2.TokenSource.
func (t tokenSource) Token() (*oauth2.Token, error) {
	tok, exp, err := Token(t.ctx, t.cfg, t.cluster)
	if err != nil {
		return nil, err
	}
	return &oauth2.Token{AccessToken: tok, TokenType: "Bearer", Expiry: exp}, nil
}

// eksREST builds a client config for an EKS cluster: endpoint and CA from
// DescribeCluster, a token refreshed before it expires, and dropped on a
// 401 so the next request signs anew.
func eksREST(ctx context.Context, api eksAPI, cfg aws.Config, name string) (*rest.Config, EKSCluster, error) {
	info, err := DescribeEKS(ctx, api, name)
	if err != nil {
		return nil, EKSCluster{}, err
	}
	if cfg.Credentials == nil {
		return nil, info, errors.New("no AWS credentials to sign an EKS token with")
	}
	ts := transport.NewCachedTokenSource(tokenSource{ctx: context.WithoutCancel(ctx), cfg: cfg, cluster: name})
	rc := &rest.Config{
		Host:            info.Endpoint,
		TLSClientConfig: rest.TLSClientConfig{CAData: info.CA},
		WrapTransport:   transport.ResettableTokenSourceWrapTransport(ts),
	}
	return rc, info, nil
}
