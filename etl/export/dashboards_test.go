package export_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chiso-vn/chiso/etl"
	"github.com/chiso-vn/chiso/etl/export"
	"github.com/chiso-vn/chiso/internal/promtest"
	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v2"
)

const dashDir = "../../dashboards"

var wantDashboards = []string{"chiso-etl.json", "chiso-indicator.json", "chiso-overview.json", "chiso-province.json"}

type dashboard struct {
	file          string
	UID           string                    `json:"uid"`
	Title         string                    `json:"title"`
	SchemaVersion int                       `json:"schemaVersion"`
	Inputs        json.RawMessage           `json:"__inputs"`
	Panels        []panel                   `json:"panels"`
	Templating    struct{ List []variable } `json:"templating"`
}

type panel struct {
	ID         int             `json:"id"`
	Type       string          `json:"type"`
	Title      string          `json:"title"`
	Datasource json.RawMessage `json:"datasource"`
	Targets    []struct {
		RefID      string          `json:"refId"`
		Expr       string          `json:"expr"`
		Datasource json.RawMessage `json:"datasource"`
	} `json:"targets"`
	Panels []panel `json:"panels"` // collapsed rows
}

type variable struct {
	Name  string          `json:"name"`
	Type  string          `json:"type"`
	Query json.RawMessage `json:"query"`
	Hide  int             `json:"hide"`
}

// queryString is a variable's query, a string or {"query": "..."}.
func (v variable) queryString() string {
	var s string
	if json.Unmarshal(v.Query, &s) == nil {
		return s
	}
	var o struct{ Query string }
	_ = json.Unmarshal(v.Query, &o)
	return o.Query
}

func loadDashboards(t *testing.T) []dashboard {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dashDir, "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	var out []dashboard
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var d dashboard
		if err := json.Unmarshal(b, &d); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		d.file = filepath.Base(f)
		names = append(names, d.file)
		out = append(out, d)
	}
	sort.Strings(names)
	if strings.Join(names, ",") != strings.Join(wantDashboards, ",") {
		t.Fatalf("dashboards %v, want %v", names, wantDashboards)
	}
	return out
}

func allPanels(ps []panel) []panel {
	var out []panel
	for _, p := range ps {
		out = append(out, p)
		out = append(out, allPanels(p.Panels)...)
	}
	return out
}

// TestDashboardsStatic checks the dashboard JSON without a server.
func TestDashboardsStatic(t *testing.T) {
	uids := map[string]string{}
	for _, d := range loadDashboards(t) {
		t.Run(d.file, func(t *testing.T) {
			if d.UID == "" || d.Title == "" {
				t.Error("uid and title must be set")
			}
			if other, dup := uids[d.UID]; dup {
				t.Errorf("uid %q also used by %s", d.UID, other)
			}
			uids[d.UID] = d.file
			if d.SchemaVersion < 39 {
				t.Errorf("schemaVersion %d < 39", d.SchemaVersion)
			}
			if d.Inputs != nil {
				t.Error("__inputs present: dashboards must be provisionable as they are")
			}
			var hasDS bool
			for _, v := range d.Templating.List {
				if v.Type == "datasource" && v.Name == "datasource" && v.queryString() == "prometheus" {
					hasDS = true
				}
			}
			if !hasDS {
				t.Error("no datasource template variable of type prometheus")
			}
			ids := map[int]bool{}
			exprs := 0
			for _, p := range allPanels(d.Panels) {
				if ids[p.ID] {
					t.Errorf("panel id %d used twice", p.ID)
				}
				ids[p.ID] = true
				if p.Type == "row" {
					continue
				}
				if !strings.Contains(string(p.Datasource), "${datasource}") {
					t.Errorf("panel %q: datasource %s, want ${datasource}", p.Title, p.Datasource)
				}
				if len(p.Targets) == 0 {
					t.Errorf("panel %q has no query", p.Title)
				}
				for _, tg := range p.Targets {
					if strings.TrimSpace(tg.Expr) == "" {
						t.Errorf("panel %q target %s: empty expr", p.Title, tg.RefID)
					}
					if !strings.Contains(string(tg.Datasource), "${datasource}") {
						t.Errorf("panel %q target %s: datasource %s", p.Title, tg.RefID, tg.Datasource)
					}
					exprs++
				}
			}
			if exprs == 0 {
				t.Error("no queries")
			}
		})
	}
}

func TestPrometheusRules(t *testing.T) {
	promtest.CheckConfig(t, filepath.Join(dashDir, "prometheus.yml"))
	rules, _ := filepath.Glob(filepath.Join(dashDir, "prometheus", "chiso-*.yml"))
	var ruleFiles, testFiles []string
	for _, f := range rules {
		if strings.HasSuffix(f, ".test.yml") {
			testFiles = append(testFiles, f)
		} else {
			ruleFiles = append(ruleFiles, f)
		}
	}
	if len(ruleFiles) == 0 || len(testFiles) == 0 {
		t.Fatalf("rule files %v, tests %v", ruleFiles, testFiles)
	}
	promtest.CheckRules(t, ruleFiles...)
	promtest.TestRules(t, testFiles...)
}

// Grafana's built-in variables, as the end-to-end test substitutes them.
var builtins = map[string]string{
	"__rate_interval": "1m", "__interval": "1m", "__interval_ms": "60000",
	"__range": "1h", "__range_s": "3600", "__range_ms": "3600000",
	"datasource": "chiso-prometheus",
}

var varRef = regexp.MustCompile(`\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]`)

// substitute expands $var, ${var} and [[var]]; unknown names (like a
// label_replace "$1") are left alone.
func substitute(expr string, vars map[string]string) string {
	return varRef.ReplaceAllStringFunc(expr, func(m string) string {
		sm := varRef.FindStringSubmatch(m)
		name := sm[1] + sm[2] + sm[3]
		if v, ok := vars[name]; ok {
			return v
		}
		if v, ok := builtins[name]; ok {
			return v
		}
		return m
	})
}

var labelValues = regexp.MustCompile(`^\s*label_values\(\s*(?:(.+),\s*)?(\w+)\s*\)\s*$`)

// bindings resolves a dashboard's query variables against Prometheus the way
// Grafana does: every value of user-facing variables, the first value of
// hidden (derived) ones.
func bindings(t *testing.T, prom *promtest.Server, vars []variable, i int, cur map[string]string) []map[string]string {
	if i == len(vars) {
		cp := map[string]string{}
		for k, v := range cur {
			cp[k] = v
		}
		return []map[string]string{cp}
	}
	v := vars[i]
	if v.Type != "query" {
		return bindings(t, prom, vars, i+1, cur)
	}
	m := labelValues.FindStringSubmatch(v.queryString())
	if m == nil {
		t.Fatalf("variable %s: unsupported query %q", v.Name, v.queryString())
	}
	expr := m[1]
	if expr == "" {
		expr = fmt.Sprintf(`{%s!=""}`, m[2])
	}
	expr = substitute(expr, cur)
	res, err := prom.QueryVector(expr)
	if err != nil {
		t.Fatalf("variable %s: %s: %v", v.Name, expr, err)
	}
	set := map[string]bool{}
	for _, s := range res {
		if lv := string(s.Metric[model.LabelName(m[2])]); lv != "" {
			set[lv] = true
		}
	}
	values := sortedKeys(set)
	if len(values) == 0 {
		t.Fatalf("variable %s: %s has no values", v.Name, expr)
	}
	if v.Hide != 0 {
		values = values[:1]
	}
	var out []map[string]string
	for _, val := range values {
		cur[v.Name] = val
		out = append(out, bindings(t, prom, vars, i+1, cur)...)
	}
	delete(cur, v.Name)
	return out
}

// TestEndToEnd serves an exporter, scrapes it with the real Prometheus using
// dashboards/prometheus.yml and its rules, and evaluates every dashboard
// query against it.
func TestEndToEnd(t *testing.T) {
	promtest.Binary(t, "prometheus") // skip early (or fail on CI) without it
	ref := etl.Ref()
	e := export.NewWithLogger(ref, "e2e", slog.New(slog.NewTextHandler(io.Discard, nil)))
	e.SetLatest(fullSnapshot(ref, "68", "04", "01", "79", "48"))
	e.ObserveRun(sampleRun(time.Now()))
	e.RunSkipped()
	addr, _ := serve(t, slog.New(slog.NewTextHandler(io.Discard, nil)), e.Handler("/metrics", nil), "")

	raw, err := os.ReadFile(filepath.Join(dashDir, "prometheus.yml"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.ReplaceAll(string(raw), "localhost:9369", addr)
	if cfg == string(raw) {
		t.Fatal("prometheus.yml does not scrape localhost:9369")
	}
	var parsed struct {
		RuleFiles []string `yaml:"rule_files"`
	}
	if err := yaml.Unmarshal(raw, &parsed); err != nil {
		t.Fatal(err)
	}
	var ruleFiles []string
	for _, f := range parsed.RuleFiles {
		ruleFiles = append(ruleFiles, filepath.Join(dashDir, f))
	}
	if len(ruleFiles) == 0 {
		t.Fatal("prometheus.yml has no rule_files")
	}
	prom := promtest.Start(t, cfg, ruleFiles...)

	// (a) the headline figure, through the HTTP API.
	v := prom.WaitForSeries(t, `chiso_bts_stations{province_code="68"} == 1730`, 30*time.Second)
	vec := v.(model.Vector)
	if len(vec) != 1 || vec[0].Metric["province"] != "Lâm Đồng" || vec[0].Metric["job"] != "chiso" {
		t.Errorf("bts_stations{68}: %v", vec)
	}
	// Enough scrapes for rate() and increase(), and rules evaluated.
	prom.WaitForSeries(t, `count_over_time(up{job="chiso"}[1m]) >= 4`, 30*time.Second)
	prom.WaitForSeries(t, `chiso:etl_rejects:sum == 6`, 30*time.Second)
	for expr, want := range map[string]float64{
		`chiso_fines_vnd{province_code="04"}`:                                            164500000,
		`chiso_online_public_services_level4_ratio{province_code="68"}`:                  0.855,
		`chiso_etl_last_run_success`:                                                     1,
		`chiso_etl_runs_skipped_total`:                                                   1,
		`count(chiso_indicator_info)`:                                                    float64(len(ref.Indicators)),
		`count(count by (province_code) (chiso_indicator_period_end_timestamp_seconds))`: 5,
	} {
		vec, err := prom.QueryVector(expr)
		if err != nil || len(vec) != 1 || float64(vec[0].Value) != want {
			t.Errorf("%s = %v (%v), want %v", expr, vec, err, want)
		}
	}
	if vec, err := prom.QueryVector(`ALERTS`); err != nil || len(vec) != 0 {
		t.Errorf("alerts active on a healthy exporter: %v %v", vec, err)
	}

	// (b) every query of every panel of every dashboard returns data.
	for _, d := range loadDashboards(t) {
		t.Run(d.file, func(t *testing.T) {
			checked := 0
			for _, b := range bindings(t, prom, d.Templating.List, 0, map[string]string{}) {
				for _, p := range allPanels(d.Panels) {
					for _, tg := range p.Targets {
						expr := substitute(tg.Expr, b)
						if strings.Contains(expr, "$") && !strings.Contains(expr, `"$1"`) {
							t.Errorf("%q %s: unresolved variable in %s", p.Title, tg.RefID, expr)
							continue
						}
						res, err := prom.Query(expr)
						if err != nil {
							t.Errorf("%q %s %v: %s: %v", p.Title, tg.RefID, b, expr, err)
						} else if promtest.Empty(res) {
							t.Errorf("%q %s %v: %s: empty result", p.Title, tg.RefID, b, expr)
						}
						checked++
					}
				}
			}
			t.Logf("%d panel queries returned data", checked)
		})
	}

	// (c) the scraped body is clean for promtool.
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	promtest.CheckMetrics(t, body)
}
