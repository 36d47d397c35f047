package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// clusterKeySealer seals the undo store with a key kept as a Secret in the
// target cluster, next to the runbook's Lease: whoever may read the undo
// payloads (which hold Secrets a rollback restores) must be able to read
// Secrets there anyway. The key is made on the first seal, never by a
// read-only ferry.
type clusterKeySealer struct {
	kube      kubernetes.Interface
	namespace string
	name      string

	mu     sync.Mutex
	sealer runbook.Sealer
}

func newClusterKeySealer(kube kubernetes.Interface, environment string) *clusterKeySealer {
	name := "ferry-undo-key-" + strings.TrimPrefix(runbook.LeaseName(environment), "ferry-runbook-")
	return &clusterKeySealer{kube: kube, namespace: runbook.DefaultLockNamespace, name: name}
}

func (c *clusterKeySealer) Seal(plain []byte) ([]byte, error) {
	s, err := c.get(true)
	if err != nil {
		return nil, err
	}
	return s.Seal(plain)
}

func (c *clusterKeySealer) Open(sealed []byte) ([]byte, error) {
	s, err := c.get(false)
	if err != nil {
		return nil, err
	}
	return s.Open(sealed)
}

// get reads the key, making it first when create is set and there is none.
func (c *clusterKeySealer) get(create bool) (runbook.Sealer, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.sealer != nil {
		return c.sealer, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	secrets := c.kube.CoreV1().Secrets(c.namespace)
	sec, err := secrets.Get(ctx, c.name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) && create {
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		sec, err = secrets.Create(ctx, &corev1.Secret{
			ObjectMeta: metav1.ObjectMeta{Name: c.name, Labels: map[string]string{"app.kubernetes.io/managed-by": "ferry"}},
			Data:       map[string][]byte{"key": key},
		}, metav1.CreateOptions{})
		if apierrors.IsAlreadyExists(err) { // another ferry made it first
			sec, err = secrets.Get(ctx, c.name, metav1.GetOptions{})
		}
	}
	if err != nil {
		return nil, fmt.Errorf("undo key %s/%s in the target cluster: %w", c.namespace, c.name, err)
	}
	s, err := runbook.NewAESSealer(sec.Data["key"])
	if err != nil {
		return nil, fmt.Errorf("undo key %s/%s: %w", c.namespace, c.name, err)
	}
	c.sealer = s
	return s, nil
}
