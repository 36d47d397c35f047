package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	"k8s.io/client-go/util/cert"
)

// writeTestCA writes a fresh CA certificate and returns its path and PEM.
func writeTestCA(t *testing.T) (string, []byte) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ca, err := cert.NewSelfSignedCACert(cert.Config{CommonName: "test-ca"}, key)
	if err != nil {
		t.Fatal(err)
	}
	pem, err := cert.EncodeCertificates(ca)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.crt")
	if err := os.WriteFile(path, pem, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, pem
}

func testEKSFlags(caFile string) eksFlags {
	return eksFlags{name: "acme-platform", endpoint: "https://127.0.0.1:17423", caFile: caFile,
		issuer: "https://oidc.eks.us-east-1.amazonaws.com/id/TEST", version: "1.37"}
}

func TestEKSFlagsValidate(t *testing.T) {
	t.Parallel()
	ok := testEKSFlags("ca.crt")
	tests := []struct {
		name    string
		f       eksFlags
		wantErr string
	}{
		{"none", eksFlags{version: "1.37"}, ""},
		{"all", ok, ""},
		{"partial", eksFlags{name: "acme-platform", version: "1.37"}, "--eks-ca, --eks-endpoint, --eks-issuer missing"},
		{"http endpoint", func() eksFlags { f := ok; f.endpoint = "http://127.0.0.1:1"; return f }(), "--eks-endpoint"},
		{"issuer not a URL", func() eksFlags { f := ok; f.issuer = "FERRY"; return f }(), "--eks-issuer"},
	}
	for _, tt := range tests {
		err := tt.f.validate()
		if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.wantErr)
		}
	}
	if _, err := parseAWSFlags([]string{"--account", "222222222222", "--listen", "127.0.0.1:1", "--data", "d", "--eks-cluster", "x"}); err == nil {
		t.Error("parseAWSFlags with --eks-cluster alone: want an error")
	}
	if _, err := parseAWSFlags([]string{"--account", "222222222222", "--listen", "127.0.0.1:1", "--data", "d", "--credentials", "f"}); err == nil {
		t.Error("parseAWSFlags with --credentials alone: want an error")
	}
}

func TestLoadEKSClusterBadCA(t *testing.T) {
	t.Parallel()
	bad := filepath.Join(t.TempDir(), "ca.crt")
	if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{bad, filepath.Join(t.TempDir(), "missing.crt")} {
		if _, err := loadEKSCluster(testEKSFlags(file), "222222222222", "us-east-1"); err == nil || !strings.Contains(err.Error(), "--eks-ca") {
			t.Errorf("CA %s: error %v, want one naming --eks-ca", file, err)
		}
	}
	if c, err := loadEKSCluster(eksFlags{}, "222222222222", "us-east-1"); c != nil || err != nil {
		t.Errorf("no flags: %v, %v; want no cluster", c, err)
	}
}

// TestEKSFrontSDK reads the cluster through the SDK's EKS client, so the
// JSON must have EKS's shape; other clusters and calls still reach kumo.
func TestEKSFrontSDK(t *testing.T) {
	t.Parallel()
	caFile, caPEM := writeTestCA(t)
	c, err := loadEKSCluster(testEKSFlags(caFile), "222222222222", "us-east-1")
	if err != nil {
		t.Fatal(err)
	}
	kumo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/clusters" && r.URL.Query().Get("nextToken") == "bad":
			writeEKSError(w, http.StatusBadRequest, "InvalidParameterException", "bad nextToken")
			return
		case r.URL.Path == "/clusters" && r.URL.Query().Get("nextToken") != "":
			fmt.Fprint(w, `{"clusters":["zulu"]}`)
			return
		case r.URL.Path == "/clusters":
			fmt.Fprint(w, `{"clusters":["zeta","made-in-kumo"],"nextToken":"2"}`)
			return
		}
		writeEKSError(w, http.StatusNotFound, "ResourceNotFoundException", "No cluster found for name: other.")
	})
	srv := httptest.NewServer(eksFront(c)(kumo))
	defer srv.Close()
	client := eks.NewFromConfig(sdkConfig(srv.URL, "us-east-1"))
	ctx := t.Context()

	out, err := client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("acme-platform")})
	if err != nil {
		t.Fatal(err)
	}
	got := out.Cluster
	ca, _ := base64.StdEncoding.DecodeString(aws.ToString(got.CertificateAuthority.Data))
	if aws.ToString(got.Endpoint) != "https://127.0.0.1:17423" || string(ca) != string(caPEM) ||
		got.Status != ekstypes.ClusterStatusActive || aws.ToString(got.Version) != "1.37" ||
		aws.ToString(got.Identity.Oidc.Issuer) != "https://oidc.eks.us-east-1.amazonaws.com/id/TEST" ||
		aws.ToString(got.Arn) != "arn:aws:eks:us-east-1:222222222222:cluster/acme-platform" ||
		got.CreatedAt == nil || got.CreatedAt.IsZero() ||
		got.AccessConfig.AuthenticationMode != ekstypes.AuthenticationModeApiAndConfigMap {
		t.Errorf("DescribeCluster = %+v", got)
	}

	list, err := client.ListClusters(ctx, &eks.ListClustersInput{})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"acme-platform", "made-in-kumo", "zeta"}; !slices.Equal(list.Clusters, want) || aws.ToString(list.NextToken) != "2" {
		t.Errorf("ListClusters = %v next %v, want %v next 2", list.Clusters, aws.ToString(list.NextToken), want)
	}
	// Only the first page gains the cluster, and kumo's errors pass through.
	list, err = client.ListClusters(ctx, &eks.ListClustersInput{NextToken: aws.String("2")})
	if err != nil || !slices.Equal(list.Clusters, []string{"zulu"}) {
		t.Errorf("ListClusters page 2 = %v, %v; want [zulu]", list, err)
	}
	_, err = client.ListClusters(ctx, &eks.ListClustersInput{NextToken: aws.String("bad")})
	var bad *ekstypes.InvalidParameterException
	if !errors.As(err, &bad) {
		t.Errorf("ListClusters with a bad token: %v, want kumo's InvalidParameterException", err)
	}

	_, err = client.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String("other")})
	var nf *ekstypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("DescribeCluster(other): %v, want kumo's ResourceNotFoundException", err)
	}
}
