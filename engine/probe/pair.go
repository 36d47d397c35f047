package probe

import (
	"context"
	"fmt"
	"sync"

	"github.com/ferry-dev/ferry/engine/runbook"
)

// PairResult is one endpoint asked of both sides, and how the answers
// compare.
type PairResult struct {
	Source Result `json:"source"`
	Target Result `json:"target"`
	// Comparisons are made only when both sides answered, and beyond the
	// status only when the statuses agree: comparing a 404 page's fields
	// with a 200's would bury the one finding that matters.
	Comparisons []Comparison `json:"comparisons,omitempty"`
	// OK is true when both sides passed and every comparison held.
	OK bool `json:"ok"`
}

// Comparison is one thing compared between the sides. Passing ones are
// kept too: they are the evidence that it was compared.
type Comparison struct {
	// What is "status", "latency", "body" or "json PATH".
	What     string `json:"what"`
	OK       bool   `json:"ok"`
	Evidence string `json:"evidence"`
}

// Pair asks both sides the endpoint at the same time and compares the
// answers.
func (p *Prober) Pair(ctx context.Context, ep Endpoint, source, target Side) PairResult {
	var pr PairResult
	var wg sync.WaitGroup
	wg.Go(func() { pr.Source = p.Probe(ctx, ep, source) })
	wg.Go(func() { pr.Target = p.Probe(ctx, ep, target) })
	wg.Wait()
	pr.Comparisons = p.compare(ep, pr.Source, pr.Target)
	pr.OK = pr.Source.OK && pr.Target.OK
	for _, c := range pr.Comparisons {
		pr.OK = pr.OK && c.OK
	}
	return pr
}

func (p *Prober) compare(ep Endpoint, s, t Result) []Comparison {
	if s.Status == 0 || t.Status == 0 {
		return nil
	}
	status := Comparison{What: "status", OK: s.Status == t.Status,
		Evidence: fmt.Sprintf("%s answered %s, %s answered %s", s.Side, s.StatusText, t.Side, t.StatusText)}
	if !status.OK {
		return []Comparison{status}
	}
	out := []Comparison{status, p.compareLatency(s, t)}
	for _, path := range ep.CompareJSON {
		out = append(out, compareField(path, s, t))
	}
	if ep.CompareBody {
		out = append(out, compareBody(s, t))
	}
	return out
}

// compareLatency fails when the target is slower than the source by both
// the factor and the floor.
func (p *Prober) compareLatency(s, t Result) Comparison {
	factor, floor := p.SlowFactor, p.SlowFloor
	if factor <= 0 {
		factor = DefaultSlowFactor
	}
	if floor <= 0 {
		floor = DefaultSlowFloor
	}
	slow := float64(t.Latency) > factor*float64(s.Latency) && t.Latency-s.Latency > floor
	verdict := "within"
	if slow {
		verdict = "beyond"
	}
	return Comparison{What: "latency", OK: !slow,
		Evidence: fmt.Sprintf("%s took %s, %s took %s: %s the limit of %gx and +%s",
			t.Side, round(t.Latency), s.Side, round(s.Latency), verdict, factor, floor)}
}

func compareField(path string, s, t Result) Comparison {
	c := Comparison{What: "json " + path}
	sv, sok := fieldValue(path, s)
	tv, tok := fieldValue(path, t)
	c.OK = sok && tok && sv == tv
	switch {
	case c.OK:
		c.Evidence = fmt.Sprintf("%s is %s on both sides", path, clip(sv))
	case sok && tok:
		c.Evidence = fmt.Sprintf("%s differs: %s has %s, %s has %s", path, s.Side, clip(sv), t.Side, clip(tv))
	default:
		c.Evidence = fmt.Sprintf("%s cannot be compared: %s has %s, %s has %s", path, s.Side, sv, t.Side, tv)
	}
	return c
}

// fieldValue is a side's value at path, or why it has none.
func fieldValue(path string, r Result) (string, bool) {
	if r.FieldsError != "" {
		return "no value (" + r.FieldsError + ")", false
	}
	v, ok := r.Fields[path]
	if !ok {
		return "no such field", false
	}
	return v, true
}

func compareBody(s, t Result) Comparison {
	c := Comparison{What: "body", OK: s.BodySHA256 == t.BodySHA256}
	verdict := "differ"
	if c.OK {
		verdict = "are equal"
	}
	c.Evidence = fmt.Sprintf("bodies %s: %s sha256 %s (%d bytes), %s sha256 %s (%d bytes)",
		verdict, s.Side, short(s.BodySHA256), s.BodyBytes, t.Side, short(t.BodySHA256), t.BodyBytes)
	if s.Truncated || t.Truncated {
		c.Evidence += "; only the first bytes up to the body cap were compared"
	}
	return c
}

// Check is r as a Verify check or cutover gate: "probe NAME on SIDE".
func (r Result) Check() runbook.Check {
	c := runbook.Check{Name: fmt.Sprintf("probe %s on %s", r.Endpoint, r.Side), OK: r.OK, Evidence: r.Evidence}
	if !r.OK && r.Failure != r.Evidence {
		c.Evidence = r.Failure + " | " + r.Evidence
	}
	return c
}

// Checks are one check per side, then one per comparison
// ("probe NAME: json order.status on kops and eks").
func (pr PairResult) Checks() []runbook.Check {
	out := []runbook.Check{pr.Source.Check(), pr.Target.Check()}
	for _, c := range pr.Comparisons {
		out = append(out, runbook.Check{
			Name:     fmt.Sprintf("probe %s: %s on %s and %s", pr.Source.Endpoint, c.What, pr.Source.Side, pr.Target.Side),
			OK:       c.OK,
			Evidence: c.Evidence,
		})
	}
	return out
}
