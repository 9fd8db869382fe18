package deploy

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/chiso-vn/chiso/etl"
	"github.com/chiso-vn/chiso/etl/export"
)

var update = flag.Bool("update", false, "rewrite the generated sections of README.md")

// TestREADMEGenerated checks the generated tables of README.md — the
// indicator catalog and the exporter's metrics — against the code. Run
// `go test ./deploy -run README -update` after changing the catalog or the
// exporter.
func TestREADMEGenerated(t *testing.T) {
	path := filepath.Join(root, "README.md")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	got := string(b)
	want := got
	for _, sec := range []struct{ name, body string }{
		{"indicators", indicatorTable()},
		{"metrics", metricTable(t)},
	} {
		want, err = replaceSection(want, sec.name, sec.body)
		if err != nil {
			t.Fatal(err)
		}
	}
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the generated sections of %s", path)
		return
	}
	t.Errorf("README.md's generated tables drifted from the catalog or the exporter; run\n\tgo test ./deploy -run README -update\n%s", firstDiff(got, want))
}

func markers(name string) (string, string) {
	return "<!-- BEGIN GENERATED: " + name + " -->", "<!-- END GENERATED: " + name + " -->"
}

func replaceSection(doc, name, body string) (string, error) {
	begin, end := markers(name)
	i := strings.Index(doc, begin)
	j := strings.Index(doc, end)
	if i < 0 || j < i {
		return "", fmt.Errorf("README.md lacks %s … %s", begin, end)
	}
	return doc[:i+len(begin)] + "\n" + body + doc[j:], nil
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n  README:    %s\n  generated: %s", i+1, x, y)
		}
	}
	return ""
}

func cell(s string) string { return strings.ReplaceAll(strings.TrimSpace(s), "|", `\|`) }

var exportedUnit = map[string]string{
	"count":             "count",
	"percent":           "ratio 0–1 (reported %/100)",
	"vnd":               "VND",
	"per_100_residents": "per 100 residents",
}

// indicatorTable is the catalog, etl/data/indicators.csv.
func indicatorTable() string {
	var b strings.Builder
	b.WriteString("| code | metric | exported unit | kind | category | tên (vi) | name (en) |\n|---|---|---|---|---|---|---|\n")
	for i := range etl.Ref().Indicators {
		in := &etl.Ref().Indicators[i]
		u := exportedUnit[in.Unit]
		if u == "" {
			u = in.Unit
		}
		fmt.Fprintf(&b, "| `%s` | `%s` | %s | %s | %s | %s | %s |\n", in.Code, export.MetricName(in), cell(u), in.Kind, cell(in.Category),
			cell(in.NameVI), cell(in.NameEN))
	}
	return b.String()
}

// metricTable lists chiso's own metric families (not go_*, process_*,
// promhttp_*), gathered from a real exporter after one observed run. The
// per-indicator gauges are summarised in one row; the indicator table
// names each.
func metricTable(t *testing.T) string {
	t.Helper()
	exp := export.New(etl.Ref(), "readme")
	var values []etl.LatestValue
	for _, in := range etl.Ref().Indicators {
		values = append(values, etl.LatestValue{ProvinceCode: "68", Province: "Lâm Đồng", Indicator: in.Code, Unit: in.Unit,
			Value: 1, PeriodStart: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), PeriodEnd: time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC), Doc: "d"})
	}
	exp.SetLatest(values)
	now := time.Now()
	exp.ObserveRun(etl.RunStats{RunID: 1, Started: now.Add(-time.Second), Finished: now, Status: etl.RunSuccess,
		RejectsByReason: map[string]int{"malformed_number": 1}, StageSeconds: map[string]float64{}, TotalFacts: 1})
	mfs, err := exp.Registry().Gather()
	if err != nil {
		t.Fatal(err)
	}
	indicatorMetric := map[string]bool{}
	for i := range etl.Ref().Indicators {
		indicatorMetric[export.MetricName(&etl.Ref().Indicators[i])] = true
	}
	var rows []string
	for _, mf := range mfs {
		name := mf.GetName()
		if !strings.HasPrefix(name, export.Namespace+"_") || indicatorMetric[name] {
			continue
		}
		rows = append(rows, fmt.Sprintf("| `%s` | %s | %s | %s |", name, strings.ToLower(mf.GetType().String()),
			labelNames(mf), cell(mf.GetHelp())))
	}
	sort.Strings(rows)
	var b strings.Builder
	b.WriteString("| metric | type | labels | help |\n|---|---|---|---|\n")
	fmt.Fprintf(&b, "| `chiso_<indicator>` (%d families, see the indicator table) | gauge | `province_code`, `province` | latest value of the indicator per province; percent indicators as ratios 0–1 under `chiso_<code without _pct>_ratio` |\n",
		len(indicatorMetric))
	for _, r := range rows {
		b.WriteString(r + "\n")
	}
	return b.String()
}

func labelNames(mf *dto.MetricFamily) string {
	seen := map[string]bool{}
	for _, m := range mf.GetMetric() {
		for _, l := range m.GetLabel() {
			seen[l.GetName()] = true
		}
	}
	var names []string
	for n := range seen {
		names = append(names, "`"+n+"`")
	}
	sort.Strings(names)
	if len(names) == 0 {
		return "—"
	}
	return strings.Join(names, ", ")
}
