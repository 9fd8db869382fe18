package warehouse

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
)

// ErrLocked matches (errors.Is) the error Open returns when another process
// holds DuckDB's lock on the working file.
var ErrLocked = errors.New("database file is locked by another process")

// LockError is Open's error when DuckDB could not lock the working file
// because another process holds it. DuckDB allows one writing process (or
// several read-only ones) per file, so chiso fails fast rather than wait:
// the caller decides whether to retry.
type LockError struct {
	Path string
	// What DuckDB reports about the holder; zero values when it says nothing.
	PID    int
	Holder string // the holder's executable
	User   string
	// Command is the holder's program name and subcommand read from
	// /proc/<pid>/cmdline (e.g. "chiso serve"); other arguments are left
	// out, since they may carry URLs with credentials.
	Command string
	Err     error // DuckDB's own error
}

func (e *LockError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "warehouse: %s is locked by another process", e.Path)
	if e.PID > 0 {
		fmt.Fprintf(&b, ": PID %d", e.PID)
		var who []string
		if e.Command != "" {
			who = append(who, fmt.Sprintf("%q", e.Command))
		} else if e.Holder != "" {
			who = append(who, e.Holder)
		}
		if e.User != "" {
			who = append(who, "user "+e.User)
		}
		if len(who) > 0 {
			fmt.Fprintf(&b, " (%s)", strings.Join(who, ", "))
		}
		b.WriteString(" holds it")
	}
	b.WriteString(". DuckDB allows one writing process per file: wait for that process to finish or stop it" +
		" (a running `chiso serve` loads on its own schedule); analysts should read the published analytics copy instead")
	return b.String()
}

// Unwrap makes errors.Is(err, ErrLocked) true and keeps DuckDB's error.
func (e *LockError) Unwrap() []error { return []error{ErrLocked, e.Err} }

// DuckDB (1.1+) says: IO Error: Could not set lock on file "/x/chiso.duckdb":
// Conflicting lock is held in /usr/bin/chiso (PID 123) by user alice. See …
// Older versions and other platforms may leave out the holder.
var (
	lockMsg    = "Could not set lock on file"
	lockHolder = regexp.MustCompile(`Conflicting lock is held in (.*?) \(PID (\d+)\)(?: by user ([^\s.]+))?`)
)

// asLockError returns a *LockError if err is DuckDB's lock conflict, nil
// otherwise.
func asLockError(path string, err error) *LockError {
	if err == nil || !strings.Contains(err.Error(), lockMsg) {
		return nil
	}
	le := &LockError{Path: path, Err: err}
	if m := lockHolder.FindStringSubmatch(err.Error()); m != nil {
		le.Holder, le.User = m[1], m[3]
		le.PID, _ = strconv.Atoi(m[2])
		le.Command = commandOf(le.PID)
	}
	return le
}

// commandOf returns "program subcommand" of a process from /proc (Linux),
// "" if unknown. Only the base name of argv[0] and the first argument that
// is a plain word are kept.
func commandOf(pid int) string {
	if pid <= 0 {
		return ""
	}
	raw, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "cmdline"))
	if err != nil || len(raw) == 0 {
		return ""
	}
	args := strings.Split(string(bytes.TrimRight(raw, "\x00")), "\x00")
	out := []string{filepath.Base(args[0])}
	for _, a := range args[1:] {
		if strings.HasPrefix(a, "-") {
			continue
		}
		if plainWord(a) {
			out = append(out, a)
		}
		break
	}
	return strings.Join(out, " ")
}

func plainWord(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
