package runbook

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func rec(step string, a Action, o Outcome) Record {
	return Record{Step: step, Action: a, Outcome: o, Run: "r1"}
}

func TestJournalRoundTripAndPermissions(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "new", "state")
	path := filepath.Join(dir, "journal.jsonl")
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	want := []Record{rec("a", ActionPlan, OutcomeOK), rec("a", ActionApply, OutcomeStarted), rec("a", ActionApply, OutcomeOK)}
	for _, r := range want {
		if err := j.Append(r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := j.Records()
	if err != nil || len(got) != len(want) {
		t.Fatalf("Records = %d records, %v; want %d", len(got), err, len(want))
	}
	for i := range want {
		if got[i].Step != want[i].Step || got[i].Action != want[i].Action || got[i].Outcome != want[i].Outcome || got[i].Run != "r1" {
			t.Errorf("record %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	ref, err := j.undo.save("clone/payments/ledger", []byte(`{"x":1}`))
	if err != nil {
		t.Fatal(err)
	}
	assertMode(t, path, 0o600)
	assertMode(t, dir, 0o700)
	assertMode(t, path+".undo", 0o700)
	assertMode(t, filepath.Join(path+".undo", ref.File), 0o600)
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s mode = %o, want %o", path, got, want)
	}
}

func TestJournalTightensExistingFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "j.jsonl")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	assertMode(t, path, 0o600)
}

func TestJournalTruncatedLastLine(t *testing.T) {
	t.Parallel()
	j := tempJournal(t)
	if err := j.Append(rec("a", ActionApply, OutcomeStarted)); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(j.Path())
	// A crash in the middle of the next write leaves half a line.
	f, err := os.OpenFile(j.Path(), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	partial := `{"time":"2026-01-01T00:00:00Z","step":"a","act`
	f.WriteString(partial)
	f.Close()

	l, err := j.Read()
	if err != nil {
		t.Fatalf("a truncated line must not be fatal: %v", err)
	}
	if len(l.Records) != 1 || len(l.Damage) != 1 {
		t.Fatalf("got %d records, %d damage; want 1 and 1", len(l.Records), len(l.Damage))
	}
	d := l.Damage[0]
	if !d.Last || d.Offset != int64(len(before)) || d.Length != len(partial) || d.File != j.Path() {
		t.Errorf("damage = %+v, want last line at byte %d of %s", d, len(before), j.Path())
	}
	if s := d.String(); !strings.Contains(s, j.Path()) || !strings.Contains(s, fmt.Sprint(len(before))) {
		t.Errorf("warning %q should name the file and offset", s)
	}

	// The next append starts on a fresh line; only the cut line is lost.
	if err := j.Append(rec("a", ActionApply, OutcomeOK)); err != nil {
		t.Fatal(err)
	}
	l, err = j.Read()
	if err != nil {
		t.Fatal(err)
	}
	if len(l.Records) != 2 || l.Records[1].Outcome != OutcomeOK {
		t.Fatalf("after append: %d records %+v", len(l.Records), l.Records)
	}
	if len(l.Damage) != 1 || l.Damage[0].Last {
		t.Errorf("the old cut line is still reported, no longer last: %+v", l.Damage)
	}
}

func TestJournalRedactsSecrets(t *testing.T) {
	t.Parallel()
	const secret = "hunter2-s3cr3t-value"
	j := tempJournal(t, WithRedactor(MaskValues(secret)))
	r := rec("clone/payments/ledger", ActionVerify, OutcomeFailed)
	r.Error = "secret payments/db has password " + secret
	r.Summary = "base64 " + base64.StdEncoding.EncodeToString([]byte(secret))
	r.Checks = []Check{{Name: "value", Evidence: "saw " + secret}}
	r.Changes = []Change{{Op: OpUpdate, Kind: "Secret", Name: "db", After: "password: " + secret}}
	if err := j.Append(r); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(j.Path())
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, []byte(secret)) || bytes.Contains(b, []byte(base64.StdEncoding.EncodeToString([]byte(secret)))) {
		t.Fatalf("the secret reached the journal file:\n%s", b)
	}
	if !bytes.Contains(b, []byte(Redacted)) {
		t.Errorf("no %s marker in %s", Redacted, b)
	}
	if r.Checks[0].Evidence != "saw "+secret {
		t.Error("redaction modified the caller's record")
	}
}

func TestJournalRefusesUndoBodies(t *testing.T) {
	t.Parallel()
	j := tempJournal(t)
	r := rec("a", ActionApply, OutcomeUndo)
	r.Undo = []byte(`{"secret":"x"}`)
	if err := j.Append(r); err == nil {
		t.Fatal("an undo body was accepted into the journal")
	}
}

func TestJournalReadOnlyCreatesNothing(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sub", "j.jsonl")
	j, err := OpenJournal(path, JournalReadOnly())
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Append(rec("a", ActionPlan, OutcomeOK)); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Append = %v, want ErrReadOnly", err)
	}
	if l, err := j.Read(); err != nil || len(l.Records) != 0 {
		t.Errorf("Read of a missing journal = %+v, %v; want empty", l, err)
	}
	if _, err := os.Stat(filepath.Dir(path)); !os.IsNotExist(err) {
		t.Errorf("read-only open created %s", filepath.Dir(path))
	}
}

// Two writers on one file (two processes, in effect) never interleave
// partial lines.
func TestJournalConcurrentWriters(t *testing.T) {
	t.Parallel()
	a := tempJournal(t)
	b, err := OpenJournal(a.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	var wg sync.WaitGroup
	for w, j := range []*Journal{a, b, a, b} {
		wg.Go(func() {
			for i := range 50 {
				r := rec(fmt.Sprintf("w%d", w), ActionPlan, OutcomeOK)
				r.Summary = strings.Repeat("x", 100+i*40)
				if err := j.Append(r); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	l, err := a.Read()
	if err != nil || len(l.Records) != 200 || len(l.Damage) != 0 {
		t.Fatalf("got %d records, damage %v, err %v; want 200 intact", len(l.Records), l.Damage, err)
	}
}

func TestUndoStore(t *testing.T) {
	t.Parallel()
	j := tempJournal(t)
	other := &undoStore{dir: j.undo.dir} // a second process on the same store
	r1, err := j.undo.save("clone/a", []byte(`{"n":1}`))
	if err != nil {
		t.Fatal(err)
	}
	r2, err := other.save("clone/a", []byte(`{"n":2}`))
	if err != nil {
		t.Fatal(err)
	}
	r3, err := j.undo.save("clone_a", []byte(`{"n":3}`))
	if err != nil {
		t.Fatal(err)
	}
	if r1.File == r2.File || r1.File == r3.File || r2.File == r3.File {
		t.Fatalf("undo files collide: %s %s %s", r1.File, r2.File, r3.File)
	}
	if b, err := j.undo.load(r2); err != nil || string(b) != `{"n":2}` {
		t.Errorf("load = %s, %v", b, err)
	}
	if err := os.WriteFile(filepath.Join(j.undo.dir, r1.File), []byte(`{"n":9}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := j.undo.load(r1); err == nil || !strings.Contains(err.Error(), "sha256") {
		t.Errorf("a tampered payload loaded: %v", err)
	}
	if _, err := j.undo.load(UndoRef{File: "../../etc/passwd"}); err == nil {
		t.Error("a path outside the store was read")
	}
}

func TestMaskValues(t *testing.T) {
	t.Parallel()
	red := MaskValues("abc", "", "abcdef")
	if got := red("x abcdef y abc z"); got != "x [redacted] y [redacted] z" {
		t.Errorf("got %q", got)
	}
	if got := MaskValues()("keep"); got != "keep" {
		t.Errorf("no values changed %q", got)
	}
}

// TestUndoStoreSealed: with a sealer, a payload's secret never reaches the
// disk in clear, reads back whole, and a store opened with another key
// refuses it.
func TestUndoStoreSealed(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{7}, 32)
	s, err := NewAESSealer(key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j, err := OpenJournal(path, WithSealer(s))
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	payload := []byte(`{"data":{"password":"s3cr3t-0rders-Pa55!"}}`)
	ref, err := j.undo.save("clone/orders/orders-api", payload)
	if err != nil {
		t.Fatal(err)
	}
	onDisk, err := os.ReadFile(filepath.Join(j.undo.dir, ref.File))
	if err != nil || bytes.Contains(onDisk, []byte("s3cr3t")) {
		t.Fatalf("payload on disk in clear (%v)", err)
	}
	if b, err := j.undo.load(ref); err != nil || !bytes.Equal(b, payload) {
		t.Fatalf("load = %s, %v", b, err)
	}
	other, _ := NewAESSealer(bytes.Repeat([]byte{8}, 32))
	wrong := &undoStore{dir: j.undo.dir, sealer: other}
	if _, err := wrong.load(ref); err == nil || !strings.Contains(err.Error(), "another key") {
		t.Errorf("another key opened the payload: %v", err)
	}
	if _, err := NewAESSealer([]byte("short")); err == nil {
		t.Error("a short key was taken")
	}
}
