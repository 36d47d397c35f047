package sandbox

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func TestWriteStagesFillsPlaceholders(t *testing.T) {
	t.Parallel()
	for _, side := range Sides() {
		path := filepath.Join(t.TempDir(), "stages.yaml")
		if err := writeStages(path, side); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte("@NODE_INFO@")) || bytes.Contains(data, []byte("@ALLOCATABLE@")) {
			t.Fatalf("%s: placeholder left in stages", side.Name)
		}
		names := map[string]bool{}
		for _, doc := range strings.Split(string(data), "\n---\n") {
			var st struct {
				Kind     string `json:"kind"`
				Metadata struct {
					Name string `json:"name"`
				} `json:"metadata"`
			}
			if err := yaml.Unmarshal([]byte(doc), &st); err != nil {
				t.Fatalf("%s: stage does not parse: %v\n%s", side.Name, err, doc)
			}
			if st.Kind != "Stage" {
				t.Errorf("%s: kind %q, want Stage", side.Name, st.Kind)
			}
			names[st.Metadata.Name] = true
		}
		for _, want := range []string{"node-initialize", "node-heartbeat", "pod-create", "pod-ready", "pod-crashloop-crash", "pod-delete"} {
			if !names[want] {
				t.Errorf("%s: stage %s missing", side.Name, want)
			}
		}
	}
}

func TestHashTreeFollowsSources(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module x\n")
	write("main.go", "package main\n")
	a, err := hashTree(dir)
	if err != nil {
		t.Fatal(err)
	}
	write("main_test.go", "package main // tests do not change the binary\n")
	b, _ := hashTree(dir)
	write("main.go", "package main\n\nfunc main() {}\n")
	c, _ := hashTree(dir)
	if a != b {
		t.Error("a test file changed the hash")
	}
	if a == c {
		t.Error("an edited source kept the hash")
	}
}
