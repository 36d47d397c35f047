package rewrite

import (
	"encoding/json"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestNoSecretValueInAnyOutput puts the seeded password everywhere a Secret
// can hold it — data, stringData, the last-applied annotation kubectl
// writes, next to an old ARN — on both sides, runs every output of the
// package, and greps each for the value, plain and base64.
func TestNoSecretValueInAnyOutput(t *testing.T) {
	t.Parallel()
	withARN := `{"password":"` + secretValue + `","role":"arn:aws:iam::111111111111:role/orders"}`
	stringData := `
apiVersion: v1
kind: Secret
metadata: {name: orders-db-2, namespace: orders}
stringData: {password: "` + secretValue + `", url: "https://acme-legacy-invoices.s3.amazonaws.com/?p=` + secretValue + `"}
`
	source := objs(t, ordersAPI("111111111111", "3", "500m"), ordersSecret(b64(secretValue)), stringData)
	target := objs(t, ordersAPI("222222222222", "2", "250m"), ordersSecret(b64(withARN)), stringData)

	diffs, err := Diffs(scenarioMapping(), source, target, 0)
	if err != nil {
		t.Fatal(err)
	}
	outputs := map[string]any{
		"Drift":      Drift(scenarioMapping(), source, target),
		"References": References(scenarioMapping(), append(target, source...)),
		"Diffs":      diffs,
	}
	var rendered []string
	for _, o := range append(append([]*unstructured.Unstructured{}, source...), target...) {
		for _, u := range []*unstructured.Unstructured{o, Normalize(o), Normalize(ApplyToSource(scenarioMapping(), o))} {
			s, err := Render(u)
			if err != nil {
				t.Fatal(err)
			}
			rendered = append(rendered, s)
		}
	}
	outputs["Render"] = rendered

	forbidden := []string{secretValue, b64(secretValue), b64(withARN)}
	for name, out := range outputs {
		b, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		if len(b) < 100 {
			t.Errorf("%s output is nearly empty (%s): the check proves nothing", name, b)
		}
		for _, f := range forbidden {
			if strings.Contains(string(b), f) {
				t.Errorf("%s output contains the secret value %q", name, f)
			}
		}
	}
	refs, _ := json.Marshal(outputs["References"])
	if !strings.Contains(string(refs), "arn:aws:iam::111111111111:role/orders") {
		t.Errorf("the old ARN inside the Secret was not reported: %s", refs)
	}
}
