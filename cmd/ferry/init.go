package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/spf13/cobra"
	"k8s.io/client-go/kubernetes"

	"github.com/ferry-dev/ferry/engine/cluster"
	"github.com/ferry-dev/ferry/engine/plan"
)

type initOptions struct {
	kubeconfig                   string
	source, target               string // kube contexts
	sourceProfile, targetProfile string // AWS profiles; "" leaves the account to fill in
	environment                  string
	output                       string
	force                        bool
	noAWS                        bool // leave the old account's resources for the reader to list
}

// initDeps are init's connections to the outside, replaced in tests.
type initDeps struct {
	kube       func(kubeconfig, context string) (kubernetes.Interface, error)
	whoami     func(ctx context.Context, profile string) (awsIdentity, error)
	awsClients func(ctx context.Context, profile string) (plan.AWSClients, error)
	stderr     io.Writer // progress of the slow part, listing the old account
}

// awsIdentity is what a profile resolves to.
type awsIdentity struct{ account, region string }

func newInitCmd() *cobra.Command {
	o := initOptions{}
	cmd := &cobra.Command{
		Use:   "init --source CTX --target CTX",
		Short: "Write a starter plan (ferry.yaml) from what the two clusters show",
		Long: `Write a commented starter plan from both clusters: the source namespaces that hold
Deployments or StatefulSets, each side's default storage and ingress class, node pool labels
(KOPS instance groups, EKS node groups) and the source's image registries. With
--source-profile and --target-profile it also asks AWS (STS GetCallerIdentity) for each
account id and reads each profile's region.

With --source-profile it lists the old account's resources for the plan's resources section
(SQS queues, DynamoDB tables, S3 buckets, IAM roles, RDS instances, Route 53 zones, Secrets
Manager secrets, SSM parameters; read-only list calls) and looks for each in the source
workloads of the namespaces (env values, args, ConfigMaps, kube2iam and IRSA annotations).
Resources a workload uses are listed, each with who uses it; the rest are commented out. A kind
the profile may not list is noted in the plan with the error and skipped. Bucket names are
global, so no bucket can keep its name: the plan proposes mapping.names rules to fill in.
--no-aws skips all of this.

It writes nothing over an existing file unless --force is given, then checks the plan it
wrote and lists anything left to fill in.`,
		Example: `  ferry init --source kops --target eks --source-profile ferry-old --target-profile ferry-new
  ferry init --source old-prod --target new-prod --environment production -o production.yaml
  ferry init --source kops --target eks --source-profile ferry-old --no-aws   # resources by hand`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runInit(cmd.Context(), cmd.OutOrStdout(), o,
				initDeps{kube: kubeClient, whoami: stsWhoami, awsClients: oldAccountClients, stderr: cmd.ErrOrStderr()})
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.kubeconfig, "kubeconfig", "", "kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)")
	f.StringVar(&o.source, "source", "", "kube context of the cluster to migrate from (required)")
	f.StringVar(&o.target, "target", "", "kube context of the cluster to migrate to (required)")
	f.StringVar(&o.sourceProfile, "source-profile", "", "AWS profile of the source account, to look up its id and region and list its resources")
	f.StringVar(&o.targetProfile, "target-profile", "", "AWS profile of the target account, to look up its id and region")
	f.StringVar(&o.environment, "environment", "staging", "name of the environment the plan migrates (one plan per environment)")
	f.StringVarP(&o.output, "output", "o", plan.DefaultFile, "file to write")
	f.BoolVar(&o.force, "force", false, "overwrite the file if it exists")
	f.BoolVar(&o.noAWS, "no-aws", false, "do not list the old account's resources; the plan's resources section is left to fill in")
	_ = cmd.MarkFlagRequired("source")
	_ = cmd.MarkFlagRequired("target")
	return cmd
}

func runInit(ctx context.Context, out io.Writer, o initOptions, deps initDeps) error {
	if o.source == o.target {
		return fmt.Errorf("--source and --target are both %q; name the two clusters' contexts (kubectl config get-contexts lists them)", o.source)
	}
	if _, err := os.Stat(o.output); err == nil && !o.force {
		return fmt.Errorf("%s exists; pass --force to overwrite it, or -o to write another file", o.output)
	}
	s, err := gather(ctx, o, deps)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := plan.RenderStarter(&b, s); err != nil {
		return fmt.Errorf("render the starter plan: %w", err)
	}
	if err := writePlan(o.output, b.Bytes(), o.force); err != nil {
		return err
	}
	_, perr := plan.Parse(o.output, b.Bytes())
	return nextSteps(out, o, s, perr)
}

// gather asks both clusters and, when profiles are given, both accounts.
func gather(ctx context.Context, o initOptions, deps initDeps) (plan.Starter, error) {
	s := plan.Starter{Environment: o.environment,
		Source: plan.StarterSide{Context: o.source}, Target: plan.StarterSide{Context: o.target}}
	src, err := deps.kube(o.kubeconfig, o.source)
	if err != nil {
		return s, err
	}
	dst, err := deps.kube(o.kubeconfig, o.target)
	if err != nil {
		return s, err
	}
	if s.Found, err = plan.Discover(ctx, src, dst); err != nil {
		return s, fmt.Errorf("discover %s -> %s: %w (check the contexts with kubectl --context %s get ns)", o.source, o.target, err, o.source)
	}
	for _, side := range []struct {
		profile string
		into    *plan.StarterSide
	}{{o.sourceProfile, &s.Source}, {o.targetProfile, &s.Target}} {
		if side.profile == "" {
			continue
		}
		id, err := deps.whoami(ctx, side.profile)
		if err != nil {
			return s, err
		}
		side.into.Profile, side.into.Region, side.into.Account = side.profile, id.region, id.account
	}
	s.AWS, err = oldResources(ctx, o, deps, src, s)
	return s, err
}

// oldResources lists the old account's resources through the source
// profile and marks those the source workloads use. A kind the profile
// cannot list does not fail init: the plan notes it.
func oldResources(ctx context.Context, o initOptions, deps initDeps, src kubernetes.Interface, s plan.Starter) (plan.AWSFound, error) {
	switch {
	case o.noAWS:
		return plan.AWSFound{Skipped: "ferry init ran with --no-aws and did not read the old account"}, nil
	case o.sourceProfile == "":
		return plan.AWSFound{Skipped: "ferry init had no --source-profile to read the old account with"}, nil
	case s.Source.Region == "":
		return plan.AWSFound{Skipped: "the source profile " + o.sourceProfile + " names no region, so ferry init did not read the old account"}, nil
	}
	clients, err := deps.awsClients(ctx, o.sourceProfile)
	if err != nil {
		return plan.AWSFound{}, err
	}
	stderr := deps.stderr
	if stderr == nil {
		stderr = io.Discard
	}
	found, err := plan.DiscoverAWS(ctx, clients, func(what string) {
		fmt.Fprintf(stderr, "listing the old account's %s…\n", what)
	})
	if err != nil {
		return found, fmt.Errorf("list the old account's resources: %w", err)
	}
	found.Account, found.Region = s.Source.Account, s.Source.Region
	fmt.Fprintf(stderr, "looking for them in the workloads of %s…\n", strings.Join(s.Found.Namespaces, ", "))
	if err := plan.MarkReferences(ctx, src, s.Found.Namespaces, &found); err != nil {
		return found, fmt.Errorf("%s: %w (check access with kubectl --context %s get configmaps,serviceaccounts -A, or pass --no-aws)", o.source, err, o.source)
	}
	return found, nil
}

// writePlan creates the file, refusing to replace one unless forced; the
// exclusive create closes the gap between the Stat check and the write.
func writePlan(path string, data []byte, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	f, err := os.OpenFile(path, flags, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s exists; pass --force to overwrite it, or -o to write another file", path)
	}
	if err != nil {
		return fmt.Errorf("write plan: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write plan %s: %w", path, err)
	}
	return f.Close()
}

// nextSteps says what was written and what to do now: fill in what
// validation asks for, then read the plan and start using it.
func nextSteps(out io.Writer, o initOptions, s plan.Starter, perr error) error {
	nss := strings.Join(s.Found.Namespaces, ", ")
	if nss == "" {
		nss = "none found"
	}
	fmt.Fprintf(out, "Wrote %s: environment %s, %s -> %s, namespaces: %s.\n", o.output, o.environment, o.source, o.target, nss)
	if line := resourcesLine(s.AWS); line != "" {
		fmt.Fprintln(out, line)
	}
	var es plan.Errors
	if errors.As(perr, &es) {
		fmt.Fprintf(out, "\nFill in before use (ferry checks the plan on every start):\n")
		for _, e := range es {
			fmt.Fprintf(out, "  %s\n", e)
		}
	} else if perr != nil {
		return fmt.Errorf("check the written plan: %w", perr)
	}
	planFlag := ""
	if o.output != plan.DefaultFile {
		planFlag = " --plan " + o.output
	}
	fmt.Fprintf(out, "\nNext:\n"+
		"  1. Read %s top to bottom; each section says what to check (the mapping above all).\n"+
		"  2. ferry status%s    # every service side by side\n", o.output, planFlag)
	return nil
}

// resourcesLine sums up the plan's resources section, or is "" when init
// did not read the old account.
func resourcesLine(f plan.AWSFound) string {
	if f.Skipped != "" || len(f.Kinds) == 0 {
		return ""
	}
	used, unused := 0, 0
	var failed []string
	for _, k := range f.Kinds {
		if k.Err != nil {
			failed = append(failed, k.What)
		}
		for _, r := range k.Resources {
			if len(r.UsedBy) > 0 {
				used++
			} else {
				unused++
			}
		}
	}
	noun := "resources"
	if used == 1 {
		noun = "resource"
	}
	line := fmt.Sprintf("Old account: %d %s the workloads use listed under resources; %d more commented out.", used, noun, unused)
	if len(failed) > 0 {
		line += " Could not list the " + strings.Join(failed, ", ") + ": the plan says why."
	}
	return line
}

// kubeClient builds a clientset for a context the way every ferry command
// does (client-go's loading rules: KUBECONFIG, exec plugins).
func kubeClient(kubeconfig, context string) (kubernetes.Interface, error) {
	rc, err := cluster.KubeconfigREST(kubeconfig, context)
	if err != nil {
		return nil, err
	}
	return kubernetes.NewForConfig(rc)
}

// oldAccountClients builds the old account's listing clients from a profile.
func oldAccountClients(ctx context.Context, profile string) (plan.AWSClients, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(profile))
	if err != nil {
		return plan.AWSClients{}, fmt.Errorf("AWS profile %s: %w (aws configure list-profiles lists them)", profile, err)
	}
	return plan.NewAWSClients(cfg), nil
}

// stsWhoami resolves a shared-config profile to its account id and region.
func stsWhoami(ctx context.Context, profile string) (awsIdentity, error) {
	cfg, err := config.LoadDefaultConfig(ctx, config.WithSharedConfigProfile(profile))
	if err != nil {
		return awsIdentity{}, fmt.Errorf("AWS profile %s: %w (aws configure list-profiles lists them)", profile, err)
	}
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return awsIdentity{}, fmt.Errorf("AWS profile %s: who am I: %w (try aws sts get-caller-identity --profile %s)", profile, err, profile)
	}
	return awsIdentity{account: aws.ToString(id.Account), region: cfg.Region}, nil
}
