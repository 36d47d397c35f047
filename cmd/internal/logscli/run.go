package logscli

import (
	"context"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/ferry-dev/ferry/cmd/internal/cli"
	"github.com/ferry-dev/ferry/engine/cluster"
	"github.com/ferry-dev/ferry/engine/plan"
	"github.com/ferry-dev/ferry/logs"
)

// memPerExtraSide is what each cluster after the first adds to a drain's
// soft memory limit.
const memPerExtraSide = 8 << 20

// logsSide is one cluster to stream from, as the plan names it.
type logsSide struct {
	role       logs.Side
	plan       plan.Side
	namespaces []string // on this side, after the mapping
}

func runLogs(cmd *cobra.Command, o logsOptions, selector string) error {
	ctx := cmd.Context()
	// A log drain allocates fast and keeps little: collecting at 50 %
	// growth instead of 100 % keeps its footprint near what it holds, for
	// a few percent more CPU. GOGC, when set, still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(50)
	}
	p, err := plan.Open(o.plan)
	if err != nil {
		return err
	}
	sources, err := logsSources(ctx, o, p, selector, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	// What a drain holds is bounded (the ring and the merge window), so a
	// soft limit keeps the heap near it instead of letting garbage pile
	// up between collections. Each further cluster's streams hold their
	// own batches: 8 MiB more each (with both clusters under one cluster's
	// limit, a drain spent a third more CPU collecting). GOMEMLIMIT, when
	// set, still wins.
	if os.Getenv("GOMEMLIMIT") == "" && o.memLimit > 0 {
		debug.SetMemoryLimit(o.memLimit + int64(max(0, len(sources)-1))*memPerExtraSide)
	}
	cfg := logs.Config{
		Sources: sources, MaxStreams: o.maxStreams, Follow: !o.noFollow && !o.previous,
		BufferLines: o.buffer, ErrorPattern: o.errPattern, Lossless: true, Fields: o.output == "json",
	}
	if o.newOnTgt > 0 {
		cfg.Templates = logs.NewTemplateStats(logs.TemplateStatsOptions{Horizon: o.newOnTgt, WarnAndAbove: true})
	}
	tail, err := logs.Run(ctx, cfg)
	if err != nil {
		return err
	}
	o.multiNamespace = len(namespacesOf(sources)) > 1
	colors := map[string]string{p.Source.Label: string(p.Source.Color), p.Target.Label: string(p.Target.Color)}
	pr := newLinePrinter(cmd.OutOrStdout(), o, colors)
	pr.pad = padLabels([]string{p.Source.Label, p.Target.Label})
	if err := pump(ctx, tail, pr, o.window, cmd.ErrOrStderr()); err != nil {
		return err
	}
	st := tail.Stats()
	reportEnd(cmd.ErrOrStderr(), st)
	if len(st.Streams) == 0 && ctx.Err() == nil {
		fmt.Fprintf(cmd.ErrOrStderr(), "ferry logs: no containers match %q (namespaces, -l, -c and --container-state narrow it)\n", selector)
		return cli.Exit{Code: cli.ExitFindings}
	}
	if cfg.Templates != nil {
		printTargetOnly(cmd.ErrOrStderr(), cfg.Templates.Report(o.newOnTgt, time.Now()), p.Source.Label, p.Target.Label, o.newOnTgt)
	}
	return nil
}

// logsSources connects the sides --side asks for and builds each one's
// selector; a side that does not run the named service is left out with a
// note.
func logsSources(ctx context.Context, o logsOptions, p *plan.Plan, selector string, errw io.Writer) ([]logs.Source, error) {
	srcNS := o.namespaces
	if len(srcNS) == 0 {
		srcNS = p.Namespaces
	}
	var sides []logsSide
	if o.side != "target" {
		sides = append(sides, logsSide{role: logs.SideSource, plan: p.Source, namespaces: srcNS})
	}
	if o.side != "source" {
		sides = append(sides, logsSide{role: logs.SideTarget, plan: p.Target, namespaces: cli.MapNamespaces(p, srcNS)})
	}
	conns := make([]*cluster.Side, len(sides))
	for i, sd := range sides {
		c, err := cluster.Connect(ctx, cli.SideConfig(sd.plan, o.kubeconfig))
		if err != nil {
			return nil, err
		}
		conns[i] = c
	}
	sels := make([]logs.Selector, len(sides))
	found := make([]bool, len(sides))
	service := false // SELECTOR named a workload that some side runs
	for i, sd := range sides {
		sel, isWorkload, err := o.sideSelector(ctx, conns[i].Kube, sd.namespaces, selector)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", sd.plan.Label, err)
		}
		sels[i], found[i], service = sel, isWorkload, service || isWorkload
	}
	var out []logs.Source
	var missing []string
	for i, sd := range sides {
		if service && !found[i] {
			missing = append(missing, sd.plan.Label)
			continue
		}
		if !service && sels[i].PodRegex == nil {
			return nil, fmt.Errorf("%q is not a service in namespaces %s on %s; `ferry status` lists the services",
				selector, strings.Join(sd.namespaces, ", "), sd.plan.Label)
		}
		client, err := logsClient(conns[i], o.maxStreams)
		if err != nil {
			return nil, err
		}
		out = append(out, logs.Source{Label: sd.plan.Label, Role: sd.role, Client: client, Selector: sels[i]})
	}
	for _, m := range missing {
		fmt.Fprintf(errw, "ferry logs: %s does not run %s; streaming the other side only\n", m, selector)
	}
	return out, nil
}

// logsClient is the side's client for log streams. It has room for one
// request per stream: client-go's default 5 requests/s would queue the
// opening of 50 streams for 10 s behind its own rate limiter. And it
// speaks HTTP/1.1: over HTTP/2 every stream has a 4 MiB receive window
// that fills in ferry's memory whenever the output is slower than the
// cluster; on its own connection the kernel's socket buffer holds the
// backlog and TCP slows the sender.
func logsClient(side *cluster.Side, streams int) (kubernetes.Interface, error) {
	rc := rest.CopyConfig(side.REST)
	rc.QPS, rc.Burst = float32(max(streams, 5)), max(2*streams, 10)
	rc.NextProtos = []string{"http/1.1"}
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", side.Config.Name, err)
	}
	return cs, nil
}

func namespacesOf(sources []logs.Source) map[string]bool {
	ns := map[string]bool{}
	for _, s := range sources {
		for _, n := range s.Selector.Namespaces {
			ns[n] = true
		}
	}
	return ns
}

// dnsName is what a workload name looks like; anything else is a regex.
var dnsName = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`)

// sideSelector builds one side's selector from SELECTOR. isWorkload says
// it names a workload this side runs; otherwise the selector is a pod regex
// (PodRegex set) or, for NAMESPACE/NAME and KIND/NAME, nothing on this side.
func (o logsOptions) sideSelector(ctx context.Context, cs kubernetes.Interface, namespaces []string, selector string) (sel logs.Selector, isWorkload bool, err error) {
	sel = logs.Selector{
		Namespaces: namespaces, LabelSelector: o.labelSel, ContainerRegex: o.containerRe,
		Init: o.initC, Ephemeral: o.ephemeral, States: o.states, Previous: o.previous, Since: o.since,
	}
	if o.tail >= 0 {
		sel.Tail = o.tail
		if o.tail == 0 { // 0 lines of history: start from now
			sel.Since = time.Nanosecond
		}
	}
	kind, name, hasSlash := strings.Cut(selector, "/")
	if hasSlash {
		if owner, perr := logs.ParseOwner(selector); perr == nil {
			return withOwner(ctx, cs, sel, owner.Kind, owner.Name)
		}
		if !dnsName.MatchString(kind) || !dnsName.MatchString(name) {
			return sel, false, fmt.Errorf("SELECTOR %q: want NAME, NAMESPACE/NAME, KIND/NAME or a pod regex without '/'", selector)
		}
		sel.Namespaces = []string{kind} // NAMESPACE/NAME
		return withOwner(ctx, cs, sel, "", name)
	}
	if dnsName.MatchString(selector) {
		if sel, isWorkload, err = withOwner(ctx, cs, sel, "", selector); err != nil || isWorkload {
			return sel, isWorkload, err
		}
	}
	re, err := regexp.Compile(selector)
	if err != nil {
		return sel, false, fmt.Errorf("SELECTOR %q is not a service and not a valid regex: %w", selector, err)
	}
	sel.PodRegex = re
	return sel, false, nil
}

// withOwner selects a workload's pods; found is false when the workload is
// in none of the namespaces. An empty kind takes the Deployment,
// StatefulSet or DaemonSet called name, whichever there is.
func withOwner(ctx context.Context, cs kubernetes.Interface, sel logs.Selector, kind, name string) (logs.Selector, bool, error) {
	if kind == "" || len(sel.Namespaces) != 1 {
		ns, k, err := findWorkload(ctx, cs, sel.Namespaces, name)
		if err != nil || k == "" {
			return sel, false, err
		}
		sel.Namespaces = []string{ns}
		if kind == "" {
			kind = k
		}
	}
	sel.Owner = &logs.Owner{Kind: kind, Name: name}
	return sel, true, nil
}

// findWorkload looks for a Deployment, StatefulSet or DaemonSet named name
// in the namespaces and returns the first hit's namespace and kind; kind is
// "" when there is none.
func findWorkload(ctx context.Context, cs kubernetes.Interface, namespaces []string, name string) (string, string, error) {
	apps := cs.AppsV1()
	for _, ns := range namespaces {
		checks := []struct {
			kind string
			get  func() error
		}{
			{"deployment", func() error { _, e := apps.Deployments(ns).Get(ctx, name, metav1.GetOptions{}); return e }},
			{"statefulset", func() error { _, e := apps.StatefulSets(ns).Get(ctx, name, metav1.GetOptions{}); return e }},
			{"daemonset", func() error { _, e := apps.DaemonSets(ns).Get(ctx, name, metav1.GetOptions{}); return e }},
		}
		for _, c := range checks {
			err := c.get()
			if err == nil {
				return ns, c.kind, nil
			}
			if !apierrors.IsNotFound(err) {
				return "", "", fmt.Errorf("look up %s %s/%s: %w", c.kind, ns, name, err)
			}
		}
	}
	return "", "", nil
}
