package cluster_test

import (
	"errors"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ferry-dev/ferry/engine/cluster"
	"github.com/ferry-dev/ferry/sandbox"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

func TestMain(m *testing.M) { sandboxtest.Main(m) }

// sandboxEnv points the AWS SDK's shared config at the sandbox's files.
func sandboxEnv(t *testing.T, env *sandboxtest.Env) {
	for _, v := range env.SB.Env() {
		t.Setenv(v.Name, v.Value)
	}
}

func TestConnectSandboxSides(t *testing.T) {
	env := sandboxtest.Get(t)
	sandboxEnv(t, env)
	for _, c := range []cluster.Config{
		{Name: "KOPS", Context: "kops", AWSProfile: "ferry-old", Account: "111111111111"},
		{Name: "EKS", Context: "eks", AWSProfile: "ferry-new", Account: "222222222222"},
	} {
		s, err := cluster.Connect(t.Context(), c)
		if err != nil {
			t.Fatal(err)
		}
		if s.Identity.Account != c.Account || s.Identity.ARN == "" {
			t.Errorf("%s identity = %+v", c.Name, s.Identity)
		}
		if err := s.WritesAllowed(); err != nil {
			t.Errorf("%s: %v", c.Name, err)
		}
		if _, err := s.Kube.CoreV1().Namespaces().Get(t.Context(), "payments", metav1.GetOptions{}); err != nil {
			t.Errorf("%s: %v", c.Name, err)
		}
	}
}

// TestWrongAccountProfileDetected: the target's profile pointed at the old
// account is caught before any write.
func TestWrongAccountProfileDetected(t *testing.T) {
	env := sandboxtest.Get(t)
	sandboxEnv(t, env)
	s, err := cluster.Connect(t.Context(), cluster.Config{Name: "EKS", Context: "eks", AWSProfile: "ferry-old", Account: "222222222222"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.WritesAllowed(); !errors.Is(err, cluster.ErrAccountMismatch) {
		t.Fatalf("WritesAllowed = %v, want ErrAccountMismatch", err)
	}
}

// TestConnectEKSByName reaches the sandbox's eks cluster the EKS way:
// DescribeCluster in the new account, then a presigned STS token.
func TestConnectEKSByName(t *testing.T) {
	env := sandboxtest.Get(t)
	sandboxEnv(t, env)
	s, err := cluster.Connect(t.Context(), cluster.Config{Name: "EKS", EKSCluster: sandbox.EKSClusterName,
		AWSProfile: "ferry-new", Account: "222222222222"})
	if err != nil {
		t.Fatal(err)
	}
	if s.EKS == nil || s.EKS.Endpoint != s.REST.Host || s.KubeExpires.IsZero() {
		t.Fatalf("EKS info %+v, host %s", s.EKS, s.REST.Host)
	}
	if _, err := s.Kube.CoreV1().Namespaces().Get(t.Context(), "orders", metav1.GetOptions{}); err != nil {
		t.Fatalf("list via EKS token: %v", err)
	}
	if _, err := cluster.Connect(t.Context(), cluster.Config{Name: "EKS", EKSCluster: "no-such-cluster", AWSProfile: "ferry-new"}); err == nil {
		t.Error("an unknown EKS cluster connected")
	}
}
