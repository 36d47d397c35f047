package main

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
)

// eksFlags are the --eks-* flags of "ferry-sandboxd aws": the one EKS
// cluster the account reports, backed by a real apiserver. kumo's EKS can
// create clusters but invents their endpoint and CA, so nothing would answer
// a client that followed them.
type eksFlags struct {
	name, endpoint, caFile, issuer, version string
}

func (f *eksFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.name, "eks-cluster", "", "name of the EKS cluster DescribeCluster reports (optional; needs the other --eks-* flags)")
	fs.StringVar(&f.endpoint, "eks-endpoint", "", "the cluster's apiserver URL, https://HOST:PORT")
	fs.StringVar(&f.caFile, "eks-ca", "", "PEM file of the CA that signed the apiserver's certificate")
	fs.StringVar(&f.issuer, "eks-issuer", "", "the cluster's service-account (OIDC) issuer URL")
	fs.StringVar(&f.version, "eks-version", "1.37", "Kubernetes minor version DescribeCluster reports")
}

// validate accepts all of name, endpoint, CA and issuer or none of them.
func (f eksFlags) validate() error {
	set := map[string]string{"--eks-cluster": f.name, "--eks-endpoint": f.endpoint, "--eks-ca": f.caFile, "--eks-issuer": f.issuer}
	var missing []string
	for flagName, v := range set {
		if v == "" {
			missing = append(missing, flagName)
		}
	}
	if len(missing) == len(set) {
		return nil
	}
	if len(missing) > 0 {
		slices.Sort(missing)
		return fmt.Errorf("%s missing: the --eks-* flags describe one cluster and go together", strings.Join(missing, ", "))
	}
	for flagName, v := range map[string]string{"--eks-endpoint": f.endpoint, "--eks-issuer": f.issuer} {
		if u, err := url.Parse(v); err != nil || u.Scheme != "https" || u.Host == "" {
			return fmt.Errorf("%s %q: want an https URL, e.g. https://127.0.0.1:6443", flagName, v)
		}
	}
	return nil
}

// eksCluster is one cluster in EKS's JSON shape (DescribeCluster's
// "cluster"), reduced to the fields a client uses to reach it.
type eksCluster struct {
	Name                 string            `json:"name"`
	Arn                  string            `json:"arn"`
	CreatedAt            float64           `json:"createdAt"` // epoch seconds, as EKS sends it
	Version              string            `json:"version"`
	Endpoint             string            `json:"endpoint"`
	Status               string            `json:"status"`
	PlatformVersion      string            `json:"platformVersion"`
	CertificateAuthority eksCertificate    `json:"certificateAuthority"`
	Identity             eksIdentity       `json:"identity"`
	ResourcesVpcConfig   eksVpcConfig      `json:"resourcesVpcConfig"`
	AccessConfig         eksAccess         `json:"accessConfig"`
	Tags                 map[string]string `json:"tags"`
}

type eksCertificate struct {
	Data string `json:"data"` // base64 of the PEM, as kubeconfigs' certificate-authority-data
}

type eksIdentity struct {
	OIDC struct {
		Issuer string `json:"issuer"`
	} `json:"oidc"`
}

type eksVpcConfig struct {
	EndpointPublicAccess  bool `json:"endpointPublicAccess"`
	EndpointPrivateAccess bool `json:"endpointPrivateAccess"`
}

type eksAccess struct {
	AuthenticationMode string `json:"authenticationMode"`
}

// loadEKSCluster reads the CA and builds the cluster the flags describe; it
// is nil when the flags name no cluster.
func loadEKSCluster(f eksFlags, account, region string) (*eksCluster, error) {
	if f.name == "" {
		return nil, nil
	}
	caPEM, err := os.ReadFile(f.caFile)
	if err != nil {
		return nil, fmt.Errorf("--eks-ca: %w", err)
	}
	block, _ := pem.Decode(caPEM)
	if block == nil || block.Type != "CERTIFICATE" {
		return nil, fmt.Errorf("--eks-ca %s: no PEM certificate in it", f.caFile)
	}
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("--eks-ca %s: %w", f.caFile, err)
	}
	c := &eksCluster{
		Name: f.name, Arn: fmt.Sprintf("arn:aws:eks:%s:%s:cluster/%s", region, account, f.name),
		// The cluster is as old as its CA: stable across restarts, no clock.
		CreatedAt: float64(ca.NotBefore.Unix()),
		Version:   f.version, Endpoint: f.endpoint, Status: "ACTIVE", PlatformVersion: "eks.1",
		CertificateAuthority: eksCertificate{Data: base64.StdEncoding.EncodeToString(caPEM)},
		ResourcesVpcConfig:   eksVpcConfig{EndpointPublicAccess: true},
		AccessConfig:         eksAccess{AuthenticationMode: "API_AND_CONFIG_MAP"},
		Tags:                 map[string]string{},
	}
	c.Identity.OIDC.Issuer = f.issuer
	return c, nil
}

// eksFront answers DescribeCluster for c and adds c to ListClusters; every
// other EKS call, and calls about other clusters, reach kumo.
func eksFront(c *eksCluster) front {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet || signingService(r) != "eks" {
				next.ServeHTTP(w, r)
				return
			}
			switch r.URL.Path {
			case "/clusters/" + c.Name:
				writeEKSJSON(w, http.StatusOK, map[string]any{"cluster": c})
			case "/clusters":
				listClustersWith(w, r, next, c.Name)
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}

// listClustersWith asks kumo for its clusters and adds name to the first
// page, so a client that lists before it describes finds the cluster too.
func listClustersWith(w http.ResponseWriter, r *http.Request, next http.Handler, name string) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	if rec.Code != http.StatusOK {
		// kumo's own error is the answer.
		maps.Copy(w.Header(), rec.Header())
		w.WriteHeader(rec.Code)
		_, _ = w.Write(rec.Body.Bytes())
		return
	}
	var page struct {
		Clusters  []string `json:"clusters"`
		NextToken *string  `json:"nextToken,omitempty"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
		writeEKSError(w, http.StatusInternalServerError, "ServerException", "decode kumo's ListClusters: "+err.Error())
		return
	}
	if r.URL.Query().Get("nextToken") == "" && !slices.Contains(page.Clusters, name) {
		page.Clusters = append(page.Clusters, name)
		slices.Sort(page.Clusters)
	}
	writeEKSJSON(w, http.StatusOK, page)
}

func writeEKSJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeEKSError(w, http.StatusInternalServerError, "ServerException", err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeEKSError answers in the REST-JSON error shape the SDK decodes.
func writeEKSError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-Errortype", code)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
}
