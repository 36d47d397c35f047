package tui

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/ferry-dev/ferry/engine/inventory"
)

// awsDep is an AWS resource a service's objects name, and where.
type awsDep struct {
	source  bool   // found on the source side
	service string // dynamodb, sqs, s3, iam, ...
	locator string // the ARN, queue URL or bucket name
	where   string // "StatefulSet ledger env LEDGER_TABLE_ARN"
}

var (
	arnRe   = regexp.MustCompile(`arn:aws[a-z-]*:([a-z0-9-]+):[a-z0-9-]*:[0-9]*:[^\s"',]+`)
	queueRe = regexp.MustCompile(`https://sqs\.[a-z0-9-]+\.amazonaws\.com/[0-9]{12}/[A-Za-z0-9_.-]+`)
	s3Re    = regexp.MustCompile(`s3://([a-z0-9.-]+)`)
)

// awsDeps finds the AWS resources a service depends on in what carries
// them: container env values, ConfigMap data and the IAM role annotations
// (kube2iam on the pod template, IRSA on the ServiceAccount). Secrets are
// never read here, so nothing of theirs can reach the screen.
func awsDeps(source, target []*unstructured.Unstructured) []awsDep {
	var deps []awsDep
	for i, side := range [][]*unstructured.Unstructured{source, target} {
		for _, o := range side {
			where := o.GetKind() + " " + o.GetName()
			for _, f := range scanFields(o) {
				deps = append(deps, scanValue(i == 0, where+" "+f.path, f)...)
			}
		}
	}
	return deps
}

// field is a value awsDeps reads; role marks an IAM role annotation,
// whose value may be a bare role name.
type field struct {
	path, key, value string
	role             bool
}

func scanFields(o *unstructured.Unstructured) []field {
	var fields []field
	switch o.GetKind() {
	case "ConfigMap":
		data, _, _ := unstructured.NestedStringMap(o.Object, "data")
		for _, k := range sortedKeys(data) {
			fields = append(fields, field{path: "data." + k, key: k, value: data[k]})
		}
	case "ServiceAccount":
		if v := o.GetAnnotations()["eks.amazonaws.com/role-arn"]; v != "" {
			fields = append(fields, field{path: "IRSA role", value: v, role: true})
		}
	case "Deployment", "StatefulSet", "DaemonSet":
		ann, _, _ := unstructured.NestedStringMap(o.Object, "spec", "template", "metadata", "annotations")
		if v := ann["iam.amazonaws.com/role"]; v != "" {
			fields = append(fields, field{path: "kube2iam role", value: v, role: true})
		}
		env := containerEnv(o)
		for _, k := range env.keys {
			// Only literal values that are shown anyway: a masked one
			// is a credential, not a locator.
			if v := env.values[k]; v.raw == v.show {
				fields = append(fields, field{path: "env " + k.name + " (" + k.container + ")", key: k.name, value: v.raw})
			}
		}
	}
	return fields
}

func scanValue(source bool, where string, f field) []awsDep {
	v := f.value
	var deps []awsDep
	add := func(service, locator string) {
		deps = append(deps, awsDep{source: source, service: service, locator: locator, where: where})
	}
	for _, m := range arnRe.FindAllStringSubmatch(v, -1) {
		add(m[1], m[0])
	}
	for _, m := range queueRe.FindAllString(v, -1) {
		add("sqs", m)
	}
	for _, m := range s3Re.FindAllStringSubmatch(v, -1) {
		add("s3", m[1])
	}
	if strings.HasSuffix(strings.ToUpper(f.key), "BUCKET") && !strings.ContainsAny(v, ":/ ") && v != "" {
		add("s3", v)
	}
	if f.role && !strings.HasPrefix(v, "arn:") {
		add("iam", "role "+v)
	}
	return deps
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// awsLines renders the old-account references left on the target, then
// each side's AWS dependencies, each entry on two lines so the locator and
// the place it was found both survive an 80-column terminal.
func awsLines(p inventory.Pair, deps []awsDep, src, dst string, st *styles) []string {
	lines := []string{st.bold.Render(fmt.Sprintf("Old-account references on %s (%d)", dst, len(p.References)))}
	if len(p.References) == 0 {
		lines = append(lines, st.dim.Render("  none: nothing on "+dst+" points at the old account"))
	}
	for _, r := range p.References {
		lines = append(lines,
			st.bad.Render("! ")+clean(r.Kind+" "+r.Name+"  "+r.Path),
			"    "+clean(r.Why+": "+r.Match))
	}
	for _, source := range []bool{true, false} {
		label := map[bool]string{true: src, false: dst}[source]
		var mine []awsDep
		for _, d := range deps {
			if d.source == source {
				mine = append(mine, d)
			}
		}
		lines = append(lines, "", st.side(source).Render(label)+st.bold.Render(fmt.Sprintf(" AWS dependencies (%d)", len(mine))))
		if len(mine) == 0 {
			lines = append(lines, st.dim.Render("  none found in env, ConfigMaps or role annotations"))
		}
		for _, d := range mine {
			lines = append(lines, "  "+padRight(d.service, 9)+" "+clean(d.locator), "  "+strings.Repeat(" ", 10)+st.dim.Render(clean(d.where)))
		}
	}
	return lines
}

// eventLines renders each side's recent warning events and stuck
// containers, newest first, the message wrapped under its heading.
func eventLines(p inventory.Pair, src, dst string, now time.Time, width int, st *styles) []string {
	var lines []string
	for i, w := range []*inventory.Workload{p.Source, p.Target} {
		source := i == 0
		label := map[bool]string{true: src, false: dst}[source]
		if len(lines) > 0 {
			lines = append(lines, "")
		}
		if w == nil {
			lines = append(lines, st.side(source).Render(label)+st.dim.Render(" does not run this service"))
			continue
		}
		lines = append(lines, st.side(source).Render(label)+st.bold.Render(fmt.Sprintf(" warnings (%d)", len(w.Warnings))))
		if len(w.Waiting) > 0 {
			lines = append(lines, st.bad.Render("  containers waiting: "+clean(strings.Join(w.Waiting, ", "))))
		}
		if len(w.Warnings) == 0 {
			lines = append(lines, st.dim.Render("  none in the last hour"))
		}
		events := append([]inventory.Event(nil), w.Warnings...)
		sort.SliceStable(events, func(a, b int) bool { return events[a].Last.After(events[b].Last) })
		for _, e := range events {
			head := fmt.Sprintf("  %-8s %s ×%d  %s", age(now, e.Last), clean(e.Reason), e.Count, clean(e.Object))
			lines = append(lines, st.warn.Render(head))
			wrapped := ansi.Wrap(clean(e.Message), max(10, width-6), " ")
			for _, l := range strings.Split(wrapped, "\n") {
				lines = append(lines, "      "+l)
			}
		}
	}
	return lines
}

// age is how long ago t was, in the largest unit that fits.
func age(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case t.IsZero():
		return "?"
	case d < time.Minute:
		return fmt.Sprintf("%ds ago", max(0, int(d.Seconds())))
	case d < time.Hour:
		return fmt.Sprintf("%dm ago", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh ago", int(d.Hours()))
	}
	return fmt.Sprintf("%dd ago", int(d.Hours()/24))
}
