package main

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	authnv1 "k8s.io/api/authentication/v1"
)

// identity is what STS's GetCallerIdentity says about a token's signer.
type identity struct {
	Arn     string `xml:"GetCallerIdentityResult>Arn"`
	Account string `xml:"GetCallerIdentityResult>Account"`
	UserID  string `xml:"GetCallerIdentityResult>UserId"`
}

// mapping is the Kubernetes user an AWS principal becomes: an EKS access
// entry, or a mapRoles/mapUsers line of the aws-auth ConfigMap.
type mapping struct {
	user   string
	groups []string
}

// reviewer answers the apiserver's TokenReviews for one EKS cluster.
type reviewer struct {
	parser  tokenParser
	sts     *url.URL // where GetCallerIdentity calls go
	cluster string   // the x-k8s-aws-id a token must have signed
	account string   // the only account whose principals may sign in
	maps    map[string]mapping
	client  *http.Client
	now     func() time.Time
	log     *slog.Logger
}

// ServeHTTP takes a TokenReview (authentication.k8s.io v1 or v1beta1, the
// same shape) and answers it with its status filled in.
func (rv *reviewer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "POST a TokenReview", http.StatusMethodNotAllowed)
		return
	}
	var tr authnv1.TokenReview
	if err := json.NewDecoder(io.LimitReader(r.Body, 1<<20)).Decode(&tr); err != nil {
		http.Error(w, "decode TokenReview: "+err.Error(), http.StatusBadRequest)
		return
	}
	if tr.APIVersion == "" {
		tr.APIVersion, tr.Kind = authnv1.SchemeGroupVersion.String(), "TokenReview"
	}
	tr.Status = rv.review(r.Context(), tr.Spec.Token)
	tr.Spec = authnv1.TokenReviewSpec{} // never echo the token
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(&tr)
}

// review authenticates a token; a refusal carries its reason, which the
// apiserver logs.
func (rv *reviewer) review(ctx context.Context, token string) authnv1.TokenReviewStatus {
	user, err := rv.authenticate(ctx, token)
	if err != nil {
		if !errors.Is(err, errNotEKSToken) {
			rv.log.Info("refused", "reason", err)
		}
		return authnv1.TokenReviewStatus{Error: err.Error()}
	}
	rv.log.Info("authenticated", "user", user.Username, "groups", user.Groups, "arn", user.Extra["arn"])
	return authnv1.TokenReviewStatus{Authenticated: true, User: user}
}

// authenticate checks the token, asks STS who signed it and maps that
// principal to a Kubernetes user.
func (rv *reviewer) authenticate(ctx context.Context, token string) (authnv1.UserInfo, error) {
	tok, err := rv.parser.parse(token, rv.now())
	if err != nil {
		return authnv1.UserInfo{}, err
	}
	id, err := rv.callerIdentity(ctx, tok.url)
	if err != nil {
		return authnv1.UserInfo{}, err
	}
	if id.Account != rv.account {
		return authnv1.UserInfo{}, fmt.Errorf("%s is in account %s; cluster %s trusts account %s only", id.Arn, id.Account, rv.cluster, rv.account)
	}
	canonical, err := canonicalARN(id.Arn)
	if err != nil {
		return authnv1.UserInfo{}, err
	}
	m, ok := rv.maps[canonical]
	if !ok {
		return authnv1.UserInfo{}, fmt.Errorf("%s has no access to cluster %s: map it to a user (an access entry)", canonical, rv.cluster)
	}
	return authnv1.UserInfo{
		Username: m.user,
		UID:      "aws-iam-authenticator:" + id.Account + ":" + id.UserID,
		Groups:   m.groups,
		Extra: map[string]authnv1.ExtraValue{
			"arn": {id.Arn}, "canonicalArn": {canonical}, "accessKeyId": {tok.accessKeyID}, "principalId": {id.UserID},
		},
	}, nil
}

// callerIdentity makes the call the token's URL was signed for, at the
// STS endpoint, with the cluster header the signature must cover.
func (rv *reviewer) callerIdentity(ctx context.Context, signed *url.URL) (identity, error) {
	target := *signed
	target.Scheme, target.Host = rv.sts.Scheme, rv.sts.Host
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target.String(), nil)
	if err != nil {
		return identity{}, err
	}
	// The host is signed: it must stay the one the token was made for.
	req.Host = signed.Host
	req.Header.Set(clusterIDHeader, rv.cluster)
	resp, err := rv.client.Do(req)
	if err != nil {
		return identity{}, fmt.Errorf("call STS at %s: %w", rv.sts.Host, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return identity{}, fmt.Errorf("read STS answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return identity{}, stsRefusal(resp.StatusCode, body)
	}
	var id identity
	if err := xml.Unmarshal(body, &id); err != nil || id.Arn == "" || id.Account == "" {
		return identity{}, fmt.Errorf("STS answered GetCallerIdentity without an ARN and account: %.200s", body)
	}
	return id, nil
}

// stsRefusal turns STS's XML error into the reason a token was refused.
func stsRefusal(status int, body []byte) error {
	var e struct {
		Code    string `xml:"Error>Code"`
		Message string `xml:"Error>Message"`
	}
	if xml.Unmarshal(body, &e) != nil || e.Code == "" {
		return fmt.Errorf("STS answered %d: %.200s", status, body)
	}
	return fmt.Errorf("STS refused the token (%s: %s): it was signed for another cluster or with a key STS does not know", e.Code, e.Message)
}

// canonicalARN maps an assumed-role session to its role, as
// aws-iam-authenticator does, so one role mapping covers every session.
func canonicalARN(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6) // arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE
	if len(parts) != 6 || parts[0] != "arn" {
		return "", fmt.Errorf("STS answered a malformed ARN %q", arn)
	}
	rest, ok := strings.CutPrefix(parts[5], "assumed-role/")
	if parts[2] != "sts" || !ok {
		return arn, nil
	}
	role, _, found := strings.Cut(rest, "/")
	if !found || role == "" {
		return "", fmt.Errorf("STS answered a malformed assumed-role ARN %q", arn)
	}
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", parts[1], parts[4], role), nil
}
