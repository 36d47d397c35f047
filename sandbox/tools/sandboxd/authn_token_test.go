package main

import (
	"context"
	"encoding/base64"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Key pairs the tests sign with: the new account's, and another one.
const (
	testKey, testSecret   = "AKIATESTNEW", "test-new-secret"
	otherKey, otherSecret = "AKIATESTOLD", "test-old-secret"
)

// tokenOpts say how presignToken signs.
type tokenOpts struct {
	endpoint    string // "" for AWS's own STS
	key, secret string
	cluster     string // "" signs no cluster header
}

// presignToken makes an EKS token the way `aws eks get-token` does: a
// presigned GetCallerIdentity URL signing x-k8s-aws-id, X-Amz-Expires=60.
func presignToken(t *testing.T, o tokenOpts) string {
	t.Helper()
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider(o.key, o.secret, "")}
	if o.endpoint != "" {
		cfg.BaseEndpoint = aws.String(o.endpoint)
	}
	client := sts.NewPresignClient(sts.NewFromConfig(cfg))
	req, err := client.PresignGetCallerIdentity(context.Background(), &sts.GetCallerIdentityInput{}, func(po *sts.PresignOptions) {
		po.ClientOptions = append(po.ClientOptions, func(so *sts.Options) {
			if o.cluster != "" {
				so.APIOptions = append(so.APIOptions, smithyhttp.AddHeaderValue(clusterIDHeader, o.cluster))
			}
			so.APIOptions = append(so.APIOptions, addExpires)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return tokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(req.URL))
}

// addExpires sets X-Amz-Expires before signing, as EKS token generators do.
func addExpires(stack *middleware.Stack) error {
	return stack.Build.Add(middleware.BuildMiddlewareFunc("expires", func(
		ctx context.Context, in middleware.BuildInput, next middleware.BuildHandler,
	) (middleware.BuildOutput, middleware.Metadata, error) {
		if req, ok := in.Request.(*smithyhttp.Request); ok {
			q := req.URL.Query()
			q.Set("X-Amz-Expires", "60")
			req.URL.RawQuery = q.Encode()
		}
		return next.HandleBuild(ctx, in)
	}), middleware.After)
}

// editToken decodes a token, lets edit change its URL and encodes it again.
func editToken(t *testing.T, token string, edit func(u *url.URL)) string {
	t.Helper()
	u, err := decodeToken(token)
	if err != nil {
		t.Fatal(err)
	}
	edit(u)
	return tokenPrefix + base64.RawURLEncoding.EncodeToString([]byte(u.String()))
}

func setQuery(key, value string) func(*url.URL) {
	return func(u *url.URL) {
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
	}
}

func TestParseToken(t *testing.T) {
	t.Parallel()
	const emulator = "http://127.0.0.1:17441"
	p := tokenParser{emulator: &url.URL{Scheme: "http", Host: "127.0.0.1:17441"}}
	awsToken := presignToken(t, tokenOpts{key: testKey, secret: testSecret, cluster: "acme-platform"})
	emuToken := presignToken(t, tokenOpts{endpoint: emulator, key: testKey, secret: testSecret, cluster: "acme-platform"})
	now := time.Now()
	tests := []struct {
		name, token string
		now         time.Time
		wantErr     string // empty: valid
	}{
		{"AWS STS", awsToken, now, ""},
		{"emulator", emuToken, now, ""},
		{"14 minutes old", awsToken, now.Add(14 * time.Minute), ""},
		{"expired", awsToken, now.Add(16 * time.Minute), "the token expired"},
		{"from the future", awsToken, now.Add(-10 * time.Minute), "in the future"},
		{"static token", "3f2a9c", now, errNotEKSToken.Error()},
		{"not base64url", tokenPrefix + "a+b/c==", now, "not unpadded base64url"},
		{"no cluster header", presignToken(t, tokenOpts{key: testKey, secret: testSecret}), now, "does not sign the x-k8s-aws-id"},
		{"wrong action", editToken(t, awsToken, setQuery("Action", "AssumeRole")), now, "want GetCallerIdentity"},
		{"extra parameter", editToken(t, awsToken, setQuery("RoleArn", "arn:aws:iam::1:role/x")), now, "never carries"},
		{"no date", editToken(t, awsToken, setQuery("X-Amz-Date", "")), now, "X-Amz-Date"},
		{"non-STS host", editToken(t, awsToken, func(u *url.URL) { u.Host = "sts.example.com" }), now, "is not STS"},
		{"STS over http", editToken(t, awsToken, func(u *url.URL) { u.Scheme = "http" }), now, "is not STS"},
		{"STS on another port", editToken(t, awsToken, func(u *url.URL) { u.Host += ":8443" }), now, "is not STS"},
		{"other loopback port", editToken(t, emuToken, func(u *url.URL) { u.Host = "127.0.0.1:17440" }), now, "is not STS"},
		{"other path", editToken(t, awsToken, func(u *url.URL) { u.Path = "/evil" }), now, "want /"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tok, err := p.parse(tt.token, tt.now)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tok.accessKeyID != testKey || tok.signedAt.IsZero() {
				t.Errorf("parsed %+v", tok)
			}
		})
	}
}

func TestParseTokenNotEKS(t *testing.T) {
	t.Parallel()
	_, err := tokenParser{}.parse("abc", time.Now())
	if !errors.Is(err, errNotEKSToken) {
		t.Fatalf("error %v, want errNotEKSToken", err)
	}
}

func TestCanonicalARN(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want, wantErr string }{
		{"arn:aws:iam::222222222222:root", "arn:aws:iam::222222222222:root", ""},
		{"arn:aws:iam::222222222222:user/ops/alice", "arn:aws:iam::222222222222:user/ops/alice", ""},
		{"arn:aws:sts::222222222222:assumed-role/Admin/alice@acme", "arn:aws:iam::222222222222:role/Admin", ""},
		{"arn:aws-cn:sts::222222222222:assumed-role/Admin/s", "arn:aws-cn:iam::222222222222:role/Admin", ""},
		{"arn:aws:sts::222222222222:assumed-role/Admin", "", "malformed assumed-role"},
		{"222222222222", "", "malformed ARN"},
	}
	for _, tt := range tests {
		got, err := canonicalARN(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("canonicalARN(%q): error %v, want %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("canonicalARN(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseAuthnFlags(t *testing.T) {
	t.Parallel()
	base := []string{"--listen", "127.0.0.1:1", "--sts-endpoint", "http://127.0.0.1:2", "--cluster", "acme-platform", "--account", "222222222222"}
	good := append(append([]string{}, base...), "--map", "arn:aws:iam::222222222222:root=ferry-operator:system:masters,ops", "--map", "arn:aws:iam::222222222222:role/ro=viewer")
	o, err := parseAuthnFlags(good)
	if err != nil {
		t.Fatal(err)
	}
	want := "arn:aws:iam::222222222222:role/ro=viewer: arn:aws:iam::222222222222:root=ferry-operator:system:masters,ops"
	if got := o.maps.String(); got != want || o.sts.Host != "127.0.0.1:2" {
		t.Errorf("maps %q sts %v, want %q", got, o.sts, want)
	}
	for name, tt := range map[string]struct {
		args    []string
		wantErr string
	}{
		"no map":        {base, "--map is required"},
		"bad map":       {append(append([]string{}, base...), "--map", "root=admin"), "want ARN=user"},
		"empty user":    {append(append([]string{}, base...), "--map", "arn:aws:iam::2:root=:g"), "user name is empty"},
		"not loopback":  {append([]string{"--listen", "0.0.0.0:1"}, good[2:]...), "only serves on loopback"},
		"bad sts":       {append(append([]string{}, good...), "--sts-endpoint", "127.0.0.1:2"), "want a base URL"},
		"short account": {append(append([]string{}, good...), "--account", "2222"), "want 12 digits"},
	} {
		if _, err := parseAuthnFlags(tt.args); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: error %v, want one containing %q", name, err, tt.wantErr)
		}
	}
}
