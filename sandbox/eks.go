package sandbox

import (
	"fmt"
	"strconv"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// EKSClusterName is the name the eks cluster has in the new account's EKS
// API: DescribeCluster returns its endpoint and CA, and EKS tokens signed
// for it with the ferry-new profile authenticate as EKSOperator.
const EKSClusterName = "acme-platform"

// EKSOperator is the Kubernetes user the new account's caller maps to (in
// group system:masters), as an EKS access entry would map it.
const EKSOperator = "ferry-operator"

// eksMasters is the group EKSOperator gets: cluster-admin, like the cluster
// creator's access entry.
const eksMasters = "system:masters"

// runsAuthn reports whether the cluster authenticates EKS tokens.
func (c cluster) runsAuthn() bool { return c.side.Name == "eks" }

// callerARN is what the emulated STS's GetCallerIdentity answers for the
// side's account: every key of an account is its root.
func callerARN(side Side) string { return "arn:aws:iam::" + side.Account + ":root" }

// authn is the cluster's EKS token webhook (ferry-sandboxd authn), playing
// aws-iam-authenticator: it checks a token with the account's STS and maps
// the caller to a user.
func (c cluster) authn() proc {
	return proc{
		Name: c.side.Name + "/authn", Bin: c.tools["ferry-sandboxd"], Dir: c.cfg.Dir, Port: c.ports.Authn,
		Args: []string{"authn", "--listen=" + Host + ":" + strconv.Itoa(c.ports.Authn),
			"--sts-endpoint=" + c.cfg.AWSEndpoint(c.side), "--cluster=" + EKSClusterName,
			"--account=" + c.side.Account, "--map=" + callerARN(c.side) + "=" + EKSOperator + ":" + eksMasters},
	}
}

func (c cluster) authnURL() string { return fmt.Sprintf("http://%s:%d", Host, c.ports.Authn) }

// authnArgs are the apiserver flags that ask the webhook about bearer
// tokens the static token file does not know. Plain HTTP on loopback: the
// apiserver demands no TLS of a webhook, and nothing else listens there.
func (c cluster) authnArgs() []string {
	if !c.runsAuthn() {
		return nil
	}
	return []string{
		"--authentication-token-webhook-config-file=" + c.dir("authn-webhook.kubeconfig"),
		"--authentication-token-webhook-version=v1",
		// EKS tokens live 15 minutes; a short cache lets a refused token
		// be retried soon and keeps tests of refusals honest.
		"--authentication-token-webhook-cache-ttl=10s",
	}
}

// writeAuthnConfig writes the kubeconfig-format file that points the
// apiserver at the webhook.
func (c cluster) writeAuthnConfig() error {
	if !c.runsAuthn() {
		return nil
	}
	cfg := clientcmdapi.NewConfig()
	cluster := clientcmdapi.NewCluster()
	cluster.Server = c.authnURL() + "/authenticate"
	cfg.Clusters["authn"] = cluster
	cfg.AuthInfos["apiserver"] = clientcmdapi.NewAuthInfo()
	ctx := clientcmdapi.NewContext()
	ctx.Cluster, ctx.AuthInfo = "authn", "apiserver"
	cfg.Contexts["authn"] = ctx
	cfg.CurrentContext = "authn"
	return clientcmd.WriteToFile(*cfg, c.dir("authn-webhook.kubeconfig"))
}

// eksAWSArgs are the flags that make the target account's endpoint report
// the eks cluster in DescribeCluster.
func (s *Sandbox) eksAWSArgs(side Side) []string {
	c := newCluster(s.cfg, side, s.tools)
	if !c.runsAuthn() {
		return nil
	}
	return []string{"--eks-cluster=" + EKSClusterName, "--eks-endpoint=" + c.server(),
		"--eks-ca=" + c.pki().path("ca.crt"), "--eks-issuer=" + c.issuer()}
}
