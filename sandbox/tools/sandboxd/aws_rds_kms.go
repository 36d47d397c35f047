package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
)

// The RDS front asks the account's KMS (kumo, through the proxy, in
// process) what a key is: its ARN, and whether AWS manages it. kumo has no
// AWS-managed keys, so a key whose alias is in the reserved alias/aws/
// namespace (the seed's alias/aws/rds, or the one the front creates on an
// account's first default-encrypted instance) counts as one, and the front
// makes DescribeKey say so (KeyManager AWS), as it does in AWS.

// defaultRDSKeyAlias is the AWS-managed key RDS encrypts with when told to
// encrypt without a key.
const defaultRDSKeyAlias = "alias/aws/rds"

// kmsError is KMS refusing a call the front made.
type kmsError struct{ code, msg string }

func (e *kmsError) Error() string { return e.code + ": " + e.msg }

type kmsKeyMetadata struct {
	KeyID string `json:"KeyId"`
	Arn   string `json:"Arn"`
}

// kms calls KMS action with in, decoding the answer into out.
func (s *rdsService) kms(c *rdsCall, action string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(c.ctx, http.MethodPost, "http://127.0.0.1/", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Target", "TrentService."+action)
	req.Header.Set("Authorization", fmt.Sprintf("AWS4-HMAC-SHA256 Credential=FERRYSANDBOX/20250101/%s/kms/aws4_request, SignedHeaders=host, Signature=0", s.region))
	rec := httptest.NewRecorder()
	c.next.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		var e struct {
			Type    string `json:"__type"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &e)
		if e.Type == "" {
			e.Type = fmt.Sprintf("HTTP %d", rec.Code)
		}
		return &kmsError{code: e.Type[strings.LastIndex(e.Type, "#")+1:], msg: e.Message}
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(rec.Body.Bytes(), out)
}

// keyAliases lists the alias names of each key id.
func (s *rdsService) keyAliases(c *rdsCall) (map[string][]string, error) {
	var out struct {
		Aliases []struct {
			AliasName   string `json:"AliasName"`
			TargetKeyID string `json:"TargetKeyId"`
		} `json:"Aliases"`
	}
	if err := s.kms(c, "ListAliases", map[string]any{"Limit": 1000}, &out); err != nil {
		return nil, err
	}
	byKey := map[string][]string{}
	for _, a := range out.Aliases {
		byKey[a.TargetKeyID] = append(byKey[a.TargetKeyID], a.AliasName)
	}
	return byKey, nil
}

func awsManaged(aliases []string) bool {
	for _, a := range aliases {
		if strings.HasPrefix(a, "alias/aws/") {
			return true
		}
	}
	return false
}

// resolveKey finds the key a KmsKeyId names (key id, key ARN, alias name
// or alias ARN) and says whether AWS manages it. A key the account cannot
// find is RDS's KMSKeyNotAccessibleFault.
// The account's AWS-managed aws/rds key is made on first use, as AWS
// does: a copy into a new account may name it before anything there used it.
func (s *rdsService) resolveKey(c *rdsCall, id string) (arn string, managed bool, e *rdsError) {
	if i := strings.Index(id, ":alias/"); strings.HasPrefix(id, "arn:") && i >= 0 {
		id = id[i+1:]
	}
	if id == defaultRDSKeyAlias {
		arn, e := s.defaultKey(c)
		return arn, true, e
	}
	return s.lookupKey(c, id)
}

// lookupKey is resolveKey for a key that must exist already.
func (s *rdsService) lookupKey(c *rdsCall, id string) (arn string, managed bool, e *rdsError) {
	var out struct {
		KeyMetadata kmsKeyMetadata `json:"KeyMetadata"`
	}
	if err := s.kms(c, "DescribeKey", map[string]string{"KeyId": id}, &out); err != nil {
		return "", false, rdsFault(codeKMSKey, "KMS key %s is not accessible in account %s: %v", id, s.account, err)
	}
	aliases, err := s.keyAliases(c)
	if err != nil {
		return "", false, rdsInternal("list KMS aliases: %v", err)
	}
	return out.KeyMetadata.Arn, awsManaged(aliases[out.KeyMetadata.KeyID]), nil
}

// storageKey is the ARN of the key that encrypts new storage: the key
// KmsKeyId names, the account's AWS-managed RDS key without one, none when
// the storage is not encrypted.
func (s *rdsService) storageKey(c *rdsCall, encrypted bool, keyArg string) (string, *rdsError) {
	switch {
	case keyArg != "" && !encrypted:
		return "", rdsFault(codeInvalidCombination, "KmsKeyId requires StorageEncrypted")
	case keyArg != "":
		arn, _, e := s.resolveKey(c, keyArg)
		return arn, e
	case encrypted:
		return s.defaultKey(c)
	}
	return "", nil
}

// defaultKey is the account's AWS-managed RDS key, created on first use as
// AWS does.
func (s *rdsService) defaultKey(c *rdsCall) (string, *rdsError) {
	s.keyMu.Lock()
	defer s.keyMu.Unlock()
	arn, _, e := s.lookupKey(c, defaultRDSKeyAlias)
	if e == nil {
		return arn, nil
	}
	var key struct {
		KeyMetadata kmsKeyMetadata `json:"KeyMetadata"`
	}
	if err := s.kms(c, "CreateKey", map[string]string{"Description": "Default key that protects my RDS database volumes when no other key is defined"}, &key); err != nil {
		return "", rdsInternal("create the default RDS key: %v", err)
	}
	if err := s.kms(c, "CreateAlias", map[string]string{"AliasName": defaultRDSKeyAlias, "TargetKeyId": key.KeyMetadata.KeyID}, nil); err != nil {
		return "", rdsInternal("alias the default RDS key: %v", err)
	}
	return key.KeyMetadata.Arn, nil
}

// describeKey answers KMS DescribeKey as kumo does, with KeyManager AWS for
// a key in the reserved alias namespace.
func (s *rdsService) describeKey(w http.ResponseWriter, r *http.Request, next http.Handler) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	body := rec.Body.Bytes()
	if rec.Code == http.StatusOK {
		var out map[string]map[string]any
		if err := json.Unmarshal(body, &out); err == nil && out["KeyMetadata"] != nil {
			keyID, _ := out["KeyMetadata"]["KeyId"].(string)
			aliases, err := s.keyAliases(&rdsCall{ctx: r.Context(), next: next})
			if err == nil && awsManaged(aliases[keyID]) {
				out["KeyMetadata"]["KeyManager"] = "AWS"
				if b, err := json.Marshal(out); err == nil {
					body = b
				}
			}
		}
	}
	maps.Copy(w.Header(), rec.Header())
	replaceBody(w.Header(), body, false)
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}
