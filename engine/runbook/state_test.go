package runbook

import (
	"slices"
	"strings"
	"testing"
)

// j builds a journal for step "s": each token is action:outcome[@run],
// "undo@run:file" for an undo reference, and "check:ok|fail" turns the
// preceding verify ok record's checks to that.
func j(tokens ...string) []Record {
	var out []Record
	for _, tok := range tokens {
		run := "dead"
		if i := strings.IndexByte(tok, '@'); i >= 0 {
			tok, run = tok[:i], tok[i+1:]
		}
		a, o, _ := strings.Cut(tok, ":")
		r := Record{Step: "s", Action: Action(a), Outcome: Outcome(o), Run: run}
		switch {
		case a == "undo" || a == "rbundo":
			r.Action, r.Outcome = ActionApply, OutcomeUndo
			if a == "rbundo" {
				r.Action = ActionRollback
			}
			r.UndoRef = &UndoRef{File: o}
		case a == "check":
			out[len(out)-1].Checks = append(out[len(out)-1].Checks, Check{Name: "c" + o, OK: o == "ok"})
			continue
		case o == "failed":
			r.Error = "boom"
		}
		out = append(out, r)
	}
	return out
}

func TestStates(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		records []Record
		live    []string
		state   State
		applied bool
		undo    []string
		err     string
	}{
		{"no records", nil, nil, StatePending, false, nil, ""},
		{"plan started only", j("plan:started"), nil, StatePending, false, nil, ""},
		{"planned", j("plan:started", "plan:ok"), nil, StatePlanned, false, nil, ""},
		{"plan failed", j("plan:started", "plan:failed"), nil, StatePending, false, nil, "boom"},
		{"applying, live run", j("apply:started@me", "undo:u1@me"), []string{"me"}, StateApplying, false, []string{"u1"}, ""},
		{"applying, dead run: interrupted", j("apply:started", "undo:u1", "apply:progress"), []string{"me"}, StateInterrupted, false, []string{"u1"}, ""},
		{"applied", j("plan:ok", "apply:started", "undo:u1", "apply:ok"), nil, StateApplied, true, []string{"u1"}, ""},
		{"apply failed", j("apply:started", "undo:u1", "apply:failed"), nil, StateFailed, false, []string{"u1"}, "boom"},
		{"re-apply after failure", j("apply:started", "apply:failed", "apply:started", "apply:ok"), nil, StateApplied, true, nil, ""},
		{"verified", j("apply:started", "apply:ok", "verify:started", "verify:ok", "check:ok"), nil, StateVerified, true, nil, ""},
		{"verify with no checks", j("apply:ok", "verify:ok"), nil, StateVerified, true, nil, ""},
		{"failing check keeps applied", j("apply:started", "apply:ok", "verify:ok", "check:ok", "check:fail"), nil, StateFailed, true, nil, "1 of 2 checks failed: cfail"},
		{"verify error", j("apply:ok", "verify:started", "verify:failed"), nil, StateFailed, true, nil, "boom"},
		{"verify started, crash: unchanged", j("apply:ok", "verify:started"), nil, StateApplied, true, nil, ""},
		{"interrupted then verified", j("apply:started", "undo:u1", "verify:ok", "check:ok"), nil, StateVerified, false, []string{"u1"}, ""},
		{"interrupted then re-applied", j("apply:started", "undo:u1", "apply:started@me", "undo:u2@me", "apply:ok@me"), []string{"me"}, StateApplied, true, []string{"u1", "u2"}, ""},
		{"interrupted, plan keeps it", j("apply:started", "plan:ok"), nil, StateInterrupted, false, nil, ""},
		{"applied, plan keeps it", j("apply:ok", "plan:ok"), nil, StateApplied, true, nil, ""},
		{"rolled back resets undo", j("apply:started", "undo:u1", "apply:ok", "rollback:started", "rbundo:r1", "rollback:ok"), nil, StateRolledBack, false, nil, ""},
		{"undo accumulates across applies", j("apply:started", "undo:u1", "apply:ok", "apply:started", "undo:u2", "apply:ok"), nil, StateApplied, true, []string{"u1", "u2"}, ""},
		{"after rollback only new undo", j("undo:u1", "apply:ok", "rollback:ok", "apply:started", "undo:u2", "apply:ok"), nil, StateApplied, true, []string{"u2"}, ""},
		{"rollback interrupted", j("undo:u1", "apply:ok", "rollback:started"), nil, StateInterrupted, true, []string{"u1"}, ""},
		{"rollback live", j("undo:u1", "apply:ok", "rollback:started@me"), []string{"me"}, StateApplying, true, []string{"u1"}, ""},
		{"rollback failed keeps undo", j("undo:u1", "apply:ok", "rollback:started", "rollback:failed"), nil, StateFailed, true, []string{"u1"}, "boom"},
		{"rolled back then planned", j("apply:ok", "rollback:ok", "plan:ok"), nil, StatePlanned, false, nil, ""},
		{"skipped", j("plan:ok", "skip:ok"), nil, StateSkipped, false, nil, ""},
		{"skipped then planned", j("skip:ok", "plan:ok"), nil, StatePlanned, false, nil, ""},
		{"skip clears interrupted", j("apply:started", "skip:ok"), nil, StateSkipped, false, nil, ""},
		{"ok clears old error", j("apply:started", "apply:failed", "apply:started", "apply:ok"), nil, StateApplied, true, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			st, ok := States(c.records, c.live...)["s"]
			if !ok {
				st.State = StatePending
			}
			var undo []string
			for _, u := range st.Undo {
				undo = append(undo, u.File)
			}
			if st.State != c.state || st.Applied != c.applied || !slices.Equal(undo, c.undo) || st.Error != c.err {
				t.Errorf("got state %s applied %t undo %v error %q; want %s %t %v %q",
					st.State, st.Applied, undo, st.Error, c.state, c.applied, c.undo, c.err)
			}
		})
	}
}

func TestStatesKeepsProgressChecksAndLastAction(t *testing.T) {
	t.Parallel()
	recs := j("apply:started", "apply:ok", "verify:ok", "check:ok")
	recs = append(recs[:1], append([]Record{{Step: "s", Action: ActionApply, Outcome: OutcomeProgress, Done: 3, Total: 5, Summary: "copying"}}, recs[1:]...)...)
	recs = append(recs, Record{Step: "other", Action: ActionSkip, Outcome: OutcomeOK})
	m := States(recs)
	st := m["s"]
	if st.Progress == nil || st.Progress.Done != 3 || st.Progress.Total != 5 || st.Progress.Message != "copying" {
		t.Errorf("progress = %+v", st.Progress)
	}
	if len(st.Checks) != 1 || st.Action != ActionVerify || st.Outcome != OutcomeOK {
		t.Errorf("checks %v, last %s %s", st.Checks, st.Action, st.Outcome)
	}
	if m["other"].State != StateSkipped || len(m) != 2 {
		t.Errorf("states = %+v", m)
	}
}
