package sandbox_test

import (
	"bytes"
	"encoding/base64"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	authnv1 "k8s.io/api/authentication/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/ferry-dev/ferry/engine/cluster"
	"github.com/ferry-dev/ferry/sandbox"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

// describeEKS asks the new account's EKS API for the sandbox's cluster, as
// ferry finds a real one: by name, with the ferry-new profile.
func describeEKS(t *testing.T, env *sandboxtest.Env) *ekstypes.Cluster {
	t.Helper()
	out, err := eks.NewFromConfig(env.AWS(t, "eks")).DescribeCluster(t.Context(),
		&eks.DescribeClusterInput{Name: aws.String(sandbox.EKSClusterName)})
	if err != nil {
		t.Fatalf("DescribeCluster(%s): %v", sandbox.EKSClusterName, err)
	}
	return out.Cluster
}

// tokenClient is a clientset that reaches the cluster DescribeCluster
// reported, with only an EKS token made from cfg for clusterName.
func tokenClient(t *testing.T, c *ekstypes.Cluster, cfg aws.Config, clusterName string) kubernetes.Interface {
	t.Helper()
	tok, _, err := cluster.Token(t.Context(), cfg, clusterName)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := base64.StdEncoding.DecodeString(aws.ToString(c.CertificateAuthority.Data))
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(&rest.Config{Host: aws.ToString(c.Endpoint), BearerToken: tok,
		TLSClientConfig: rest.TLSClientConfig{CAData: ca}})
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

func TestEKSDescribeCluster(t *testing.T) {
	env := sandboxtest.Get(t)
	c := describeEKS(t, env)
	admin := env.REST(t, "eks")
	ca, _ := base64.StdEncoding.DecodeString(aws.ToString(c.CertificateAuthority.Data))
	if aws.ToString(c.Endpoint) != admin.Host || !bytes.Equal(ca, admin.CAData) {
		t.Errorf("endpoint %s with CA %q; want the eks apiserver %s and its CA", aws.ToString(c.Endpoint), ca, admin.Host)
	}
	if c.Status != ekstypes.ClusterStatusActive || aws.ToString(c.Version) != "1.37" ||
		aws.ToString(c.Arn) != "arn:aws:eks:us-east-1:222222222222:cluster/"+sandbox.EKSClusterName ||
		aws.ToString(c.Identity.Oidc.Issuer) != "https://oidc.eks.us-east-1.amazonaws.com/id/FERRYSANDBOX" {
		t.Errorf("cluster %s: status %s, version %s, arn %s, issuer %s", sandbox.EKSClusterName, c.Status,
			aws.ToString(c.Version), aws.ToString(c.Arn), aws.ToString(c.Identity.Oidc.Issuer))
	}
	list, err := eks.NewFromConfig(env.AWS(t, "eks")).ListClusters(t.Context(), &eks.ListClustersInput{})
	if err != nil || !slices.Contains(list.Clusters, sandbox.EKSClusterName) {
		t.Errorf("ListClusters = %v, %v; want %s in it", list, err, sandbox.EKSClusterName)
	}
}

// TestEKSTokenAuthenticates: a token signed with the new account's profile
// for the cluster's name is the operator, as an access entry maps it.
func TestEKSTokenAuthenticates(t *testing.T) {
	env := sandboxtest.Get(t)
	cs := tokenClient(t, describeEKS(t, env), env.AWS(t, "eks"), sandbox.EKSClusterName)
	ctx := t.Context()
	if _, err := cs.CoreV1().Namespaces().List(ctx, metav1.ListOptions{}); err != nil {
		t.Fatalf("list namespaces with an EKS token: %v", err)
	}
	who, err := cs.AuthenticationV1().SelfSubjectReviews().Create(ctx, &authnv1.SelfSubjectReview{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	u := who.Status.UserInfo
	if u.Username != sandbox.EKSOperator || !slices.Contains(u.Groups, "system:masters") ||
		!slices.Equal(u.Extra["arn"], []string{"arn:aws:iam::222222222222:root"}) {
		t.Errorf("whoami = %+v, want %s in system:masters from arn:aws:iam::222222222222:root", u, sandbox.EKSOperator)
	}
}

// TestEKSTokenRefused: tokens for another cluster or from the old account
// get 401, as EKS answers them.
func TestEKSTokenRefused(t *testing.T) {
	env := sandboxtest.Get(t)
	c := describeEKS(t, env)
	newCfg, oldCfg := env.AWS(t, "eks"), env.AWS(t, "kops")
	// The old account's key presented to the new account's STS, as a real
	// token of the old account reaches the one global STS.
	oldKeyNewSTS := oldCfg.Copy()
	oldKeyNewSTS.BaseEndpoint = newCfg.BaseEndpoint
	for name, cs := range map[string]kubernetes.Interface{
		"cluster other":            tokenClient(t, c, newCfg, "other"),
		"old account":              tokenClient(t, c, oldCfg, sandbox.EKSClusterName),
		"old account key, new STS": tokenClient(t, c, oldKeyNewSTS, sandbox.EKSClusterName),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := cs.CoreV1().Namespaces().List(t.Context(), metav1.ListOptions{})
			if !apierrors.IsUnauthorized(err) {
				t.Errorf("list namespaces: %v, want 401 Unauthorized", err)
			}
		})
	}
}
