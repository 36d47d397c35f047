package runbook

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
)

// ErrReadOnly is returned by every mutation (Apply, Rollback, Skip, and
// Append on a read-only journal) when ferry runs with --read-only.
var ErrReadOnly = errors.New("read-only mode: mutations are disabled; restart ferry without --read-only to change anything")

// Journal is the append-only JSONL audit trail of a runbook: one Record per
// line, each fsynced before Append returns. Undo payloads live next to it
// in an undo store (<journal>.undo/), never in the journal itself.
type Journal struct {
	path     string
	redact   Redactor
	readOnly bool

	mu     sync.Mutex // serialises this process's appends
	f      *os.File
	undo   *undoStore
	sealer Sealer
}

// JournalOption configures OpenJournal.
type JournalOption func(*Journal)

// WithRedactor scans every text field of every record Append writes, e.g.
// to mask known secret values that a step or an error message let through.
func WithRedactor(r Redactor) JournalOption {
	return func(j *Journal) { j.redact = r }
}

// JournalReadOnly opens the journal for reading only: nothing is created,
// and Append and the undo store's Save return ErrReadOnly.
func JournalReadOnly() JournalOption {
	return func(j *Journal) { j.readOnly = true }
}

// OpenJournal opens (creating, 0600, its directory 0700 when missing) the
// journal at path for appending.
func OpenJournal(path string, opts ...JournalOption) (*Journal, error) {
	j := &Journal{path: path}
	for _, o := range opts {
		o(j)
	}
	j.undo = &undoStore{dir: path + ".undo", readOnly: j.readOnly, sealer: j.sealer}
	if j.readOnly {
		return j, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create journal directory: %w; pass a writable --journal path", err)
	}
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open journal %s: %w; check its permissions or pass another --journal path", path, err)
	}
	if err := tighten(f); err != nil {
		f.Close()
		return nil, err
	}
	if os.IsNotExist(statErr) {
		if err := syncDir(filepath.Dir(path)); err != nil {
			f.Close()
			return nil, err
		}
	}
	j.f = f
	return j, nil
}

// tighten makes an existing journal 0600: it names operators and
// resources, which other users of the machine need not read.
func tighten(f *os.File) error {
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat journal: %w", err)
	}
	if fi.Mode().Perm()&0o077 == 0 {
		return nil
	}
	if err := f.Chmod(0o600); err != nil {
		return fmt.Errorf("journal %s is readable by others and chmod 0600 failed: %w; fix its mode by hand", f.Name(), err)
	}
	return nil
}

// Path is the journal's file name.
func (j *Journal) Path() string { return j.path }

// ReadOnly reports whether the journal was opened with JournalReadOnly.
func (j *Journal) ReadOnly() bool { return j.readOnly }

// Close closes the journal file.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return nil
	}
	err := j.f.Close()
	j.f = nil
	return err
}

// Append redacts r, writes it as one line with a single write (O_APPEND, so
// lines from two processes never interleave) and fsyncs. A record carrying
// an undo body is refused: bodies go to the undo store (Recorder.Save).
func (j *Journal) Append(r Record) error {
	if j.readOnly {
		return ErrReadOnly
	}
	if len(r.Undo) > 0 {
		return fmt.Errorf("journal record for %s carries an undo body; save it through Recorder.Save so only a reference is journaled", r.Step)
	}
	line, err := json.Marshal(redactRecord(r, j.redact))
	if err != nil {
		return fmt.Errorf("encode journal record: %w", err)
	}
	line = append(line, '\n')
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.f == nil {
		return fmt.Errorf("journal %s is closed", j.path)
	}
	fresh, err := endsWithNewline(j.f)
	if err != nil {
		return err
	}
	if !fresh {
		// A crash cut the last line short: start ours on a fresh line so
		// the damage stays confined to that one line.
		line = append([]byte{'\n'}, line...)
	}
	if _, err := j.f.Write(line); err != nil {
		return fmt.Errorf("write journal %s: %w; free disk space and retry", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("fsync journal %s: %w", j.path, err)
	}
	return nil
}

// endsWithNewline reports whether the file is empty or ends in '\n'.
func endsWithNewline(f *os.File) (bool, error) {
	fi, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("stat journal: %w", err)
	}
	if fi.Size() == 0 {
		return true, nil
	}
	var b [1]byte
	if _, err := f.ReadAt(b[:], fi.Size()-1); err != nil && err != io.EOF {
		return false, fmt.Errorf("read journal tail: %w", err)
	}
	return b[0] == '\n', nil
}

// Read reads every record; see ReadJournal.
func (j *Journal) Read() (Log, error) { return ReadJournal(j.path) }

// Records returns every readable record. Damaged lines are skipped; use
// Read to learn about them.
func (j *Journal) Records() ([]Record, error) {
	l, err := j.Read()
	return l.Records, err
}

// syncDir fsyncs a directory so a file just created in it survives a crash.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("open %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("fsync %s: %w", dir, err)
	}
	return nil
}
