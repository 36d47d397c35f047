package sandbox

import (
	"fmt"
	"os"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// writeKubeconfig writes a kubeconfig with one context per entry, each
// authenticating with a bearer token and trusting its cluster's CA.
func writeKubeconfig(path string, entries []kubeEntry, current string) error {
	cfg := clientcmdapi.NewConfig()
	for _, e := range entries {
		ca, err := os.ReadFile(e.CAFile)
		if err != nil {
			return fmt.Errorf("kubeconfig %s: %w", path, err)
		}
		cluster := clientcmdapi.NewCluster()
		cluster.Server = e.Server
		cluster.CertificateAuthorityData = ca
		cfg.Clusters[e.Context] = cluster
		user := clientcmdapi.NewAuthInfo()
		user.Token = e.Token
		cfg.AuthInfos[e.Context+"-"+e.User] = user
		ctx := clientcmdapi.NewContext()
		ctx.Cluster = e.Context
		ctx.AuthInfo = e.Context + "-" + e.User
		ctx.Namespace = e.Namespace
		cfg.Contexts[e.Context] = ctx
	}
	cfg.CurrentContext = current
	return clientcmd.WriteToFile(*cfg, path)
}

// kubeEntry is one context of a kubeconfig.
type kubeEntry struct {
	Context, Server, CAFile, User, Token, Namespace string
}

// RESTConfig builds a client config for one context of a kubeconfig file.
func RESTConfig(kubeconfig, context string) (*rest.Config, error) {
	rules := &clientcmd.ClientConfigLoadingRules{ExplicitPath: kubeconfig}
	overrides := &clientcmd.ConfigOverrides{CurrentContext: context}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, overrides).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("load context %q from %s: %w", context, kubeconfig, err)
	}
	return cfg, nil
}
