package sandbox

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
)

// webControlPath reads and changes a web endpoint's settings
// (ferry-sandboxd's WebControlPath).
const webControlPath = "/ferry-sandbox/web"

// WebSettings are how a side's public orders-api endpoint misbehaves. The
// endpoint (ferry-sandboxd web) stands in for what the internet reaches of
// each cluster: GET /healthz, GET /orders and POST /orders, every answer
// with an X-Served-By header naming the cluster (kops or eks).
type WebSettings struct {
	// PostRedirect answers POST /orders with 301 to the same path on https,
	// the classic ingress missing X-Forwarded-Proto. The eks side starts
	// with it on, the kops side with it off.
	PostRedirect bool `json:"postRedirect"`
	// Fail5xx answers 500 to every request.
	Fail5xx bool `json:"fail5xx"`
	// LatencyMs delays every answer (0 to 60000).
	LatencyMs int `json:"latencyMs"`
}

// webEndpoint is a side's public orders-api endpoint. Its settings live in
// the state dir, so a restart keeps what a test set.
func (s *Sandbox) webEndpoint(side Side) proc {
	which := "old"
	if side.Role == "target" {
		which = "new"
	}
	port := s.cfg.Ports(side).Web
	return proc{
		Name: side.Name + "/web", Bin: s.tools["ferry-sandboxd"], Dir: s.cfg.Dir, Port: port,
		Args: []string{"web", "--listen=" + Host + ":" + strconv.Itoa(port), "--side=" + which,
			"--data=" + filepath.Join(s.cfg.Dir, "web", side.Name)},
	}
}

// startWeb starts both sides' web endpoints and waits until they answer.
func (s *Sandbox) startWeb(ctx context.Context, w io.Writer) error {
	for _, side := range Sides() {
		if err := s.ensureRunning(w, s.webEndpoint(side)); err != nil {
			return err
		}
	}
	for _, side := range Sides() {
		// The control path answers even when the settings fail everything else.
		if err := waitHTTP(ctx, s.webEndpoint(side), s.cfg.WebURL(side)+webControlPath, nil, 30*time.Second); err != nil {
			return err
		}
	}
	return nil
}

// WebURL is the base URL of a side's public orders-api endpoint.
func (c Config) WebURL(side Side) string {
	return fmt.Sprintf("http://%s:%d", Host, c.Ports(side).Web)
}

// Web reads a side's web endpoint settings.
func (c Config) Web(ctx context.Context, side Side) (WebSettings, error) {
	var s WebSettings
	err := control(ctx, http.MethodGet, c.WebURL(side)+webControlPath, nil, &s)
	if err != nil {
		return s, fmt.Errorf("read %s web settings: %w", side.Name, err)
	}
	return s, nil
}

// SetWeb replaces a side's web endpoint settings; they last until the next
// SetWeb, restarts included. Tests that change them restore them.
func (c Config) SetWeb(ctx context.Context, side Side, s WebSettings) error {
	if err := control(ctx, http.MethodPost, c.WebURL(side)+webControlPath, s, nil); err != nil {
		return fmt.Errorf("set %s web settings: %w", side.Name, err)
	}
	return nil
}

// control sends in (when not nil) as JSON to a ferry-sandboxd control path
// and decodes the answer into out (when not nil).
func control(ctx context.Context, method, url string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return fmt.Errorf("%w; is the sandbox up (ferry sandbox up)?", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: %s: %s", method, url, resp.Status, bytes.TrimSpace(data))
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// SetLogErrors makes the sandbox's log writer emit share (0 to 1) of the
// matching pods' lines at error level, rate lines a second, by annotating
// the running pods (LogErrorsAnnotation, LogRateAnnotation): the writer
// picks the change up within a second, without restarting the pods. It is
// how a test makes, say, the eks orders-api's logs spike with errors for an
// error-rate gate. Pods created later log as their template says; calling
// it again with the template's values undoes it.
func SetLogErrors(ctx context.Context, cs kubernetes.Interface, namespace, selector string, share, rate float64) error {
	if share < 0 || share > 1 || rate <= 0 {
		return fmt.Errorf("log errors %v at %v lines/s: want a share from 0 to 1 and a positive rate", share, rate)
	}
	pods, err := cs.CoreV1().Pods(namespace).List(ctx, metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		return fmt.Errorf("list pods %s in %s: %w", selector, namespace, err)
	}
	if len(pods.Items) == 0 {
		return fmt.Errorf("no pods match %s in %s: check the selector and that the workload runs", selector, namespace)
	}
	patch, err := json.Marshal(map[string]any{"metadata": map[string]any{"annotations": map[string]string{
		LogErrorsAnnotation: strconv.FormatFloat(share, 'f', -1, 64),
		LogRateAnnotation:   strconv.FormatFloat(rate, 'f', -1, 64),
	}}})
	if err != nil {
		return err
	}
	for _, p := range pods.Items {
		if _, err := cs.CoreV1().Pods(namespace).Patch(ctx, p.Name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
			return fmt.Errorf("annotate pod %s/%s: %w", namespace, p.Name, err)
		}
	}
	return nil
}
