package runbook

import (
	"fmt"
	"slices"
	"strings"
)

// Order returns steps in dependency order: every step after the steps it
// depends on, otherwise in the order given. It fails on a duplicate ID, a
// dependency that is not among steps, or a cycle, naming the IDs.
func Order(steps []Step) ([]Step, error) {
	index, err := indexSteps(steps)
	if err != nil {
		return nil, err
	}
	const (
		unseen = iota
		visiting
		done
	)
	mark := make([]int, len(steps))
	out := make([]Step, 0, len(steps))
	var path []string
	var visit func(i int) error
	visit = func(i int) error {
		switch mark[i] {
		case done:
			return nil
		case visiting:
			start := slices.Index(path, steps[i].ID())
			return fmt.Errorf("dependency cycle: %s -> %s; remove one of these dependencies from the plan",
				strings.Join(path[start:], " -> "), steps[i].ID())
		}
		mark[i] = visiting
		path = append(path, steps[i].ID())
		for _, d := range steps[i].Deps() {
			j, ok := index[d]
			if !ok {
				return fmt.Errorf("step %s depends on %s, which is not in the runbook; fix the dependency or add that step to the plan", steps[i].ID(), d)
			}
			if err := visit(j); err != nil {
				return err
			}
		}
		path = path[:len(path)-1]
		mark[i] = done
		out = append(out, steps[i])
		return nil
	}
	for i := range steps {
		if err := visit(i); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func indexSteps(steps []Step) (map[string]int, error) {
	index := make(map[string]int, len(steps))
	for i, s := range steps {
		if s.ID() == "" {
			return nil, fmt.Errorf("step %d (%s) has an empty ID; every step needs a stable unique ID", i, s.Title())
		}
		if j, dup := index[s.ID()]; dup {
			return nil, fmt.Errorf("step ID %s is used twice (%q and %q); step IDs must be unique", s.ID(), steps[j].Title(), s.Title())
		}
		index[s.ID()] = i
	}
	return index, nil
}

// Filter selects the steps for one namespace, or one service in it:
// steps scoped to it, steps scoped to the whole namespace (shared objects)
// when a service is asked for, runbook-wide steps (preflight), and every
// step those depend on, so the result orders without missing dependencies.
// An empty namespace selects everything. Input order is kept.
func Filter(steps []Step, namespace, service string) []Step {
	if namespace == "" {
		return slices.Clone(steps)
	}
	byID := make(map[string]Step, len(steps))
	for _, s := range steps {
		byID[s.ID()] = s
	}
	keep := map[string]bool{}
	var add func(s Step)
	add = func(s Step) {
		if keep[s.ID()] {
			return
		}
		keep[s.ID()] = true
		for _, d := range s.Deps() {
			if dep, ok := byID[d]; ok {
				add(dep)
			}
		}
	}
	for _, s := range steps {
		ns, svc := s.Scope()
		if ns == "" || ns == namespace && (service == "" || svc == "" || svc == service) {
			add(s)
		}
	}
	var out []Step
	for _, s := range steps {
		if keep[s.ID()] {
			out = append(out, s)
		}
	}
	return out
}
