package sandbox_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	r53types "github.com/aws/aws-sdk-go-v2/service/route53/types"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/ferry-dev/ferry/sandbox"
	"github.com/ferry-dev/ferry/sandbox/sandboxtest"
)

// noFollow sees a redirect instead of following it, as a method-preserving
// probe does.
var noFollow = &http.Client{Timeout: 10 * time.Second,
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

func webDo(t *testing.T, method, url string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, url, strings.NewReader(`{"sku":"A-1","qty":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// keepWeb restores a side's web settings when the test ends.
func keepWeb(t *testing.T, cfg sandbox.Config, side sandbox.Side) sandbox.WebSettings {
	t.Helper()
	before, err := cfg.Web(t.Context(), side)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := cfg.SetWeb(context.Background(), side, before); err != nil {
			t.Errorf("restore %s web settings: %v", side.Name, err)
		}
	})
	return before
}

// TestWebEndpointsCutover: both sides' public endpoints answer as their
// cluster; the eks side redirects POST /orders to https until SetWeb fixes
// it; fail5xx fails everything.
func TestWebEndpointsCutover(t *testing.T) {
	env := sandboxtest.Isolated(t)
	cfg := env.SB.Config()
	kops, eks := sandboxtest.Side(t, "kops"), sandboxtest.Side(t, "eks")
	keepWeb(t, cfg, kops)
	if before := keepWeb(t, cfg, eks); !before.PostRedirect {
		t.Errorf("eks web settings %+v: want the POST redirect bug on as seeded", before)
	}

	for _, side := range []sandbox.Side{kops, eks} {
		resp, body := webDo(t, "GET", cfg.WebURL(side)+"/orders")
		var list struct {
			Orders   []json.RawMessage `json:"orders"`
			ServedBy string            `json:"served_by"`
		}
		if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &list) != nil || list.ServedBy != side.Name ||
			len(list.Orders) == 0 || resp.Header.Get("X-Served-By") != side.Name {
			t.Errorf("GET %s/orders = %d %s (X-Served-By %q), want orders served by %s", side.Name, resp.StatusCode, body, resp.Header.Get("X-Served-By"), side.Name)
		}
		if resp, _ := webDo(t, "GET", cfg.WebURL(side)+"/healthz"); resp.StatusCode != 200 {
			t.Errorf("GET %s/healthz = %d", side.Name, resp.StatusCode)
		}
	}
	if resp, body := webDo(t, "POST", cfg.WebURL(kops)+"/orders"); resp.StatusCode != http.StatusCreated || !strings.Contains(body, `"status":"accepted"`) {
		t.Errorf("POST kops/orders = %d %s, want 201 accepted", resp.StatusCode, body)
	}
	resp, _ := webDo(t, "POST", cfg.WebURL(eks)+"/orders")
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusMovedPermanently || !strings.HasPrefix(loc, "https://") || !strings.HasSuffix(loc, "/orders") {
		t.Errorf("POST eks/orders = %d Location %q, want 301 to https://.../orders", resp.StatusCode, loc)
	}

	if err := cfg.SetWeb(t.Context(), eks, sandbox.WebSettings{}); err != nil {
		t.Fatal(err)
	}
	if resp, body := webDo(t, "POST", cfg.WebURL(eks)+"/orders"); resp.StatusCode != http.StatusCreated || !strings.Contains(body, `"id":"eks-`) {
		t.Errorf("POST eks/orders after the fix = %d %s, want 201 with an eks order id", resp.StatusCode, body)
	}

	if err := cfg.SetWeb(t.Context(), kops, sandbox.WebSettings{Fail5xx: true}); err != nil {
		t.Fatal(err)
	}
	if resp, _ := webDo(t, "GET", cfg.WebURL(kops)+"/orders"); resp.StatusCode != http.StatusInternalServerError || resp.Header.Get("X-Served-By") != "kops" {
		t.Errorf("GET kops/orders with fail5xx = %d, want 500 from kops", resp.StatusCode)
	}
	if s, err := cfg.Web(t.Context(), kops); err != nil || !s.Fail5xx {
		t.Errorf("Web(kops) = %+v, %v; want fail5xx on", s, err)
	}
}

// TestPublicZoneWeighted: the old account's public zone holds the seeded
// weighted record with its set identifier, and a second weighted record on
// the same name is stored beside it, not over it.
func TestPublicZoneWeighted(t *testing.T) {
	env := sandboxtest.Isolated(t)
	ctx := t.Context()
	rc := route53.NewFromConfig(env.AWS(t, "source"))
	zones, err := rc.ListHostedZonesByName(ctx, &route53.ListHostedZonesByNameInput{DNSName: aws.String("acme.example.")})
	if err != nil {
		t.Fatal(err)
	}
	if len(zones.HostedZones) == 0 || aws.ToString(zones.HostedZones[0].Name) != "acme.example." {
		t.Fatalf("no hosted zone acme.example. in the old account: %+v", zones.HostedZones)
	}
	zone := zones.HostedZones[0].Id
	shop := func() map[string]string {
		out, err := rc.ListResourceRecordSets(ctx, &route53.ListResourceRecordSetsInput{HostedZoneId: zone,
			StartRecordName: aws.String("shop.acme.example."), StartRecordType: r53types.RRTypeCname})
		if err != nil {
			t.Fatal(err)
		}
		sets := map[string]string{}
		for _, rs := range out.ResourceRecordSets {
			if aws.ToString(rs.Name) == "shop.acme.example." && rs.Type == r53types.RRTypeCname {
				sets[aws.ToString(rs.SetIdentifier)] = fmt.Sprintf("%s w=%d ttl=%d", aws.ToString(rs.ResourceRecords[0].Value), aws.ToInt64(rs.Weight), aws.ToInt64(rs.TTL))
			}
		}
		return sets
	}
	if got := shop(); len(got) != 1 || got["source"] != "kops-ingress.acme.example. w=100 ttl=60" {
		t.Fatalf("shop.acme.example. CNAME sets %v, want only source -> kops-ingress.acme.example., weight 100, TTL 60", got)
	}

	target := &r53types.ResourceRecordSet{Name: aws.String("shop.acme.example."), Type: r53types.RRTypeCname, TTL: aws.Int64(60),
		SetIdentifier: aws.String("target"), Weight: aws.Int64(0), ResourceRecords: []r53types.ResourceRecord{{Value: aws.String("eks-ingress.acme.example.")}}}
	change := func(ctx context.Context, action r53types.ChangeAction) error {
		_, err := rc.ChangeResourceRecordSets(ctx, &route53.ChangeResourceRecordSetsInput{HostedZoneId: zone,
			ChangeBatch: &r53types.ChangeBatch{Changes: []r53types.Change{{Action: action, ResourceRecordSet: target}}}})
		return err
	}
	if err := change(ctx, r53types.ChangeActionCreate); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := change(context.Background(), r53types.ChangeActionDelete); err != nil {
			t.Errorf("delete the target record: %v", err)
		}
	})
	if got := shop(); len(got) != 2 || got["source"] != "kops-ingress.acme.example. w=100 ttl=60" || got["target"] != "eks-ingress.acme.example. w=0 ttl=60" {
		t.Errorf("shop.acme.example. CNAME sets %v, want source and target side by side", got)
	}
}

// TestLogErrorsSpike: SetLogErrors turns the eks orders-api's logs
// error-heavy within seconds, read through the Kubernetes API as a gate
// reads them.
func TestLogErrorsSpike(t *testing.T) {
	env := sandboxtest.Isolated(t)
	cs := env.Kube(t, "eks")
	const ns, selector = "orders", "app=orders-api"
	if err := sandbox.SetLogErrors(t.Context(), cs, ns, selector, 1, 20); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { // the template's values (SCENARIO.md)
		if err := sandbox.SetLogErrors(context.Background(), cs, ns, selector, 0.02, 3); err != nil {
			t.Errorf("restore orders-api log annotations: %v", err)
		}
	})
	pods, err := cs.CoreV1().Pods(ns).List(t.Context(), metav1.ListOptions{LabelSelector: selector})
	if err != nil || len(pods.Items) == 0 {
		t.Fatalf("orders-api pods on eks: %v (%d)", err, len(pods.Items))
	}
	pod := pods.Items[0]
	tail := int64(20)
	var last string
	err = wait.PollUntilContextTimeout(t.Context(), 500*time.Millisecond, 20*time.Second, true, func(ctx context.Context) (bool, error) {
		raw, err := cs.CoreV1().Pods(ns).GetLogs(pod.Name, &corev1.PodLogOptions{Container: "orders-api", TailLines: &tail}).DoRaw(ctx)
		if err != nil {
			last = err.Error()
			return false, nil
		}
		last = string(raw)
		lines := strings.Split(strings.TrimSpace(last), "\n")
		return len(lines) == 20 && strings.Count(last, `"level":"error"`) == 20, nil
	})
	if err != nil {
		t.Fatalf("the last 20 lines of %s never all became errors; last read:\n%s", pod.Name, last)
	}
}
