package main

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mattn/go-runewidth"

	"github.com/chiso-vn/chiso/internal/promtest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestServeScrapedByPrometheus is the walking skeleton end to end: `chiso
// serve` on the sample reports, scraped by a real Prometheus with the
// shipped config and rules, which must see the seed values.
func TestServeScrapedByPrometheus(t *testing.T) {
	dir := t.TempDir()
	s := startServe(t, dir, "--db.path", filepath.Join(dir, "chiso.duckdb"), repoPath(t, "testdata", "reports"))
	body := s.waitMetric(t, `chiso_bts_stations{province="Lâm Đồng",province_code="68"}`, 60*time.Second)
	if v, ok := metricValue(body, `chiso_bts_stations{province="Lâm Đồng",province_code="68"}`); !ok || v != "1730" {
		t.Fatalf("Lâm Đồng BTS = %q, want 1730", v)
	}
	promtest.CheckMetrics(t, []byte(body))

	cfg, err := os.ReadFile(repoPath(t, "dashboards", "prometheus.yml"))
	if err != nil {
		t.Fatal(err)
	}
	conf := strings.Replace(string(cfg), "localhost:9369", s.addr, 1)
	p := promtest.Start(t, conf, repoPath(t, "dashboards", "prometheus", "chiso-rules.yml"), repoPath(t, "dashboards", "prometheus", "chiso-alerts.yml"))
	for expr, want := range map[string]float64{
		`chiso_bts_stations{province_code="68"}`: 1730,
		`chiso_fines_vnd{province_code="04"}`:    164.5e6,
		`up{job="chiso"}`:                        1,
		`chiso_etl_last_run_success`:             1,
	} {
		v := p.WaitForSeries(t, expr, 60*time.Second)
		vec, err := p.QueryVector(expr)
		if err != nil || len(vec) != 1 {
			t.Fatalf("%s: %v %v (%v)", expr, vec, err, v)
		}
		if got := float64(vec[0].Value); got != want {
			t.Errorf("%s = %v, want %v", expr, got, want)
		}
	}
}

// TestLoadIdempotentAndQuery: loading the same reports twice adds nothing,
// and `chiso query` prints an aligned table with diacritics intact.
func TestLoadIdempotentAndQuery(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "chiso.duckdb")
	reports := repoPath(t, "testdata", "reports")
	count := func() string {
		r := mustRun(t, dir, time.Minute, "--db.path", db, "query", "--format", "csv", "SELECT count(*) AS n FROM v_facts")
		return strings.TrimSpace(r.stdout)
	}
	first := mustRun(t, dir, 2*time.Minute, "--db.path", db, "load", reports)
	if !strings.Contains(first.stdout, "loaded 5") {
		t.Fatalf("first load: %s", first.stdout)
	}
	n1 := count()
	second := mustRun(t, dir, 2*time.Minute, "--db.path", db, "load", reports)
	if !strings.Contains(second.stdout, "loaded 0, unchanged 5") || !strings.Contains(second.stdout, "written 0") {
		t.Fatalf("second load should change nothing: %s", second.stdout)
	}
	if n2 := count(); n1 != n2 || n1 == "n\n0" {
		t.Fatalf("count(v_facts) %q then %q", n1, n2)
	}

	r := mustRun(t, dir, time.Minute, "--db.path", db, "query", "SELECT * FROM v_latest WHERE province_code='68' ORDER BY indicator")
	lines := strings.Split(strings.TrimRight(r.stdout, "\n"), "\n")
	if len(lines) < 4 || !strings.Contains(r.stdout, "Lâm Đồng") || !strings.Contains(r.stdout, "bts_stations") {
		t.Fatalf("unexpected table:\n%s", r.stdout)
	}
	// every line has its columns at the same display positions
	col := strings.Index(lines[0], "province ")
	w := runewidth.StringWidth(lines[0][:col])
	for _, l := range lines[2:] {
		if !strings.Contains(l, "Lâm Đồng") {
			continue // the "(22 rows)" footer
		}
		if got := runewidth.StringWidth(strings.SplitN(l, "Lâm Đồng", 2)[0]); got != w {
			t.Errorf("misaligned line (province column at %d, want %d): %q", got, w, l)
		}
	}
}

// TestExampleQueriesOnReports runs every sql/queries/*.sql through `chiso
// query` on the warehouse loaded from testdata/reports and compares the CSV
// with testdata/queries/NAME.csv (-update rewrites them).
func TestExampleQueriesOnReports(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "chiso.duckdb")
	mustRun(t, dir, 2*time.Minute, "--db.path", db, "load", repoPath(t, "testdata", "reports"))
	files, err := filepath.Glob(repoPath(t, "sql", "queries", "*.sql"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no example queries: %v", err)
	}
	for _, f := range files {
		name := strings.TrimSuffix(filepath.Base(f), ".sql")
		t.Run(name, func(t *testing.T) {
			r := mustRun(t, dir, time.Minute, "--db.path", db, "query", "--format", "csv", "--file", f)
			golden := filepath.Join("testdata", "queries", name+".csv")
			if *update {
				if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(golden, []byte(r.stdout), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run with -update)", err)
			}
			if string(want) != r.stdout {
				t.Errorf("%s output differs from %s:\n%s", name, golden, r.stdout)
			}
		})
	}
}

// TestServeWaitsForLockedWarehouse: a daemon that finds its database
// locked by another process keeps serving metrics with a failed run and
// loads at the next scheduled time once the file is free.
func TestServeWaitsForLockedWarehouse(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "chiso.duckdb")
	reports := repoPath(t, "testdata", "reports")
	first := startServe(t, dir, "--db.path", db, "--etl.schedule=@every 1h", reports)
	first.waitMetric(t, `chiso_etl_last_run_success 1`, 60*time.Second)

	second := startServe(t, dir, "--db.path", db, "--etl.schedule=@every 2s", reports)
	body := second.waitMetric(t, `chiso_etl_last_run_success 0`, 30*time.Second)
	if !strings.Contains(body, "chiso_etl_runs_total{status=\"failed\"}") {
		t.Errorf("no failed-run counter while locked:\n%s", body)
	}
	if !strings.Contains(second.stderr.String(), "locked") {
		t.Errorf("log does not say the warehouse is locked:\n%s", second.stderr.String())
	}
	first.stop(t)
	second.waitMetric(t, `chiso_etl_last_run_success 1`, 60*time.Second)
}
