package runbook

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// Log is what reading a journal found: the records, and any damaged lines
// it skipped.
type Log struct {
	Records []Record
	Damage  []Damage
}

// Damage is one journal line that could not be read, typically the last
// line of a journal whose process crashed mid-write. It is a warning, never
// fatal: the line is skipped and later appends start on a fresh line.
type Damage struct {
	File   string // the journal's path
	Offset int64  // byte offset of the line's start
	Length int    // bytes in the line, without its newline
	Last   bool   // the file's last line and not newline-terminated
	Reason string
}

// String is the warning the CLI and TUI show.
func (d Damage) String() string {
	what := "is damaged"
	if d.Last {
		what = "is cut short (a crash during a write?)"
	}
	return fmt.Sprintf("journal %s: the %d-byte line at byte %d %s and was skipped: %s; the rest of the journal is intact",
		d.File, d.Length, d.Offset, what, d.Reason)
}

// ReadJournal reads the journal at path. A missing file is an empty
// journal. Lines that do not parse are reported in Log.Damage and skipped.
func ReadJournal(path string) (Log, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return Log{}, nil
	}
	if err != nil {
		return Log{}, fmt.Errorf("open journal %s: %w; check its permissions", path, err)
	}
	defer f.Close()
	return readLog(path, f)
}

func readLog(path string, r io.Reader) (Log, error) {
	var l Log
	br := bufio.NewReaderSize(r, 64<<10)
	var off int64
	for {
		line, err := br.ReadBytes('\n')
		if len(line) > 0 {
			l.addLine(path, off, line, err == io.EOF)
			off += int64(len(line))
		}
		if err == io.EOF {
			return l, nil
		}
		if err != nil {
			return l, fmt.Errorf("read journal %s at byte %d: %w", path, off, err)
		}
	}
}

func (l *Log) addLine(path string, off int64, line []byte, last bool) {
	body := bytes.TrimSuffix(line, []byte{'\n'})
	if len(bytes.TrimSpace(body)) == 0 {
		return
	}
	var rec Record
	err := json.Unmarshal(body, &rec)
	if err == nil && (rec.Step == "" || rec.Action == "" || rec.Outcome == "") {
		err = errors.New("missing step, action or outcome")
	}
	if err != nil {
		l.Damage = append(l.Damage, Damage{
			File: path, Offset: off, Length: len(body),
			Last: last && len(body) == len(line), Reason: err.Error(),
		})
		return
	}
	l.Records = append(l.Records, rec)
}
