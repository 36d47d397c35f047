package sandbox

import (
	"crypto/x509"
	"os"
	"testing"

	"k8s.io/client-go/util/cert"
)

func TestPKIEnsureIsStable(t *testing.T) {
	t.Parallel()
	p := pki{dir: t.TempDir()}
	side := Sides()[1]
	tokens, err := p.ensure(side)
	if err != nil {
		t.Fatal(err)
	}
	if len(tokens) != len(tokenUsers) || tokens["admin"] == "" || tokens["admin"] == tokens["kwok"] {
		t.Fatalf("tokens = %v", tokens)
	}
	before, _ := os.ReadFile(p.path("ca.crt"))
	again, err := p.ensure(side)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := os.ReadFile(p.path("ca.crt"))
	if string(before) != string(after) || again["admin"] != tokens["admin"] {
		t.Fatal("second ensure replaced the CA or the tokens")
	}
	ca, err := cert.CertsFromFile(p.path("ca.crt"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := cert.CertsFromFile(p.path("apiserver.crt"))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca[0])
	if _, err := srv[0].Verify(x509.VerifyOptions{DNSName: "127.0.0.1", Roots: pool}); err != nil {
		t.Fatalf("serving cert does not verify for 127.0.0.1 against the CA: %v", err)
	}
}
