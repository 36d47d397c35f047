package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ferry-dev/ferry/sandbox"
)

func newSandboxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the local demo sandbox: two real clusters and two emulated AWS accounts",
		Long: `The sandbox starts, on 127.0.0.1 only, two real Kubernetes control planes —
"kops" (source) and "eks" (target), each with etcd, kube-apiserver,
kube-controller-manager, kube-scheduler and KWOK for nodes, pods and container
logs — and two emulated AWS accounts (old 111111111111, new 222222222222), seeded
with a half-migrated estate (see sandbox/SCENARIO.md).

The binaries are built once from the Go module proxy into the cache dir
($FERRY_SANDBOX_CACHE, default ~/.cache/ferry/sandbox/bin). The first build is
long: 34 min measured on a busy 2-core machine (28 min of CPU; expect 15-20 min
on an idle one), mostly the kube-apiserver. After that, up takes about 23 s from
a fresh state dir and 11 s after a down; the sandbox uses about 1.4 GiB of memory.
State lives in $FERRY_SANDBOX_DIR (default ~/.cache/ferry/sandbox/run); ports
start at $FERRY_SANDBOX_PORT_BASE (default 17400, 50 ports).`,
	}
	cmd.AddCommand(newSandboxUpCmd(), newSandboxDownCmd(), newSandboxStatusCmd(), newSandboxEnvCmd())
	return cmd
}

func openSandbox() (*sandbox.Sandbox, error) {
	cfg, err := sandbox.DefaultConfig()
	if err != nil {
		return nil, err
	}
	return sandbox.Open(cfg), nil
}

func newSandboxUpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "up",
		Short: "Build what is missing, start what is not running, seed, wait until pods run",
		Long: `Start the sandbox. Idempotent: on a running sandbox it checks and returns.
A port already taken by another program is an error naming it; move the sandbox
with FERRY_SANDBOX_PORT_BASE.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sb, err := openSandbox()
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if err := sb.Up(cmd.Context(), out); err != nil {
				return fmt.Errorf("sandbox up: %w\n(see the logs under %s/logs; stop what started with: ferry sandbox down)", err, sb.Config().Dir)
			}
			printNextSteps(out)
			return nil
		},
	}
}

func printNextSteps(w io.Writer) {
	fmt.Fprint(w, `
Two clusters (contexts kops and eks) and two AWS accounts (profiles ferry-old and
ferry-new) are running on 127.0.0.1. Point your tools at them:

  eval "$(ferry sandbox env)"
  kubectl --context eks get pods -A
  aws --profile ferry-old sqs list-queues
  ferry status

Stop everything with: ferry sandbox down
`)
}

func newSandboxDownCmd() *cobra.Command {
	var purge bool
	cmd := &cobra.Command{
		Use:   "down",
		Short: "Stop every sandbox process (data is kept unless --purge)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sb, err := openSandbox()
			if err != nil {
				return err
			}
			if err := sb.Down(cmd.OutOrStdout(), purge); err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "sandbox down")
			return nil
		},
	}
	cmd.Flags().BoolVar(&purge, "purge", false, "also delete the sandbox's state dir (clusters, accounts, logs); built binaries stay")
	return cmd
}

func newSandboxStatusCmd() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show each sandbox process, its port and memory; exit 3 when not all run",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sb, err := openSandbox()
			if err != nil {
				return err
			}
			st := sb.Status()
			if err := printStatus(cmd.OutOrStdout(), st, output); err != nil {
				return err
			}
			if !st.Up() {
				return exitError{Code: 3}
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	return cmd
}

func printStatus(w io.Writer, st sandbox.Status, output string) error {
	switch output {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(st)
	case "text", "":
	default:
		return fmt.Errorf("--output %q: want text or json", output)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "PROCESS\tSTATE\tPID\tPORT\tRSS")
	for _, p := range st.Processes {
		state, pid, rss := "stopped", "-", "-"
		if p.Running {
			state, pid, rss = "running", fmt.Sprint(p.PID), mib(p.RSSKiB)
		}
		port := "-"
		if p.Port != 0 {
			port = fmt.Sprint(p.Port)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", p.Name, state, pid, port, rss)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(w, "%d of %d running, total RSS %s\n", st.Running, st.Total, mib(st.RSSKiB))
	return nil
}

func mib(kib int64) string { return fmt.Sprintf("%.0f MiB", float64(kib)/1024) }

func newSandboxEnvCmd() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "env",
		Short: "Print shell exports that point kubectl, the AWS CLI and ferry at the sandbox",
		Example: `  eval "$(ferry sandbox env)"
  ferry sandbox env -o json | jq -r '.[] | select(.name=="KUBECONFIG").value'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			sb, err := openSandbox()
			if err != nil {
				return err
			}
			env := sb.Env()
			switch output {
			case "json":
				return json.NewEncoder(cmd.OutOrStdout()).Encode(env)
			case "text", "":
				for _, e := range env {
					fmt.Fprintf(cmd.OutOrStdout(), "export %s=%s\n", e.Name, shellQuote(e.Value))
				}
				return nil
			}
			return fmt.Errorf("--output %q: want text or json", output)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text (shell exports) or json")
	return cmd
}

// shellQuote quotes a value for POSIX shells.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
