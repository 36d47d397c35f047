package main

import (
	"context"
	"fmt"
	"time"

	"github.com/ferry-dev/ferry/cmd/internal/cli"
	"github.com/ferry-dev/ferry/engine/cluster"
	"github.com/ferry-dev/ferry/engine/inventory"
	"github.com/ferry-dev/ferry/engine/plan"
)

// session is a plan with both sides connected and the inventory running.
type session struct {
	plan   *plan.Plan
	source *cluster.Side
	target *cluster.Side
	inv    *inventory.Inventory
	// cutover is the plan's cutover once the runbook is built; nil without.
	cutover *cutoverRig
}

// connectFlags are the flags every command that reads clusters takes.
type connectFlags struct {
	plan       string
	kubeconfig string
	timeout    time.Duration
}

// openSession loads the plan, connects both sides and starts the inventory;
// it returns once both sides have listed (or are known down). The inventory
// runs until ctx ends.
func openSession(ctx context.Context, f connectFlags) (*session, error) {
	p, err := plan.Open(f.plan)
	if err != nil {
		return nil, usageError{err}
	}
	s := &session{plan: p}
	if s.source, err = cluster.Connect(ctx, cli.SideConfig(p.Source, f.kubeconfig)); err != nil {
		return nil, err
	}
	if s.target, err = cluster.Connect(ctx, cli.SideConfig(p.Target, f.kubeconfig)); err != nil {
		return nil, err
	}
	s.inv = inventory.New(s.source.Kube, s.target.Kube, inventory.Config{
		SourceName: p.Source.Label, TargetName: p.Target.Label,
		Namespaces: p.Namespaces, Mapping: p.Mapping,
	})
	go func() { _ = s.inv.Run(ctx) }()
	wait, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	if err := s.inv.WaitSynced(wait); err != nil {
		return nil, fmt.Errorf("%w (is the cluster reachable? --timeout waits longer)", err)
	}
	return s, nil
}
