package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// TestAWSCommandEKS runs "ferry-sandboxd aws" as the sandbox runs the new
// account — with its key pair and an EKS cluster — and authenticates EKS
// tokens against it: kumo's GetCallerIdentity, reached by a presigned GET,
// names the account's root, and only a token signed for the cluster with
// the account's key passes.
func TestAWSCommandEKS(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	creds := filepath.Join(dir, "credentials")
	must(t, "write credentials", os.WriteFile(creds,
		[]byte("[ferry-new]\naws_access_key_id = "+testKey+"\naws_secret_access_key = "+testSecret+"\n"), 0o600))
	caFile, _ := writeTestCA(t)
	f := testEKSFlags(caFile)
	url, stop := startCommand(t, "222222222222", filepath.Join(dir, "data"), "none",
		"--credentials", creds, "--profile", "ferry-new",
		"--eks-cluster", f.name, "--eks-endpoint", f.endpoint, "--eks-ca", f.caFile, "--eks-issuer", f.issuer)
	defer stop()
	ctx := t.Context()

	out, err := eks.NewFromConfig(sdkConfig(url, "us-east-1")).DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(f.name)})
	must(t, "DescribeCluster", err)
	if aws.ToString(out.Cluster.Endpoint) != f.endpoint {
		t.Errorf("endpoint %q, want %q", aws.ToString(out.Cluster.Endpoint), f.endpoint)
	}
	// Calls signed in a header pass unchecked, as they always did (the
	// seed signs with a key of its own).
	_, err = sts.NewFromConfig(sdkConfig(url, "us-east-1")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	must(t, "GetCallerIdentity signed in a header", err)

	rv := testReviewer(t, url)
	good := presignToken(t, tokenOpts{endpoint: url, key: testKey, secret: testSecret, cluster: f.name})
	user, err := rv.authenticate(ctx, good)
	must(t, "authenticate", err)
	if got := user.Extra["arn"]; len(got) != 1 || got[0] != testRootARN || user.Username != "ferry-operator" {
		t.Errorf("user %+v, want ferry-operator from %s", user, testRootARN)
	}
	other := presignToken(t, tokenOpts{endpoint: url, key: testKey, secret: testSecret, cluster: "other"})
	if _, err := rv.authenticate(ctx, other); err == nil || !strings.Contains(err.Error(), stsBadSignature) {
		t.Errorf("a token for cluster other: %v, want %s", err, stsBadSignature)
	}
}
