package runbook

import (
	"strings"
	"testing"
)

func ids(steps []Step) string {
	var s []string
	for _, st := range steps {
		s = append(s, st.ID())
	}
	return strings.Join(s, " ")
}

func scoped(id, ns, svc string, deps ...string) *fakeStep {
	f := newFake(id, deps...)
	f.ns, f.svc = ns, svc
	return f
}

func TestOrder(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		steps []Step
		want  string // ids, or an error substring after "err:"
	}{
		{"already ordered", []Step{newFake("a"), newFake("b", "a")}, "a b"},
		{"dependency first", []Step{newFake("c", "b"), newFake("b", "a"), newFake("a"), newFake("d")}, "a b c d"},
		{"diamond keeps input order", []Step{newFake("pre"), newFake("x", "pre"), newFake("y", "pre"), newFake("z", "y", "x")}, "pre x y z"},
		{"missing dependency", []Step{newFake("a", "ghost")}, "err:step a depends on ghost, which is not in the runbook"},
		{"cycle", []Step{newFake("a", "c"), newFake("b", "a"), newFake("c", "b")}, "err:dependency cycle: a -> c -> b -> a"},
		{"self cycle", []Step{newFake("a", "a")}, "err:dependency cycle: a -> a"},
		{"duplicate", []Step{newFake("a"), newFake("a")}, "err:step ID a is used twice"},
		{"empty id", []Step{newFake("")}, "err:empty ID"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := Order(c.steps)
			if want, ok := strings.CutPrefix(c.want, "err:"); ok {
				if err == nil || !strings.Contains(err.Error(), want) {
					t.Fatalf("err = %v, want it to contain %q", err, want)
				}
				return
			}
			if err != nil || ids(got) != c.want {
				t.Fatalf("Order = %q, %v; want %q", ids(got), err, c.want)
			}
		})
	}
}

func TestFilter(t *testing.T) {
	t.Parallel()
	steps := []Step{
		scoped("preflight", "", ""),
		scoped("ns/payments", "payments", "", "preflight"),
		scoped("clone/payments/ledger", "payments", "ledger", "ns/payments", "aws/ledger-table"),
		scoped("clone/payments/api", "payments", "api", "ns/payments"),
		scoped("aws/ledger-table", "aws", "ledger-table", "preflight"),
		scoped("ns/shop", "shop", ""),
		scoped("clone/shop/cart", "shop", "cart", "ns/shop"),
	}
	cases := []struct{ ns, svc, want string }{
		{"", "", "preflight ns/payments clone/payments/ledger clone/payments/api aws/ledger-table ns/shop clone/shop/cart"},
		{"payments", "", "preflight ns/payments clone/payments/ledger clone/payments/api aws/ledger-table"},
		{"payments", "ledger", "preflight ns/payments clone/payments/ledger aws/ledger-table"},
		{"payments", "api", "preflight ns/payments clone/payments/api"},
		{"shop", "cart", "preflight ns/shop clone/shop/cart"},
		{"nowhere", "", "preflight"},
	}
	for _, c := range cases {
		got := Filter(steps, c.ns, c.svc)
		if ids(got) != c.want {
			t.Errorf("Filter(%q, %q) = %q, want %q", c.ns, c.svc, ids(got), c.want)
		}
		if _, err := Order(got); err != nil {
			t.Errorf("Filter(%q, %q) does not order: %v", c.ns, c.svc, err)
		}
	}
}
