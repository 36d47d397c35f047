// Package cluster connects ferry to one side of a migration: its Kubernetes
// cluster (a kubeconfig context, or an EKS cluster found by name) and its
// AWS account (a shared-config profile), and says who ferry is there.
package cluster

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
)

// Config says how to reach one side. Exactly one of Context and EKSCluster
// is set (the plan validates that).
type Config struct {
	Name       string // the plan's label, for messages
	Kubeconfig string // explicit kubeconfig path; "" uses KUBECONFIG or ~/.kube/config
	Context    string
	EKSCluster string
	EKSRegion  string // defaults to the profile's region
	AWSProfile string
	AWSRegion  string
	Account    string // the account id the plan expects
}

// Identity is who ferry acts as in the side's AWS account.
type Identity struct {
	Account string    `json:"account"`
	ARN     string    `json:"arn"`
	UserID  string    `json:"userId"`
	Expires time.Time `json:"expires,omitzero"` // zero: the credentials do not expire
	Error   string    `json:"error,omitempty"`  // could not ask
}

// Side is a connected side.
type Side struct {
	Config   Config
	REST     *rest.Config
	Kube     kubernetes.Interface
	AWS      aws.Config
	Identity Identity
	// EKS is filled when the cluster was found by name.
	EKS *EKSCluster
	// KubeExpires is when the current cluster credential lapses, when known
	// (an EKS token is renewed before then).
	KubeExpires time.Time
}

// ErrAccountMismatch marks a side whose AWS identity is in another account
// than the plan says. Writes are refused on such a side.
var ErrAccountMismatch = errors.New("AWS account differs from the plan")

// WritesAllowed returns nil when the identity matches the plan's account.
func (s *Side) WritesAllowed() error {
	switch {
	case s.Identity.Error != "":
		return fmt.Errorf("%s: cannot confirm the AWS identity (%s); writes are refused until it can be checked", s.Config.Name, s.Identity.Error)
	case s.Config.Account != "" && s.Identity.Account != s.Config.Account:
		return fmt.Errorf("%s: %w: profile %q is %s in account %s, the plan expects %s; fix the profile or the plan's aws.account",
			s.Config.Name, ErrAccountMismatch, s.Config.AWSProfile, s.Identity.ARN, s.Identity.Account, s.Config.Account)
	}
	return nil
}

// Connect loads the side's AWS profile, asks who it is, and builds its
// Kubernetes client. An AWS identity that cannot be read is recorded, not
// fatal: the cluster may still be reachable.
func Connect(ctx context.Context, c Config) (*Side, error) {
	s := &Side{Config: c}
	if c.AWSProfile != "" || c.EKSCluster != "" {
		cfg, err := loadAWS(ctx, c)
		if err != nil {
			return nil, err
		}
		s.AWS = cfg
		s.Identity = WhoAmI(ctx, sts.NewFromConfig(cfg), cfg.Credentials)
	}
	var err error
	if c.EKSCluster != "" {
		cfg := s.AWS.Copy()
		if c.EKSRegion != "" {
			cfg.Region = c.EKSRegion
		}
		var info EKSCluster
		s.REST, info, err = eksREST(ctx, eks.NewFromConfig(cfg), cfg, c.EKSCluster)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", c.Name, err)
		}
		s.EKS, s.KubeExpires = &info, time.Now().Add(TokenLifetime)
	} else {
		if s.REST, err = KubeconfigREST(c.Kubeconfig, c.Context); err != nil {
			return nil, fmt.Errorf("%s: %w", c.Name, err)
		}
	}
	s.REST.UserAgent = "ferry"
	if s.Kube, err = kubernetes.NewForConfig(s.REST); err != nil {
		return nil, fmt.Errorf("%s: %w", c.Name, err)
	}
	return s, nil
}

func loadAWS(ctx context.Context, c Config) (aws.Config, error) {
	opts := []func(*config.LoadOptions) error{}
	if c.AWSProfile != "" {
		opts = append(opts, config.WithSharedConfigProfile(c.AWSProfile))
	}
	if c.AWSRegion != "" {
		opts = append(opts, config.WithRegion(c.AWSRegion))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return aws.Config{}, fmt.Errorf("%s: load AWS profile %q: %w (check AWS_CONFIG_FILE and the profile name)", c.Name, c.AWSProfile, err)
	}
	return cfg, nil
}

// KubeconfigREST builds a client config for a context through client-go's
// loading rules: KUBECONFIG, ~/.kube/config, exec plugins and all.
func KubeconfigREST(kubeconfig, context string) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kubeconfig != "" {
		rules.ExplicitPath = kubeconfig
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: context})
	rc, err := cc.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kube context %q: %w (list contexts with: kubectl config get-contexts)", context, err)
	}
	return rc, nil
}

// stsAPI is the one STS call ferry makes to learn who it is.
type stsAPI interface {
	GetCallerIdentity(ctx context.Context, in *sts.GetCallerIdentityInput, opts ...func(*sts.Options)) (*sts.GetCallerIdentityOutput, error)
}

// WhoAmI asks STS for the caller and the credentials for their expiry.
func WhoAmI(ctx context.Context, api stsAPI, creds aws.CredentialsProvider) Identity {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	out, err := api.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return Identity{Error: err.Error()}
	}
	id := Identity{Account: aws.ToString(out.Account), ARN: aws.ToString(out.Arn), UserID: aws.ToString(out.UserId)}
	if creds != nil {
		if c, err := creds.Retrieve(ctx); err == nil && c.CanExpire {
			id.Expires = c.Expires
		}
	}
	return id
}
