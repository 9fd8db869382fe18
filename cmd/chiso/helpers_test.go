package main

// Shared helpers of the end-to-end tests (crash_test.go, faults_test.go,
// security_test.go): they build the real chiso binary once per test binary
// and run it as a separate process, as an operator would.

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/chiso-vn/chiso/etl/warehouse" // registers the duckdb driver for sql.Open
)

var (
	binOnce sync.Once
	binDir  string
	binPath string
	binErr  error
)

// TestMain removes the binary built by chisoBin. The build itself is lazy,
// once per test binary, so tests of this package that never start a chiso
// process do not pay for it.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// chisoBin returns the path of a chiso binary built from this package. It
// is built without -race even under `go test -race` (the packages' own
// tests run with the race detector): the end-to-end tests measure timings
// and memory of the binary users run.
func chisoBin(t testing.TB) string {
	t.Helper()
	binOnce.Do(func() {
		binDir, binErr = os.MkdirTemp("", "chiso-e2e-")
		if binErr != nil {
			return
		}
		goTool, err := exec.LookPath("go")
		if err != nil {
			goTool = "/usr/local/go/bin/go" // where the machines keep it
		}
		binPath = filepath.Join(binDir, "chiso")
		cmd := exec.Command(goTool, "build", "-o", binPath, ".")
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Run(); err != nil {
			binErr = fmt.Errorf("go build ./cmd/chiso: %v\n%s", err, out.String())
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// repoPath is a path under the repository root (tests run in cmd/chiso).
func repoPath(t testing.TB, elem ...string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join(append([]string{"..", ".."}, elem...)...))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// childEnv is the test's environment without CHISO_* variables, which
// kingpin would read as flags.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "CHISO_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// syncBuffer is an io.Writer safe for a child's output read while it runs.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// result is a finished chiso process.
type result struct {
	stdout, stderr string
	code           int
	maxRSS         int64 // peak resident set, bytes (Linux)
	dur            time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("exit %d after %s\nstdout:\n%s\nstderr:\n%s", r.code, r.dur.Round(time.Millisecond),
		truncate(r.stdout, 4000), truncate(r.stderr, 4000))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…[truncated]"
}

// runChiso runs chiso in dir with args and fails the test if it has not
// exited after timeout (a hang).
func runChiso(t testing.TB, dir string, timeout time.Duration, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, chisoBin(t), args...)
	cmd.Dir = dir
	cmd.Env = childEnv()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	r := result{stdout: stdout.String(), stderr: stderr.String(), dur: time.Since(start)}
	if ctx.Err() != nil {
		t.Fatalf("chiso %s: still running after %s (hang)\n%s", strings.Join(args, " "), timeout, r)
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	default:
		t.Fatalf("chiso %s: %v", strings.Join(args, " "), err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = ru.Maxrss * 1024 // kilobytes on Linux
	}
	return r
}

// mustRun runs chiso and fails the test unless it exits 0.
func mustRun(t testing.TB, dir string, timeout time.Duration, args ...string) result {
	t.Helper()
	r := runChiso(t, dir, timeout, args...)
	if r.code != 0 {
		t.Fatalf("chiso %s: %s", strings.Join(args, " "), r)
	}
	return r
}

// server is a chiso serve process.
type server struct {
	cmd    *exec.Cmd
	stderr *syncBuffer
	addr   string // host:port it listens on
	done   chan struct{}
	err    error // Wait's result, valid after done
}

var listenRE = regexp.MustCompile(`msg="Listening on" address=(\S+)`)

// startServe starts `chiso serve` on a free local port (extra args go
// before the paths) and waits until it listens. It is stopped (SIGTERM,
// then SIGKILL) at the end of the test unless stopped before.
func startServe(t testing.TB, dir string, args ...string) *server {
	t.Helper()
	full := append([]string{"serve", "--web.listen-address=127.0.0.1:0"}, args...)
	cmd := exec.Command(chisoBin(t), full...)
	cmd.Dir = dir
	cmd.Env = childEnv()
	s := &server{cmd: cmd, stderr: &syncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = io.Discard, s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.err = cmd.Wait(); close(s.done) }()
	t.Cleanup(func() { s.stop(t) })
	deadline := time.After(30 * time.Second)
	for s.addr == "" {
		if m := listenRE.FindStringSubmatch(s.stderr.String()); m != nil {
			s.addr = m[1]
			break
		}
		select {
		case <-s.done:
			t.Fatalf("chiso serve exited before listening: %v\n%s", s.err, s.stderr.String())
		case <-deadline:
			t.Fatalf("chiso serve not listening after 30s\n%s", s.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return s
}

// stop sends SIGTERM and waits (SIGKILL after 60s).
func (s *server) stop(t testing.TB) {
	select {
	case <-s.done:
		return
	default:
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(60 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
		t.Errorf("chiso serve did not stop within 60s of SIGTERM\n%s", s.stderr.String())
	}
}

// metrics scrapes /metrics and returns the text.
func (s *server) metrics(t testing.TB) string {
	t.Helper()
	resp, err := http.Get("http://" + s.addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// waitMetric polls /metrics until a line starting with prefix appears and
// returns the whole text.
func (s *server) waitMetric(t testing.TB, prefix string, timeout time.Duration) string {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		m := s.metrics(t)
		for _, l := range strings.Split(m, "\n") {
			if strings.HasPrefix(l, prefix) {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %s in /metrics after %s\n%s\nlog:\n%s", prefix, timeout, m, s.stderr.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// metricValue returns the value of the sample whose line starts with
// "name{labels} " or "name ", and whether it was found.
func metricValue(text, series string) (string, bool) {
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, series+" ") {
			return strings.TrimSpace(strings.TrimPrefix(l, series)), true
		}
	}
	return "", false
}

// fingerprint identifies the data a warehouse file holds: the loaded facts
// (v_facts without run ids, so the same data loaded by another run gives
// the same print) and the loaded documents.
type fingerprint struct {
	Facts   int64
	FactSum string
	Docs    int64
	DocSum  string
}

func (f fingerprint) String() string {
	return fmt.Sprintf("%d facts (Σhash %s), %d docs (Σhash %s)", f.Facts, f.FactSum, f.Docs, f.DocSum)
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func readFingerprint(ctx context.Context, q queryer) (fingerprint, error) {
	var f fingerprint
	err := q.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(hash(doc, source_uri, province_code, period_start, period_end,
		indicator, unit, value, qualifier, evidence, span_start, span_end)), 0)::VARCHAR FROM v_facts`).Scan(&f.Facts, &f.FactSum)
	if err != nil {
		return f, fmt.Errorf("fingerprint facts: %w", err)
	}
	err = q.QueryRowContext(ctx, `SELECT count(*), coalesce(sum(hash(doc, uri, sha256)), 0)::VARCHAR
		FROM dim_document WHERE loaded_run IS NOT NULL`).Scan(&f.Docs, &f.DocSum)
	if err != nil {
		return f, fmt.Errorf("fingerprint documents: %w", err)
	}
	return f, nil
}

// openReadOnly opens a DuckDB file read-only without chiso's start-up work
// (no migration, no marking of abandoned runs).
func openReadOnly(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("duckdb", path+"?access_mode=READ_ONLY")
	if err != nil {
		t.Fatalf("open %s read-only: %v", path, err)
	}
	return db
}

// copyFile copies src to dst, appending suffix.
func copyFile(t testing.TB, src, dst, suffix string) {
	t.Helper()
	b, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, append(b, suffix...), 0o644); err != nil {
		t.Fatal(err)
	}
}

// queryCSV runs `chiso query --format csv` on the analytics copy of db.
func queryCSV(t testing.TB, dir, db, q string) string {
	t.Helper()
	return mustRun(t, dir, 60*time.Second, "--db.path="+db, "query", "--format=csv", q).stdout
}
