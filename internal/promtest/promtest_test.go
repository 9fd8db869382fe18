package promtest_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chiso-vn/chiso/internal/promtest"
	"github.com/prometheus/common/model"
)

// TestStartQuery scrapes Prometheus itself and evaluates a copied rule file.
func TestStartQuery(t *testing.T) {
	promtest.Binary(t, "prometheus")
	rules := filepath.Join(t.TempDir(), "r.yml")
	if err := os.WriteFile(rules, []byte("groups:\n  - name: t\n    rules:\n      - record: job:up:sum\n        expr: sum by (job) (up)\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// The config's own intervals and rule_files are overridden.
	cfg := `
global:
  scrape_interval: 1h
rule_files: [does-not-exist.yml]
scrape_configs:
  - job_name: self
    scrape_interval: 30m
    scrape_timeout: 10m
    static_configs:
      - targets: ["PLACEHOLDER"]
`
	// Scrape a port that nothing serves: up == 0 still proves scraping runs.
	port, err := promtest.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	s := promtest.Start(t, strings.Replace(cfg, "PLACEHOLDER", "127.0.0.1:"+strconv.Itoa(port), 1), rules)
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Errorf("URL %q", s.URL)
	}
	v := s.WaitForSeries(t, `job:up:sum{job="self"}`, 20*time.Second)
	if vec, ok := v.(model.Vector); !ok || len(vec) != 1 || vec[0].Value != 0 {
		t.Errorf("job:up:sum = %v", v)
	}
	if _, err := s.Query(`sum(`); err == nil {
		t.Error("bad PromQL gave no error")
	}
	vec, err := s.QueryVector(`vector(42)`)
	if err != nil || len(vec) != 1 || vec[0].Value != 42 {
		t.Errorf("vector(42) = %v %v", vec, err)
	}
	if _, err := s.QueryVector(`42`); err == nil {
		t.Error("QueryVector accepted a scalar")
	}
}

func TestCheckMetrics(t *testing.T) {
	promtest.Binary(t, "promtool")
	promtest.CheckMetrics(t, []byte("# HELP good_total A counter.\n# TYPE good_total counter\ngood_total 1\n"))

	// A lint problem must be reported (seen through a fake testing.TB).
	ft := &fakeTB{TB: t}
	promtest.CheckMetrics(ft, []byte("# HELP bad_ms Bad.\n# TYPE bad_ms counter\nbad_ms 1\n"))
	if !ft.failed {
		t.Error("CheckMetrics accepted a counter without _total in milliseconds")
	}
}

func TestBinaryMissing(t *testing.T) {
	if os.Getenv("PROMTEST_CHILD") == "1" {
		promtest.Binary(t, "no-such-prometheus-binary")
		return
	}
	for _, ci := range []string{"", "true"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestBinaryMissing$", "-test.v")
		cmd.Env = append(os.Environ(), "PROMTEST_CHILD=1", "CI="+ci)
		out, err := cmd.CombinedOutput()
		switch ci {
		case "true":
			if err == nil || !strings.Contains(string(out), "--- FAIL") {
				t.Errorf("CI=true: want failure, got %v\n%s", err, out)
			}
		default:
			if err != nil || !strings.Contains(string(out), "--- SKIP") {
				t.Errorf("locally: want skip, got %v\n%s", err, out)
			}
		}
	}
}

// fakeTB records failures instead of failing the real test.
type fakeTB struct {
	testing.TB
	failed bool
}

func (f *fakeTB) Errorf(string, ...any) { f.failed = true }
func (f *fakeTB) Fatalf(string, ...any) { f.failed = true }
func (f *fakeTB) Helper()               {}
