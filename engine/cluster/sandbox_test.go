package cluster_test

import (
	"errors"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/ferry-dev/ferry/engine/cluster"
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
