package runbook

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// undoStore keeps undo payloads (object bodies, which may hold secrets)
// out of the journal: one 0600 file per payload in a 0700 directory next to
// it, named <escaped step id>.<sequence>.json. The journal records only the
// name and a sha256, checked when the payload is read back.
type undoStore struct {
	dir      string
	readOnly bool
	sealer   Sealer // nil: payloads are stored as they are

	mu   sync.Mutex
	next map[string]int // step -> next sequence to try
}

// save writes payload durably and returns its reference.
func (u *undoStore) save(step string, payload []byte) (UndoRef, error) {
	if u.readOnly {
		return UndoRef{}, ErrReadOnly
	}
	if u.sealer != nil {
		sealed, err := u.sealer.Seal(payload)
		if err != nil {
			return UndoRef{}, fmt.Errorf("seal undo payload of %s: %w", step, err)
		}
		payload = sealed
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if err := os.Mkdir(u.dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return UndoRef{}, fmt.Errorf("create undo store %s: %w; check the journal directory is writable", u.dir, err)
	}
	f, name, err := u.create(step)
	if err != nil {
		return UndoRef{}, err
	}
	_, werr := f.Write(payload)
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = syncDir(u.dir)
	}
	if werr != nil {
		return UndoRef{}, fmt.Errorf("write undo payload %s: %w; free disk space and re-apply", name, werr)
	}
	sum := sha256.Sum256(payload)
	return UndoRef{File: name, SHA256: hex.EncodeToString(sum[:])}, nil
}

// create opens a new payload file, never overwriting one: sequences keep
// rising even across processes sharing the store.
func (u *undoStore) create(step string) (*os.File, string, error) {
	if u.next == nil {
		u.next = map[string]int{}
	}
	prefix := escapeStep(step) + "."
	seq := u.next[step]
	if seq == 0 {
		seq = u.highest(prefix) + 1
	}
	for ; ; seq++ {
		name := fmt.Sprintf("%s%06d.json", prefix, seq)
		f, err := os.OpenFile(filepath.Join(u.dir, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("create undo payload %s: %w", name, err)
		}
		u.next[step] = seq + 1
		return f, name, nil
	}
}

// highest is the largest sequence already stored for prefix, 0 if none.
func (u *undoStore) highest(prefix string) int {
	names, _ := filepath.Glob(filepath.Join(u.dir, prefix+"*.json"))
	hi := 0
	for _, n := range names {
		var seq int
		rest := strings.TrimPrefix(filepath.Base(n), prefix)
		if _, err := fmt.Sscanf(rest, "%06d.json", &seq); err == nil && seq > hi {
			hi = seq
		}
	}
	return hi
}

// load reads a payload back and checks it against the journal's sha256.
func (u *undoStore) load(ref UndoRef) (json.RawMessage, error) {
	if ref.File == "" || filepath.Base(ref.File) != ref.File || ref.File == ".." {
		return nil, fmt.Errorf("undo reference %q is not a file name in %s; the journal was edited, roll back by hand", ref.File, u.dir)
	}
	path := filepath.Join(u.dir, ref.File)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read undo payload: %w; restore %s from a backup or roll back by hand", err, path)
	}
	sum := sha256.Sum256(b)
	if got := hex.EncodeToString(sum[:]); got != ref.SHA256 {
		return nil, fmt.Errorf("undo payload %s has sha256 %s, the journal recorded %s: it was changed or damaged; restore it from a backup or roll back by hand", path, got, ref.SHA256)
	}
	if u.sealer != nil {
		plain, err := u.sealer.Open(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		b = plain
	}
	return json.RawMessage(b), nil
}

// escapeStep makes a step id a file name, injectively: anything but
// letters, digits, '-' and '_' becomes %XX.
func escapeStep(id string) string {
	var b strings.Builder
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// Saved returns the payloads a step's applies saved since its last
// completed rollback, oldest first, each checked against the journal's
// sha256 and unsealed: what Rollback would receive, and what a resumable
// step reads to continue an interrupted copy.
func (j *Journal) Saved(step string) ([]json.RawMessage, error) {
	log, err := j.Read()
	if err != nil {
		return nil, err
	}
	var out []json.RawMessage
	for _, ref := range States(log.Records)[step].Undo {
		b, err := j.undo.load(ref)
		if err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, nil
}
