package iam

import (
	"net/url"
	"strings"
	"testing"
)

// TestSameDoc: documents that differ only in form (string or list, order
// of lists and statements, a lone statement) are the same; any change of
// meaning is not.
func TestSameDoc(t *testing.T) {
	t.Parallel()
	base := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*"},` +
		`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root"]},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"k":["b","a"]}}}]}`
	for _, tc := range []struct {
		name, other string
		same        bool
	}{
		{"reordered", `{"Statement":[{"Condition":{"StringEquals":{"k":["a","b","a"]}},"Action":["sts:AssumeRole"],"Principal":{"AWS":"arn:aws:iam::1:root"},"Effect":"Allow"},` +
			`{"Resource":["arn:aws:s3:::b/*"],"Action":["s3:PutObject","s3:GetObject"],"Effect":"Allow"}],"Version":"2012-10-17"}`, true},
		{"spaces", "{\n  \"Version\": \"2012-10-17\", \"Statement\": [ {\"Effect\":\"Allow\",\"Action\":[\"s3:GetObject\",\"s3:PutObject\"],\"Resource\":\"arn:aws:s3:::b/*\"}," +
			`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::1:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"k":["a","b"]}}}]}`, true},
		{"other resource", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::c/*"},` +
			`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root"]},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"k":["b","a"]}}}]}`, false},
		{"condition value", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*"},` +
			`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root"]},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"k":"a"}}}]}`, false},
		{"deny", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::b/*"},` +
			`{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::1:root"]},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"k":["b","a"]}}}]}`, false},
		{"empty", ``, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := sameDoc(base, tc.other); got != tc.same {
				t.Errorf("sameDoc = %v, want %v", got, tc.same)
			}
		})
	}
	lone := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"a:b","Resource":"*"}}`
	if !sameDoc(lone, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["a:b"],"Resource":["*"]}]}`) {
		t.Error("a lone statement differs from a list of one")
	}
}

// TestDecodeDoc: IAM's URL-encoded documents and raw ones both decode; a
// document that is neither is an error.
func TestDecodeDoc(t *testing.T) {
	t.Parallel()
	doc := `{"Statement":[{"Condition":{"StringLike":{"s3:prefix":"a b+c%"}}}]}`
	for _, in := range []string{doc, url.PathEscape(doc), strings.ReplaceAll(url.PathEscape(doc), "+", "%2B")} {
		got, err := decodeDoc(in)
		if err != nil || got != doc {
			t.Errorf("decodeDoc(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := decodeDoc("%7Bnot json"); err == nil {
		t.Error("decodeDoc accepted a document that is not JSON")
	}
}
