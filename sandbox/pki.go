package sandbox

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/csv"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"k8s.io/client-go/util/cert"
	"k8s.io/client-go/util/keyutil"
)

// pki is one cluster's certificates and keys, kept on disk under <side>/pki.
type pki struct {
	dir string
}

func (p pki) path(name string) string { return filepath.Join(p.dir, name) }

// ensure creates what is missing: a CA, the apiserver's serving certificate,
// the service-account signing key pair and the static token file. Existing
// files are kept so a restarted sandbox keeps trusting its own clients.
func (p pki) ensure(side Side) (tokens map[string]string, err error) {
	if err := os.MkdirAll(p.dir, 0o700); err != nil {
		return nil, err
	}
	if !exists(p.path("ca.crt")) {
		if err := p.writeCA(side); err != nil {
			return nil, err
		}
	}
	if !exists(p.path("apiserver.crt")) {
		if err := p.writeServing(); err != nil {
			return nil, err
		}
	}
	if !exists(p.path("sa.key")) {
		if err := p.writeSAKeys(); err != nil {
			return nil, err
		}
	}
	return p.ensureTokens()
}

func (p pki) writeCA(side Side) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	ca, err := cert.NewSelfSignedCACert(cert.Config{CommonName: "ferry-sandbox-" + side.Name + "-ca"}, key)
	if err != nil {
		return fmt.Errorf("create %s CA: %w", side.Name, err)
	}
	return p.writePair("ca", ca, key)
}

// writeServing signs the apiserver's certificate for every name a client may
// use on loopback or in-cluster.
func (p pki) writeServing() error {
	ca, caKey, err := p.loadCA()
	if err != nil {
		return err
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial(),
		Subject:      pkix.Name{CommonName: "kube-apiserver"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(5 * 365 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     []string{"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"},
		IPAddresses:  []net.IP{net.ParseIP(Host)},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, key.Public(), caKey)
	if err != nil {
		return fmt.Errorf("sign apiserver certificate: %w", err)
	}
	crt, err := x509.ParseCertificate(der)
	if err != nil {
		return err
	}
	return p.writePair("apiserver", crt, key)
}

func (p pki) writeSAKeys() error {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	keyPEM, err := keyutil.MarshalPrivateKeyToPEM(key)
	if err != nil {
		return err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		return err
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	if err := os.WriteFile(p.path("sa.pub"), pubPEM, 0o600); err != nil {
		return err
	}
	return os.WriteFile(p.path("sa.key"), keyPEM, 0o600)
}

// Token users: the operator (cluster-admin via system:masters), the
// controller manager and scheduler (bound by the apiserver's bootstrap RBAC)
// and kwok, which acts as the kubelet of its node.
var tokenUsers = []struct{ user, groups string }{
	{"admin", "system:masters"},
	{"system:kube-controller-manager", ""},
	{"system:kube-scheduler", ""},
	{"kwok", "system:masters"},
	{"ferry-sandboxd", "system:masters"},
}

func (p pki) ensureTokens() (map[string]string, error) {
	tokens := map[string]string{}
	file := p.path("tokens.csv")
	if data, err := os.ReadFile(file); err == nil {
		if tokens, err = parseTokenFile(data); err == nil && len(tokens) == len(tokenUsers) {
			return tokens, nil
		}
	}
	var out []byte
	tokens = map[string]string{}
	for i, u := range tokenUsers {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		t := hex.EncodeToString(b)
		tokens[u.user] = t
		out = fmt.Appendf(out, "%s,%s,%d,%q\n", t, u.user, 1000+i, u.groups)
	}
	return tokens, os.WriteFile(file, out, 0o600)
}

func parseTokenFile(data []byte) (map[string]string, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	records, err := r.ReadAll()
	if err != nil {
		return nil, err
	}
	tokens := map[string]string{}
	for _, rec := range records {
		if len(rec) < 2 || rec[0] == "" || rec[1] == "" {
			return nil, fmt.Errorf("malformed token line %q", strings.Join(rec, ","))
		}
		tokens[rec[1]] = rec[0]
	}
	return tokens, nil
}

func (p pki) loadCA() (*x509.Certificate, crypto.Signer, error) {
	certs, err := cert.CertsFromFile(p.path("ca.crt"))
	if err != nil {
		return nil, nil, fmt.Errorf("read sandbox CA: %w", err)
	}
	key, err := keyutil.PrivateKeyFromFile(p.path("ca.key"))
	if err != nil {
		return nil, nil, fmt.Errorf("read sandbox CA key: %w", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, nil, fmt.Errorf("sandbox CA key in %s cannot sign", p.path("ca.key"))
	}
	return certs[0], signer, nil
}

func (p pki) writePair(name string, crt *x509.Certificate, key crypto.Signer) error {
	keyPEM, err := keyutil.MarshalPrivateKeyToPEM(key)
	if err != nil {
		return err
	}
	if err := os.WriteFile(p.path(name+".key"), keyPEM, 0o600); err != nil {
		return err
	}
	crtPEM, err := cert.EncodeCertificates(crt)
	if err != nil {
		return err
	}
	return os.WriteFile(p.path(name+".crt"), crtPEM, 0o644)
}

func serial() *big.Int {
	n, _ := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	return n
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
