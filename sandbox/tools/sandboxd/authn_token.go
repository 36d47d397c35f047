package main

import (
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// The EKS bearer token, as aws-iam-authenticator reads it: "k8s-aws-v1."
// and the base64url (unpadded) of a presigned sts:GetCallerIdentity URL
// that signs the cluster name in the x-k8s-aws-id header.
const (
	tokenPrefix     = "k8s-aws-v1."
	clusterIDHeader = "x-k8s-aws-id"
	// tokenWindow is how long after signing EKS accepts a token, whatever
	// its X-Amz-Expires says; clients cache tokens for just under it.
	tokenWindow = 15 * time.Minute
	// clockSkew is how far ahead of this clock a token may have been signed.
	clockSkew = 5 * time.Minute
)

// errNotEKSToken marks a bearer token that is not an EKS token at all (the
// apiserver's static tokens reach the webhook only when they are unknown).
var errNotEKSToken = errors.New("not an EKS token (no " + tokenPrefix + " prefix)")

// stsQueryParams are the query parameters (lower case) a token's URL may
// carry. Anything else is refused, as aws-iam-authenticator refuses it, so a
// token cannot slip in another action or redirect the call.
var stsQueryParams = map[string]bool{
	"action": true, "version": true, "x-amz-algorithm": true, "x-amz-credential": true,
	"x-amz-date": true, "x-amz-expires": true, "x-amz-security-token": true,
	"x-amz-signature": true, "x-amz-signedheaders": true,
}

// stsHostPattern matches STS's global and regional hostnames.
var stsHostPattern = regexp.MustCompile(`^sts(\.[a-z0-9-]+)?\.amazonaws\.com(\.cn)?$`)

// presignedToken is what the authenticator takes from a valid token.
type presignedToken struct {
	url         *url.URL
	accessKeyID string
	signedAt    time.Time
}

// tokenParser checks a token's URL before anything is sent to STS.
type tokenParser struct {
	// emulator is the STS endpoint the sandbox's clients sign for (an
	// http loopback URL): accepted as a token's origin besides AWS's.
	emulator *url.URL
}

// parse decodes a token and checks it is a presigned GetCallerIdentity URL
// for STS that signs the cluster header, signed within the last 15 minutes.
func (p tokenParser) parse(token string, now time.Time) (presignedToken, error) {
	u, err := decodeToken(token)
	if err != nil {
		return presignedToken{}, err
	}
	if err := p.checkOrigin(u); err != nil {
		return presignedToken{}, err
	}
	q, err := stsQuery(u)
	if err != nil {
		return presignedToken{}, err
	}
	if !containsFold(strings.Split(q["x-amz-signedheaders"], ";"), clusterIDHeader) {
		return presignedToken{}, fmt.Errorf("the token's URL does not sign the %s header: make it with aws eks get-token or an EKS token generator", clusterIDHeader)
	}
	signedAt, err := checkSignedAt(q["x-amz-date"], now)
	if err != nil {
		return presignedToken{}, err
	}
	key, _, _ := strings.Cut(q["x-amz-credential"], "/")
	return presignedToken{url: u, accessKeyID: key, signedAt: signedAt}, nil
}

func decodeToken(token string) (*url.URL, error) {
	enc, ok := strings.CutPrefix(token, tokenPrefix)
	if !ok {
		return nil, errNotEKSToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(enc)
	if err != nil {
		return nil, fmt.Errorf("EKS token is not unpadded base64url: %w", err)
	}
	u, err := url.Parse(string(raw))
	if err != nil {
		return nil, fmt.Errorf("EKS token does not hold a URL: %w", err)
	}
	return u, nil
}

// checkOrigin accepts https STS hosts and the emulator's exact origin: a
// token must never make the authenticator call an arbitrary server.
func (p tokenParser) checkOrigin(u *url.URL) error {
	aws := u.Scheme == "https" && stsHostPattern.MatchString(u.Hostname()) && (u.Port() == "" || u.Port() == "443")
	emulated := p.emulator != nil && u.Scheme == p.emulator.Scheme && u.Host == p.emulator.Host
	if !aws && !emulated {
		return fmt.Errorf("the token's URL %s://%s is not STS (want https://sts.REGION.amazonaws.com or %s)", u.Scheme, u.Host, p.emulator)
	}
	if u.Path != "/" {
		return fmt.Errorf("the token's URL path is %q, want /", u.Path)
	}
	return nil
}

// stsQuery returns the query with lower-case keys, refusing unknown or
// repeated parameters and any action but GetCallerIdentity.
func stsQuery(u *url.URL) (map[string]string, error) {
	q := map[string]string{}
	for k, vs := range u.Query() {
		lk := strings.ToLower(k)
		if !stsQueryParams[lk] {
			return nil, fmt.Errorf("the token's URL has parameter %q, which a GetCallerIdentity URL never carries", k)
		}
		if _, dup := q[lk]; dup || len(vs) != 1 {
			return nil, fmt.Errorf("the token's URL repeats parameter %q", k)
		}
		q[lk] = vs[0]
	}
	if q["action"] != "GetCallerIdentity" {
		return nil, fmt.Errorf("the token's URL calls %q, want GetCallerIdentity", q["action"])
	}
	return q, nil
}

// checkSignedAt enforces EKS's window from X-Amz-Date.
func checkSignedAt(date string, now time.Time) (time.Time, error) {
	if date == "" {
		return time.Time{}, errors.New("the token's URL has no X-Amz-Date")
	}
	signedAt, err := time.Parse(amzDateFormat, date)
	if err != nil {
		return time.Time{}, fmt.Errorf("the token's X-Amz-Date %q is not %s", date, amzDateFormat)
	}
	if now.After(signedAt.Add(tokenWindow)) {
		return time.Time{}, fmt.Errorf("the token expired: signed at %s, EKS accepts tokens for %s; make a new one",
			signedAt.Format(time.RFC3339), tokenWindow)
	}
	if signedAt.After(now.Add(clockSkew)) {
		return time.Time{}, fmt.Errorf("the token was signed at %s, in the future: check the clock", signedAt.Format(time.RFC3339))
	}
	return signedAt, nil
}

func containsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}
