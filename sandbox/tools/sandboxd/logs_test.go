package main

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	fakediscovery "k8s.io/client-go/discovery/fake"
	"k8s.io/client-go/kubernetes/fake"
)

func TestLogsFlags(t *testing.T) {
	t.Parallel()
	f, err := parseLogsFlags([]string{"--kubeconfig", "kc", "--context", "eks", "--dir", "rel/logs", "--seed", "7", "--rate-scale", "20"})
	if err != nil {
		t.Fatal(err)
	}
	if f.kubeconfig != "kc" || f.context != "eks" || f.cfg.seed != 7 || f.cfg.rateScale != 20 ||
		!filepath.IsAbs(f.cfg.dir) || f.cfg.grace != 30*time.Second || f.cfg.log == nil {
		t.Fatalf("parsed %+v", f)
	}
	for _, args := range [][]string{
		{"--context", "eks", "--dir", "d"},
		{"--kubeconfig", "kc", "--context", "eks", "--dir", "d", "--rate-scale", "-1"},
		{"--kubeconfig", "kc", "--context", "eks", "--dir", "d", "extra"},
	} {
		if _, err := parseLogsFlags(args); err == nil {
			t.Errorf("parseLogsFlags(%q) accepted", args)
		}
	}
}

func TestLogsWaitForCRD(t *testing.T) {
	t.Parallel()
	disc := fake.NewSimpleClientset().Discovery().(*fakediscovery.FakeDiscovery)
	log := slog.New(slog.DiscardHandler)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := waitForLogsCRD(ctx, disc, log); err == nil {
		t.Fatal("returned without the Logs resource being served")
	}
	disc.Resources = []*metav1.APIResourceList{{
		GroupVersion: "kwok.x-k8s.io/v1alpha1",
		APIResources: []metav1.APIResource{{Name: "logs", Namespaced: true, Kind: "Logs"}},
	}}
	if err := waitForLogsCRD(context.Background(), disc, log); err != nil {
		t.Fatal(err)
	}
}
