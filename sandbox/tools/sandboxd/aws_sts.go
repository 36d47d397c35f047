package main

import (
	"context"
	"crypto/hmac"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/config"
)

// amzDateFormat is SigV4's X-Amz-Date.
const amzDateFormat = "20060102T150405Z"

// emptySHA256 is the payload hash a presigned GET is signed with: the hash
// of its empty body.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// The codes STS refuses a signature with.
const (
	stsInvalidKey   = "InvalidClientTokenId"
	stsBadSignature = "SignatureDoesNotMatch"
	stsIncomplete   = "IncompleteSignature"
)

// stsError is STS refusing a request.
type stsError struct{ code, msg string }

// stsVerifier checks presigned STS requests against the account's one key
// pair. kumo checks no signature, but an EKS token is only as good as STS's
// check: it is what refuses a token signed for another cluster (the cluster
// name is a signed header, not part of the URL) or with another account's key.
type stsVerifier struct {
	creds  aws.Credentials
	signer *v4.Signer
}

// loadSTSVerifier reads the account's key pair from a shared credentials
// file: the one its clients sign with.
func loadSTSVerifier(ctx context.Context, file, profile string) (*stsVerifier, error) {
	sc, err := config.LoadSharedConfigProfile(ctx, profile, func(o *config.LoadSharedConfigOptions) {
		o.CredentialsFiles = []string{file}
		o.ConfigFiles = []string{} // not the user's ~/.aws/config
	})
	if err != nil {
		return nil, fmt.Errorf("--credentials %s --profile %s: %w", file, profile, err)
	}
	if sc.Credentials.AccessKeyID == "" || sc.Credentials.SecretAccessKey == "" {
		return nil, fmt.Errorf("--credentials %s: profile %s has no access key", file, profile)
	}
	return &stsVerifier{creds: sc.Credentials, signer: v4.NewSigner()}, nil
}

// verify checks the key and the signature of a presigned request. Expiry is
// left to the caller: EKS honours a token for 15 minutes whatever its
// X-Amz-Expires says, and aws-iam-authenticator enforces that window.
func (v *stsVerifier) verify(r *http.Request) *stsError {
	q := r.URL.Query()
	scope := strings.Split(q.Get("X-Amz-Credential"), "/")
	if len(scope) != 5 || scope[4] != "aws4_request" {
		return &stsError{stsIncomplete, "X-Amz-Credential must be KEY/DATE/REGION/SERVICE/aws4_request"}
	}
	if scope[0] != v.creds.AccessKeyID {
		return &stsError{stsInvalidKey, "The security token included in the request is invalid."}
	}
	signedAt, err := time.Parse(amzDateFormat, q.Get("X-Amz-Date"))
	if err != nil {
		return &stsError{stsIncomplete, "X-Amz-Date must be " + amzDateFormat}
	}
	want, err := v.signature(r, q, scope[2], scope[3], signedAt)
	if err != nil {
		return &stsError{stsIncomplete, err.Error()}
	}
	if !hmac.Equal([]byte(want), []byte(q.Get("X-Amz-Signature"))) {
		return &stsError{stsBadSignature, "The request signature we calculated does not match the signature you provided."}
	}
	return nil
}

// signature signs again what the request says was signed: its method, host,
// path, query without the signature and the headers it lists.
func (v *stsVerifier) signature(r *http.Request, q url.Values, region, service string, at time.Time) (string, error) {
	unsigned := url.Values{}
	for k, vs := range q {
		switch k {
		case "X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Date", "X-Amz-SignedHeaders", "X-Amz-Signature":
		default:
			unsigned[k] = vs
		}
	}
	u := &url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: unsigned.Encode()}
	check, err := http.NewRequestWithContext(r.Context(), r.Method, u.String(), nil)
	if err != nil {
		return "", err
	}
	for _, h := range strings.Split(q.Get("X-Amz-SignedHeaders"), ";") {
		// A signed header the request lacks changes the signed list, so
		// the signatures differ, as in AWS.
		if vals := r.Header.Values(h); h != "host" && len(vals) > 0 {
			check.Header[http.CanonicalHeaderKey(h)] = vals
		}
	}
	creds := aws.Credentials{AccessKeyID: v.creds.AccessKeyID, SecretAccessKey: v.creds.SecretAccessKey}
	signed, _, err := v.signer.PresignHTTP(r.Context(), creds, check, emptySHA256, service, region, at)
	if err != nil {
		return "", err
	}
	su, err := url.Parse(signed)
	if err != nil {
		return "", err
	}
	return su.Query().Get("X-Amz-Signature"), nil
}

// presignedSTS reports whether r is an STS call signed in its query, as an
// EKS token's URL is.
func presignedSTS(r *http.Request) bool {
	return r.Method == http.MethodGet && r.URL.Query().Has("X-Amz-Signature") && signingService(r) == "sts"
}

// stsFront serves presigned STS calls. kumo answers the query protocol only
// by POST, so the call goes on as one; with a verifier its signature is
// checked first.
func stsFront(v *stsVerifier) front {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !presignedSTS(r) {
				next.ServeHTTP(w, r)
				return
			}
			if v != nil {
				if e := v.verify(r); e != nil {
					writeSTSError(w, e)
					return
				}
			}
			next.ServeHTTP(w, asQueryPost(r))
		})
	}
}

// asQueryPost turns a presigned GET into the form POST kumo serves. The
// query stays on the URL: the proxy finds the service from its credential
// scope, and kumo reads the action from the form either way.
func asQueryPost(r *http.Request) *http.Request {
	form := url.Values{}
	for k, vs := range r.URL.Query() {
		if !strings.HasPrefix(k, "X-Amz-") {
			form[k] = vs
		}
	}
	body := form.Encode()
	out := r.Clone(r.Context())
	out.Method = http.MethodPost
	out.Body = io.NopCloser(strings.NewReader(body))
	out.ContentLength = int64(len(body))
	out.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return out
}

// writeSTSError answers in STS's XML error shape.
func writeSTSError(w http.ResponseWriter, e *stsError) {
	type stsErr struct {
		Type    string `xml:"Type"`
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	resp := struct {
		XMLName xml.Name `xml:"https://sts.amazonaws.com/doc/2011-06-15/ ErrorResponse"`
		Error   stsErr   `xml:"Error"`
	}{Error: stsErr{Type: "Sender", Code: e.code, Message: e.msg}}
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(http.StatusForbidden)
	_, _ = io.WriteString(w, xml.Header)
	_ = xml.NewEncoder(w).Encode(resp)
}
