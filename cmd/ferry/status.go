package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/ferry-dev/ferry/engine/inventory"
)

type statusOptions struct {
	kubeconfig     string
	source, target string
	namespaces     []string
	output         string
}

func newStatusCmd() *cobra.Command {
	o := statusOptions{}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "List services side by side on the source and the target cluster",
		Long: `List every Deployment and StatefulSet of the namespaces on both clusters, paired
by namespace/name: ready/desired replicas and image tag per side, and a state word
(only on source, only on target, in sync, differs, not ready).

This is the plain first cut; the plan file, drift and old-account references come
with the inventory.`,
		Example: `  eval "$(ferry sandbox env)"; ferry status
  ferry status --source kops --target eks -n payments -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runStatus(cmd, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)")
	f.StringVar(&o.source, "source", "kops", "kube context of the source cluster")
	f.StringVar(&o.target, "target", "eks", "kube context of the target cluster")
	f.StringSliceVarP(&o.namespaces, "namespace", "n", []string{"payments", "orders", "platform"}, "namespaces to list (repeat or comma-separate)")
	f.StringVarP(&o.output, "output", "o", "text", "output format: text or json")
	return cmd
}

func runStatus(cmd *cobra.Command, o statusOptions) error {
	if o.output != "text" && o.output != "json" {
		return fmt.Errorf("--output %q: want text or json", o.output)
	}
	src, err := clientFor(o.kubeconfig, o.source)
	if err != nil {
		return err
	}
	dst, err := clientFor(o.kubeconfig, o.target)
	if err != nil {
		return err
	}
	pairs, err := inventory.List(cmd.Context(), src, dst, o.namespaces)
	if err != nil {
		return err
	}
	if o.output == "json" {
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		return enc.Encode(pairs)
	}
	return printPairs(cmd.OutOrStdout(), pairs, o.source, o.target)
}

// clientFor builds a clientset for a context, honouring KUBECONFIG and exec
// plugins through client-go's loading rules.
func clientFor(kubeconfig, context string) (kubernetes.Interface, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kubeconfig != "" {
		rules.ExplicitPath = kubeconfig
	}
	cc := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: context})
	rc, err := cc.ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kube context %q: %w (for the sandbox: eval \"$(ferry sandbox env)\")", context, err)
	}
	return kubernetes.NewForConfig(rc)
}

func printPairs(w io.Writer, pairs []inventory.Pair, source, target string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "NAMESPACE\tSERVICE\t%s READY\t%s TAG\t%s READY\t%s TAG\tSTATE\n",
		strings.ToUpper(source), strings.ToUpper(source), strings.ToUpper(target), strings.ToUpper(target))
	for _, p := range pairs {
		sr, st := side(p.Source)
		tr, tt := side(p.Target)
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.Namespace, p.Name, sr, st, tr, tt, stateWord(p, source, target))
	}
	return tw.Flush()
}

func side(w *inventory.Workload) (ready, tag string) {
	if w == nil {
		return "-", "-"
	}
	var tags []string
	for _, img := range w.Images {
		tags = append(tags, inventory.Tag(img))
	}
	return fmt.Sprintf("%d/%d", w.Ready, w.Desired), strings.Join(tags, ",")
}

func stateWord(p inventory.Pair, source, target string) string {
	switch {
	case p.Target == nil:
		return "only on " + source
	case p.Source == nil:
		return "only on " + target
	case p.Target.Ready < p.Target.Desired:
		return "not ready on " + target
	case p.Source.Ready < p.Source.Desired:
		return "not ready on " + source
	}
	_, st := side(p.Source)
	_, tt := side(p.Target)
	if st != tt || p.Source.Desired != p.Target.Desired {
		return "differs"
	}
	return "in sync"
}
