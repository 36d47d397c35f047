package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	authnv1 "k8s.io/api/authentication/v1"
)

const testRootARN = "arn:aws:iam::222222222222:root"

// fakeSTS is the new account's STS as the emulator serves it: stsFront
// checks signatures with testKey, then a stand-in for kumo answers
// GetCallerIdentity, which must arrive as a form POST.
func fakeSTS(t *testing.T) *httptest.Server {
	t.Helper()
	kumo := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil || r.Method != http.MethodPost || r.PostForm.Get("Action") != "GetCallerIdentity" {
			http.Error(w, "want a GetCallerIdentity form POST", http.StatusBadRequest)
			return
		}
		fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
<GetCallerIdentityResult><Arn>%s</Arn><UserId>222222222222</UserId><Account>222222222222</Account></GetCallerIdentityResult>
</GetCallerIdentityResponse>`, testRootARN)
	})
	v := &stsVerifier{creds: aws.Credentials{AccessKeyID: testKey, SecretAccessKey: testSecret}, signer: v4.NewSigner()}
	srv := httptest.NewServer(stsFront(v)(kumo))
	t.Cleanup(srv.Close)
	return srv
}

func testReviewer(t *testing.T, sts string) *reviewer {
	t.Helper()
	u, err := url.Parse(sts)
	if err != nil {
		t.Fatal(err)
	}
	o := authnOptions{sts: u, cluster: "acme-platform", account: "222222222222",
		maps: mapFlag{testRootARN: {user: "ferry-operator", groups: []string{"system:masters"}}}}
	return newReviewer(o, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// postReview sends a TokenReview as the apiserver does and decodes the answer.
func postReview(t *testing.T, webhook, token string) authnv1.TokenReview {
	t.Helper()
	in := authnv1.TokenReview{Spec: authnv1.TokenReviewSpec{Token: token}}
	in.APIVersion, in.Kind = "authentication.k8s.io/v1", "TokenReview"
	body, _ := json.Marshal(in)
	resp, err := http.Post(webhook+"/authenticate", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("webhook answered %s", resp.Status)
	}
	var out authnv1.TokenReview
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	if out.APIVersion != in.APIVersion || out.Kind != "TokenReview" || out.Spec.Token != "" {
		t.Errorf("answer %s %s with token %q: want the request's kind and no token", out.APIVersion, out.Kind, out.Spec.Token)
	}
	return out
}

func TestReviewer(t *testing.T) {
	t.Parallel()
	sts := fakeSTS(t)
	tok := func(key, secret, cluster string) string {
		return presignToken(t, tokenOpts{endpoint: sts.URL, key: key, secret: secret, cluster: cluster})
	}
	stopped := httptest.NewServer(http.NotFoundHandler())
	stopped.Close()
	tests := []struct {
		name    string
		token   string
		edit    func(*reviewer)
		wantErr string // empty: authenticated as ferry-operator
	}{
		{"good", tok(testKey, testSecret, "acme-platform"), nil, ""},
		{"cluster other", tok(testKey, testSecret, "other"), nil, "SignatureDoesNotMatch"},
		{"another account's key", tok(otherKey, otherSecret, "acme-platform"), nil, "InvalidClientTokenId"},
		{"wrong secret", tok(testKey, otherSecret, "acme-platform"), nil, "SignatureDoesNotMatch"},
		{"static token", "3f2a9c", nil, "not an EKS token"},
		{"expired", tok(testKey, testSecret, "acme-platform"),
			func(rv *reviewer) { rv.now = func() time.Time { return time.Now().Add(16 * time.Minute) } }, "expired"},
		{"unmapped", tok(testKey, testSecret, "acme-platform"), func(rv *reviewer) { rv.maps = mapFlag{} }, "has no access"},
		{"other account", tok(testKey, testSecret, "acme-platform"),
			func(rv *reviewer) { rv.account = "333333333333" }, "trusts account 333333333333 only"},
		{"STS down", tok(testKey, testSecret, "acme-platform"),
			func(rv *reviewer) { rv.sts, _ = url.Parse(stopped.URL) }, "call STS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			rv := testReviewer(t, sts.URL)
			if tt.edit != nil {
				tt.edit(rv)
			}
			webhook := httptest.NewServer(authnHandler(rv))
			defer webhook.Close()
			st := postReview(t, webhook.URL, tt.token).Status
			if tt.wantErr != "" {
				if st.Authenticated || !strings.Contains(st.Error, tt.wantErr) {
					t.Fatalf("status %+v, want refused with %q", st, tt.wantErr)
				}
				return
			}
			if !st.Authenticated || st.User.Username != "ferry-operator" || !slices.Equal(st.User.Groups, []string{"system:masters"}) {
				t.Fatalf("status %+v, want ferry-operator in system:masters", st)
			}
			if st.User.UID != "aws-iam-authenticator:222222222222:222222222222" ||
				!slices.Equal(st.User.Extra["arn"], []string{testRootARN}) || !slices.Equal(st.User.Extra["accessKeyId"], []string{testKey}) {
				t.Errorf("user %+v", st.User)
			}
		})
	}
}

// TestReviewerAWSHost: a token made for AWS's STS hostname is sent to the
// emulator with its own Host, so its signature still holds.
func TestReviewerAWSHost(t *testing.T) {
	t.Parallel()
	sts := fakeSTS(t)
	webhook := httptest.NewServer(authnHandler(testReviewer(t, sts.URL)))
	defer webhook.Close()
	token := presignToken(t, tokenOpts{key: testKey, secret: testSecret, cluster: "acme-platform"})
	if st := postReview(t, webhook.URL, token).Status; !st.Authenticated {
		t.Fatalf("status %+v, want authenticated", st)
	}
}

func TestReviewerBadRequests(t *testing.T) {
	t.Parallel()
	webhook := httptest.NewServer(authnHandler(testReviewer(t, "http://127.0.0.1:1")))
	defer webhook.Close()
	resp, err := http.Get(webhook.URL + "/authenticate")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /authenticate: %s, want 405", resp.Status)
	}
	resp, err = http.Post(webhook.URL+"/authenticate", "application/json", strings.NewReader("{"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("POST of broken JSON: %s, want 400", resp.Status)
	}
	if code := getStatus(t, webhook.URL+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz: %d, want 200", code)
	}
}
