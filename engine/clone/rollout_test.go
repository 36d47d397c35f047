package clone

import (
	"strings"
	"testing"
)

func TestRolloutOf(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, obj string
		done      bool
	}{
		{"deployment complete", `{"kind":"Deployment","metadata":{"generation":2},"spec":{"replicas":2},
			"status":{"observedGeneration":2,"replicas":2,"updatedReplicas":2,"readyReplicas":2,"availableReplicas":2}}`, true},
		{"deployment old spec", `{"kind":"Deployment","metadata":{"generation":3},"spec":{"replicas":2},
			"status":{"observedGeneration":2,"replicas":2,"updatedReplicas":2,"readyReplicas":2,"availableReplicas":2}}`, false},
		{"deployment old pod left", `{"kind":"Deployment","metadata":{"generation":2},"spec":{"replicas":2},
			"status":{"observedGeneration":2,"replicas":3,"updatedReplicas":2,"readyReplicas":2,"availableReplicas":2}}`, false},
		{"replicas default to 1", `{"kind":"Deployment","metadata":{"generation":1},"spec":{},
			"status":{"observedGeneration":1,"replicas":1,"updatedReplicas":1,"readyReplicas":1,"availableReplicas":1}}`, true},
		{"statefulset revision behind", `{"kind":"StatefulSet","metadata":{"generation":2},"spec":{"replicas":1},
			"status":{"observedGeneration":2,"replicas":1,"updatedReplicas":1,"readyReplicas":1,"availableReplicas":1,
			"currentRevision":"ledger-a","updateRevision":"ledger-b"}}`, false},
		{"statefulset complete", `{"kind":"StatefulSet","metadata":{"generation":2},"spec":{"replicas":1},
			"status":{"observedGeneration":2,"replicas":1,"updatedReplicas":1,"readyReplicas":1,"availableReplicas":1,
			"currentRevision":"ledger-b","updateRevision":"ledger-b"}}`, true},
		{"daemonset not ready", `{"kind":"DaemonSet","metadata":{"generation":1},
			"status":{"observedGeneration":1,"desiredNumberScheduled":3,"updatedNumberScheduled":3,"numberReady":2,"numberAvailable":2}}`, false},
		{"no status yet", `{"kind":"Deployment","metadata":{"generation":1},"spec":{"replicas":1}}`, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := rolloutOf(obj(t, c.obj))
			if r.done != c.done || !strings.Contains(r.evidence, "generation") {
				t.Errorf("done = %v (%s), want %v", r.done, r.evidence, c.done)
			}
		})
	}
}

func TestStripServerFields(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, out string
	}{
		{"metadata and status", `{"kind":"ConfigMap","metadata":{"name":"a","uid":"u","resourceVersion":"9","generation":2,
			"creationTimestamp":"2026-01-01T00:00:00Z","managedFields":[{}],"ownerReferences":[{}],
			"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}","keep":"me"}},"status":{"x":1}}`,
			`{"kind":"ConfigMap","metadata":{"annotations":{"keep":"me"},"name":"a"}}`},
		{"allocated service fields", `{"kind":"Service","metadata":{"name":"a"},"spec":{"type":"NodePort","clusterIP":"10.0.0.1",
			"clusterIPs":["10.0.0.1"],"ipFamilies":["IPv4"],"ipFamilyPolicy":"SingleStack","ports":[{"port":80,"nodePort":30080}]}}`,
			`{"kind":"Service","metadata":{"name":"a"},"spec":{"ports":[{"port":80}],"type":"NodePort"}}`},
		{"headless kept", `{"kind":"Service","metadata":{"name":"a"},"spec":{"clusterIP":"None","clusterIPs":["None"]}}`,
			`{"kind":"Service","metadata":{"name":"a"},"spec":{"clusterIP":"None","clusterIPs":["None"]}}`},
		{"template timestamp, token secrets", `{"kind":"ServiceAccount","metadata":{"name":"a"},"secrets":[{"name":"a-token"}]}`,
			`{"kind":"ServiceAccount","metadata":{"name":"a"}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := strip(obj(t, c.in)).MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			if strings.TrimSpace(string(got)) != c.out {
				t.Errorf("strip =\n%s\nwant\n%s", got, c.out)
			}
		})
	}
}

func TestRedactorMasksPlainAndBase64(t *testing.T) {
	t.Parallel()
	r := newRedactor(sourceObjects(t))
	in := "value " + seeded + " or czNjcjN0LTByZGVycy1QYTU1IQ== but not ConfigMap"
	got := r.text(in)
	assertNoSecret(t, "masked text", got)
	if strings.Count(got, masked) != 2 || !strings.Contains(got, "ConfigMap") {
		t.Errorf("text = %q", got)
	}
}
