package main

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"

	"github.com/ferry-dev/ferry/cmd/internal/logscli"
)

// version is set by the Makefile (-X main.version=...); a plain `go build`
// falls back to the module's build info.
var version = ""

func versionString() string {
	v := version
	info, ok := debug.ReadBuildInfo()
	if v == "" && ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	if v == "" {
		v = "dev"
	}
	if ok {
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				v += " (" + s.Value[:12] + ")"
			}
		}
		v += " " + info.GoVersion
	}
	return v
}

func newRootCmd() *cobra.Command {
	co := cockpitOptions{}
	root := &cobra.Command{
		Use:   "ferry",
		Short: "A terminal cockpit for migrating services between Kubernetes clusters",
		Long: `ferry puts a whole cluster migration in one place — above all KOPS in an old AWS
account to EKS in a new one: every service side by side on both clusters, their
logs from both at once, and a runbook of cloning and cutover steps walked one at a
time (preview, confirm, apply, verify, roll back) with an audit journal.

Without a subcommand ferry opens the cockpit on the plan (--plan, else
$FERRY_PLAN, else ./ferry.yaml): services side by side, enter for a service's
diff, env and old-account references, l for its logs from both clusters,
? for every key. Diagnostics go to --log-file, never to the screen.

Try it on the local sandbox (two real clusters, two emulated AWS accounts):

  make demo                     # builds the sandbox once, starts it, opens the cockpit
  eval "$(ferry sandbox env)"   # point kubectl, the AWS CLI and ferry at it
  ferry                         # the cockpit
  ferry status                  # services side by side on kops and eks, as a table
  ferry logs checkout-api       # its logs from both clusters, merged by time`,
		Args:          cobra.NoArgs,
		RunE:          func(cmd *cobra.Command, _ []string) error { return runCockpit(cmd, co) },
		Version:       versionString(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	addCockpitFlags(root, &co)
	root.SetVersionTemplate(fmt.Sprintf("ferry %s\n", versionString()))
	root.AddCommand(newSandboxCmd(), newStatusCmd(), newDiffCmd(), newInitCmd(), logscli.NewCommand(logscli.Options{SoftMemoryLimit: 48 << 20}),
		newPlanCmd(), newJournalCmd(), newProbeCmd(), newCutoverCmd(), newRollbackCmd())
	root.AddCommand(newRunCmds()...)
	return root
}
