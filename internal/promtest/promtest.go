// Package promtest runs the real Prometheus binaries in tests: a Prometheus
// server on a free 127.0.0.1 port with a throw-away data directory, and
// promtool's checks. When a binary is missing the test is skipped locally
// but fails when CI=true, so CI cannot pass by silently testing nothing.
package promtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v2"
)

// Interval is the scrape and rule evaluation interval Start forces.
const Interval = time.Second

// Binary returns the path of a Prometheus tool ("prometheus", "promtool"),
// from $PROMETHEUS_BIN_DIR or $PATH. Missing: t.Skip, or t.Fatal on CI.
func Binary(t testing.TB, name string) string {
	t.Helper()
	if dir := os.Getenv("PROMETHEUS_BIN_DIR"); dir != "" {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found (install the prometheus package): %v", name, err)
	}
	t.Skipf("%s not found, skipping: %v", name, err)
	return ""
}

// Server is a running Prometheus.
type Server struct {
	URL     string // http://127.0.0.1:port
	Dir     string // config, rule copies and TSDB
	API     v1.API
	cmd     *exec.Cmd
	logs    *syncBuffer
	exited  chan struct{}
	exitErr error
}

// Start runs prometheus with configYAML and waits until it is ready; it is
// stopped when the test ends. The config's global scrape and evaluation
// intervals are forced to Interval and per-job intervals and timeouts are
// dropped, so series show up within seconds. When ruleFiles are given they
// are copied into the server's directory and replace the config's
// rule_files (whose relative paths would not resolve from a temp dir).
func Start(t testing.TB, configYAML string, ruleFiles ...string) *Server {
	t.Helper()
	bin := Binary(t, "prometheus")
	dir := t.TempDir()

	var cfg yaml.MapSlice
	if err := yaml.Unmarshal([]byte(configYAML), &cfg); err != nil {
		t.Fatalf("promtest: parse config: %v", err)
	}
	var rules []string
	for i, f := range ruleFiles {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatalf("promtest: %v", err)
		}
		dst := filepath.Join(dir, fmt.Sprintf("rules-%d-%s", i, filepath.Base(f)))
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatalf("promtest: %v", err)
		}
		rules = append(rules, dst)
	}
	cfg = shorten(cfg, rules)
	out, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatalf("promtest: %v", err)
	}
	cfgPath := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(cfgPath, out, 0o644); err != nil {
		t.Fatalf("promtest: %v", err)
	}

	var s *Server
	for attempt := 0; attempt < 3; attempt++ {
		s, err = launch(bin, dir, cfgPath)
		if err == nil {
			break
		}
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	if err != nil {
		t.Fatalf("promtest: %v", err)
	}
	t.Cleanup(func() {
		s.stop()
		if t.Failed() {
			t.Logf("prometheus log:\n%s", s.logs.String())
		}
	})
	return s
}

// shorten rewrites the parsed config for tests (see Start).
func shorten(cfg yaml.MapSlice, rules []string) yaml.MapSlice {
	iv := model.Duration(Interval).String()
	set := func(m yaml.MapSlice, k string, v any) yaml.MapSlice {
		for i := range m {
			if m[i].Key == k {
				m[i].Value = v
				return m
			}
		}
		return append(m, yaml.MapItem{Key: k, Value: v})
	}
	var global yaml.MapSlice
	for _, it := range cfg {
		if it.Key == "global" {
			global, _ = it.Value.(yaml.MapSlice)
		}
	}
	global = set(global, "scrape_interval", iv)
	global = set(global, "evaluation_interval", iv)
	global = set(global, "scrape_timeout", iv)
	cfg = set(cfg, "global", global)
	for i := range cfg {
		if cfg[i].Key != "scrape_configs" {
			continue
		}
		jobs, _ := cfg[i].Value.([]any)
		for j, job := range jobs {
			m, ok := job.(yaml.MapSlice)
			if !ok {
				continue
			}
			var kept yaml.MapSlice
			for _, it := range m {
				if it.Key != "scrape_interval" && it.Key != "scrape_timeout" {
					kept = append(kept, it)
				}
			}
			jobs[j] = kept
		}
	}
	if len(rules) > 0 {
		cfg = set(cfg, "rule_files", rules)
	}
	return cfg
}

func launch(bin, dir, cfgPath string) (*Server, error) {
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	addr := "127.0.0.1:" + strconv.Itoa(port)
	logs := &syncBuffer{}
	cmd := exec.Command(bin,
		"--config.file="+cfgPath,
		"--storage.tsdb.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr,
		"--log.level=warn",
	)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	client, err := api.NewClient(api.Config{Address: "http://" + addr})
	if err != nil {
		_ = cmd.Process.Kill()
		return nil, err
	}
	s := &Server{URL: "http://" + addr, Dir: dir, API: v1.NewAPI(client), cmd: cmd, logs: logs, exited: make(chan struct{})}
	go func() { s.exitErr = cmd.Wait(); close(s.exited) }()

	deadline := time.Now().Add(60 * time.Second)
	for {
		select {
		case <-s.exited:
			return nil, fmt.Errorf("prometheus exited (%v):\n%s", s.exitErr, logs.String())
		default:
		}
		resp, err := http.Get(s.URL + "/-/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		if time.Now().After(deadline) {
			s.stop()
			return nil, fmt.Errorf("prometheus not ready after 60s:\n%s", logs.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (s *Server) stop() {
	select {
	case <-s.exited:
		return
	default:
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	select {
	case <-s.exited:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.exited
	}
}

// Logs returns what Prometheus printed so far.
func (s *Server) Logs() string { return s.logs.String() }

// Query evaluates an instant query now. Warnings are returned as an error.
func (s *Server) Query(expr string) (model.Value, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	v, warn, _, err := s.API.Query(ctx, expr, time.Now())
	if err != nil {
		return nil, err
	}
	if len(warn) > 0 {
		return v, fmt.Errorf("warnings: %v", warn)
	}
	return v, nil
}

// QueryVector is Query for expressions that return an instant vector.
func (s *Server) QueryVector(expr string) (model.Vector, error) {
	v, err := s.Query(expr)
	if err != nil {
		return nil, err
	}
	vec, ok := v.(model.Vector)
	if !ok {
		return nil, fmt.Errorf("%s: got %s, want vector", expr, v.Type())
	}
	return vec, nil
}

// WaitForSeries polls expr until it returns a non-empty result and returns
// it; it fails the test after timeout.
func (s *Server) WaitForSeries(t testing.TB, expr string, timeout time.Duration) model.Value {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var last error
	for {
		v, err := s.Query(expr)
		if err == nil && !Empty(v) {
			return v
		}
		if err != nil {
			last = err
		}
		if time.Now().After(deadline) {
			t.Fatalf("promtest: no result for %q after %v (last error: %v)", expr, timeout, last)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Empty reports whether a query result holds no sample.
func Empty(v model.Value) bool {
	switch r := v.(type) {
	case model.Vector:
		return len(r) == 0
	case model.Matrix:
		return len(r) == 0
	case *model.Scalar, *model.String:
		return r == nil
	default:
		return true
	}
}

// CheckMetrics runs `promtool check metrics` on an exposition body and fails
// the test on any finding.
func CheckMetrics(t testing.TB, body []byte) {
	t.Helper()
	out, err := promtool(t, bytes.NewReader(body), "check", "metrics")
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
}

// CheckRules runs `promtool check rules` on rule files.
func CheckRules(t testing.TB, files ...string) {
	t.Helper()
	if out, err := promtool(t, nil, append([]string{"check", "rules"}, files...)...); err != nil {
		t.Errorf("promtool check rules: %v\n%s", err, out)
	}
}

// TestRules runs `promtool test rules` on rule unit-test files.
func TestRules(t testing.TB, files ...string) {
	t.Helper()
	if out, err := promtool(t, nil, append([]string{"test", "rules"}, files...)...); err != nil {
		t.Errorf("promtool test rules: %v\n%s", err, out)
	}
}

// CheckConfig runs `promtool check config` on a Prometheus config file.
func CheckConfig(t testing.TB, file string) {
	t.Helper()
	if out, err := promtool(t, nil, "check", "config", file); err != nil {
		t.Errorf("promtool check config: %v\n%s", err, out)
	}
}

func promtool(t testing.TB, stdin *bytes.Reader, args ...string) ([]byte, error) {
	bin := Binary(t, "promtool")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	if stdin != nil {
		cmd.Stdin = stdin
	}
	return cmd.CombinedOutput()
}

// FreePort returns a TCP port that was free on 127.0.0.1 a moment ago.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("not a TCP address")
	}
	return addr.Port, nil
}

// syncBuffer collects process output written from two pipes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
