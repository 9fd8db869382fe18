package export_test

import (
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chiso-vn/chiso/etl"
	"github.com/chiso-vn/chiso/etl/export"
	"github.com/chiso-vn/chiso/internal/promtest"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	"github.com/prometheus/common/model"
)

func TestMetricNamesAndValues(t *testing.T) {
	ref := etl.Ref()
	tests := []struct {
		code, want string
		in, out    float64
	}{
		{"bts_stations", "chiso_bts_stations", 1730, 1730},
		{"fines_vnd", "chiso_fines_vnd", 164500000, 164500000},
		{"online_public_services_level4_pct", "chiso_online_public_services_level4_ratio", 85.5, 0.855},
		{"mobile_broadband_coverage_pct", "chiso_mobile_broadband_coverage_ratio", 100, 1},
		{"user_accounts_active_pct", "chiso_user_accounts_active_ratio", 0, 0},
		{"phone_density_per_100", "chiso_phone_density_per_100", 142.3, 142.3},
		{"telecom_postal_revenue_vnd", "chiso_telecom_postal_revenue_vnd", 2.5e12, 2.5e12},
	}
	for _, tc := range tests {
		t.Run(tc.code, func(t *testing.T) {
			in := ref.Indicator(tc.code)
			if in == nil {
				t.Fatalf("%s not in catalog", tc.code)
			}
			if got := export.MetricName(in); got != tc.want {
				t.Errorf("MetricName = %q, want %q", got, tc.want)
			}
			if got := export.ExportValue(in, tc.in); math.Abs(got-tc.out) > 1e-12 {
				t.Errorf("ExportValue(%v) = %v, want %v", tc.in, got, tc.out)
			}
			// And through a real scrape.
			e := export.New(ref, "test")
			e.SetLatest([]etl.LatestValue{{ProvinceCode: "68", Province: "Lâm Đồng", Indicator: tc.code, Value: tc.in, PeriodEnd: june30}})
			_, body := scrape(t, e.Handler("/metrics", nil), "/metrics")
			got, ok := value(parse(t, body), tc.want, map[string]string{"province_code": "68", "province": "Lâm Đồng"})
			if !ok || math.Abs(got-tc.out) > 1e-12 {
				t.Errorf("scraped %s = %v (found %v), want %v", tc.want, got, ok, tc.out)
			}
		})
	}

	// Every catalog indicator gets a distinct, valid family name.
	seen := map[string]string{}
	for i := range ref.Indicators {
		in := &ref.Indicators[i]
		name := export.MetricName(in)
		if !model.LegacyValidation.IsValidMetricName(name) {
			t.Errorf("%s: invalid metric name %q", in.Code, name)
		}
		if other, dup := seen[name]; dup {
			t.Errorf("%s and %s both map to %s", in.Code, other, name)
		}
		seen[name] = in.Code
		if in.Unit == "percent" && !strings.HasSuffix(name, "_ratio") {
			t.Errorf("%s: percent indicator exported as %s", in.Code, name)
		}
	}
}

func TestPeriodEndSeconds(t *testing.T) {
	// 30 June 2025 ends at 1 July 00:00 ICT = 30 June 17:00 UTC.
	want := float64(time.Date(2025, 6, 30, 17, 0, 0, 0, time.UTC).Unix())
	for _, in := range []time.Time{june30, time.Date(2025, 6, 30, 0, 0, 0, 0, export.ICT), time.Date(2025, 6, 30, 23, 0, 0, 0, time.UTC)} {
		if got := export.PeriodEndSeconds(in); got != want {
			t.Errorf("PeriodEndSeconds(%v) = %v, want %v", in, got, want)
		}
	}
	e := export.New(etl.Ref(), "test")
	e.SetLatest([]etl.LatestValue{{ProvinceCode: "04", Province: "Cao Bằng", Indicator: "fines_vnd", Value: 164500000, PeriodEnd: june30}})
	_, body := scrape(t, e.Handler("/metrics", nil), "/metrics")
	got, ok := value(parse(t, body), "chiso_indicator_period_end_timestamp_seconds",
		map[string]string{"indicator": "fines_vnd", "province_code": "04", "province": "Cao Bằng"})
	if !ok || got != want {
		t.Errorf("period end = %v (found %v), want %v", got, ok, want)
	}
}

func TestSnapshotSwapRemovesVanishedSeries(t *testing.T) {
	ref := etl.Ref()
	e := export.New(ref, "test")
	h := e.Handler("/metrics", nil)
	e.SetLatest([]etl.LatestValue{
		{ProvinceCode: "68", Province: "Lâm Đồng", Indicator: "bts_stations", Value: 1730, PeriodEnd: june30},
		{ProvinceCode: "04", Province: "Cao Bằng", Indicator: "fines_vnd", Value: 164500000, PeriodEnd: june30},
		{ProvinceCode: "04", Province: "Cao Bằng", Indicator: "bts_stations", Value: 900, PeriodEnd: june30},
	})
	_, body := scrape(t, h, "/metrics")
	mfs := parse(t, body)
	if n := seriesCount(mfs, "chiso_bts_stations"); n != 2 {
		t.Fatalf("before swap: %d bts series, want 2", n)
	}
	// Cao Bằng vanishes entirely, fines_vnd with it.
	e.SetLatest([]etl.LatestValue{{ProvinceCode: "68", Province: "Lâm Đồng", Indicator: "bts_stations", Value: 1800, PeriodEnd: june30}})
	_, body = scrape(t, h, "/metrics")
	mfs = parse(t, body)
	if n := seriesCount(mfs, "chiso_bts_stations"); n != 1 {
		t.Errorf("after swap: %d bts series, want 1", n)
	}
	if v, _ := value(mfs, "chiso_bts_stations", map[string]string{"province_code": "68"}); v != 1800 {
		t.Errorf("bts 68 = %v, want 1800", v)
	}
	if _, ok := mfs["chiso_fines_vnd"]; ok {
		t.Error("chiso_fines_vnd still exported after its only province vanished")
	}
	if _, ok := value(mfs, "chiso_indicator_period_end_timestamp_seconds", map[string]string{"province_code": "04"}); ok {
		t.Error("period end of a vanished province still exported")
	}
	// An empty snapshot clears everything but the catalog info.
	e.SetLatest(nil)
	_, body = scrape(t, h, "/metrics")
	mfs = parse(t, body)
	if seriesCount(mfs, "chiso_bts_stations")+seriesCount(mfs, "chiso_indicator_period_end_timestamp_seconds") != 0 {
		t.Error("values left after an empty snapshot")
	}
	if n := seriesCount(mfs, "chiso_indicator_info"); n != len(ref.Indicators) {
		t.Errorf("indicator_info has %d series, want %d", n, len(ref.Indicators))
	}
}

func TestDuplicateAndUnknownRows(t *testing.T) {
	e := export.New(etl.Ref(), "test")
	e.SetLatest([]etl.LatestValue{
		{ProvinceCode: "68", Province: "Lâm Đồng", Indicator: "bts_stations", Value: 1730, PeriodEnd: june30},
		{ProvinceCode: "68", Province: "Lâm Đồng", Indicator: "bts_stations", Value: 1500, PeriodEnd: dec31},
		{ProvinceCode: "68", Province: "Lâm Đồng", Indicator: "no_such_indicator", Value: 1},
	})
	code, body := scrape(t, e.Handler("/metrics", nil), "/metrics")
	if code != http.StatusOK {
		t.Fatalf("scrape status %d: %s", code, body)
	}
	mfs := parse(t, body)
	if v, _ := value(mfs, "chiso_bts_stations", map[string]string{"province_code": "68"}); v != 1730 || seriesCount(mfs, "chiso_bts_stations") != 1 {
		t.Errorf("duplicate rows: want the later period (1730) once, got %v ×%d", v, seriesCount(mfs, "chiso_bts_stations"))
	}
}

func TestETLHealthMetrics(t *testing.T) {
	e := export.New(etl.Ref(), "test")
	h := e.Handler("/metrics", nil)
	_, body := scrape(t, h, "/metrics")
	mfs := parse(t, body)
	if _, ok := mfs["chiso_etl_last_success_timestamp_seconds"]; ok {
		t.Error("last success exported before any run")
	}
	if v, ok := value(mfs, "chiso_etl_runs_total", map[string]string{"status": "failed"}); !ok || v != 0 {
		t.Error("runs_total{status=failed} should start at 0")
	}

	now := time.Date(2025, 7, 2, 3, 0, 0, 0, time.UTC)
	e.ObserveRun(sampleRun(now))
	e.RunSkipped()
	e.RunSkipped()
	_, body = scrape(t, h, "/metrics")
	mfs = parse(t, body)
	checks := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"chiso_etl_last_success_timestamp_seconds", nil, float64(now.Unix())},
		{"chiso_etl_last_run_timestamp_seconds", nil, float64(now.Unix())},
		{"chiso_etl_last_run_success", nil, 1},
		{"chiso_etl_last_run_duration_seconds", nil, 95},
		{"chiso_etl_stage_duration_seconds", map[string]string{"stage": "extract"}, 48},
		{"chiso_etl_stage_duration_seconds", map[string]string{"stage": "fetch"}, 12.5},
		{"chiso_etl_documents", map[string]string{"state": "seen"}, 120},
		{"chiso_etl_documents", map[string]string{"state": "loaded"}, 30},
		{"chiso_etl_documents", map[string]string{"state": "unchanged"}, 85},
		{"chiso_etl_documents", map[string]string{"state": "rejected"}, 5},
		{"chiso_etl_facts_loaded", nil, 412},
		{"chiso_etl_rejects", map[string]string{"reason": "malformed_number"}, 3},
		{"chiso_etl_runs_total", map[string]string{"status": "success"}, 1},
		{"chiso_etl_runs_skipped_total", nil, 2},
		{"chiso_etl_data_check_failures", nil, 0},
		{"chiso_warehouse_facts", nil, 5210},
	}
	for _, c := range checks {
		if got, ok := value(mfs, c.name, c.labels); !ok || got != c.want {
			t.Errorf("%s%v = %v (found %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
	if !e.Ready() {
		t.Error("not ready after a successful run")
	}

	// A failed run: last-run figures follow it, last success stays.
	failed := etl.RunStats{Started: now.Add(time.Hour), Finished: now.Add(time.Hour + time.Minute), Status: etl.RunFailed,
		DocsSeen: 3, DocsRejected: 3, RejectsByReason: map[string]int{"fetch_error": 3}, DataCheckFailures: 2}
	e.ObserveRun(failed)
	_, body = scrape(t, h, "/metrics")
	mfs = parse(t, body)
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"chiso_etl_last_success_timestamp_seconds", nil, float64(now.Unix())},
		{"chiso_etl_last_run_timestamp_seconds", nil, float64(now.Add(time.Hour + time.Minute).Unix())},
		{"chiso_etl_last_run_success", nil, 0},
		{"chiso_etl_runs_total", map[string]string{"status": "failed"}, 1},
		{"chiso_etl_runs_total", map[string]string{"status": "success"}, 1},
		{"chiso_etl_rejects", map[string]string{"reason": "fetch_error"}, 3},
		{"chiso_etl_data_check_failures", nil, 2},
		{"chiso_warehouse_facts", nil, 5210}, // a failed run without a count keeps the last one
	} {
		if got, ok := value(mfs, c.name, c.labels); !ok || got != c.want {
			t.Errorf("after failure: %s%v = %v (found %v), want %v", c.name, c.labels, got, ok, c.want)
		}
	}
	if n := seriesCount(mfs, "chiso_etl_rejects"); n != 1 {
		t.Errorf("rejects of the previous run still exported: %d series", n)
	}
	if v, ok := value(mfs, "chiso_build_info", map[string]string{"version": "test"}); !ok || v != 1 {
		t.Error("chiso_build_info{version=test} missing")
	}
}

// TestLint runs promlint and promtool over a fully populated exporter.
func TestLint(t *testing.T) {
	ref := etl.Ref()
	e := export.New(ref, "test")
	e.SetLatest(fullSnapshot(ref, "01", "04", "68"))
	e.ObserveRun(sampleRun(time.Now()))
	e.RunSkipped()
	h := e.Handler("/metrics", nil)
	code, body := scrape(t, h, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("status %d", code)
	}
	problems, err := promlint.New(strings.NewReader(string(body))).Lint()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("promlint: %s: %s", p.Metric, p.Text)
	}
	mfs := parse(t, body)
	for name, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if m.TimestampMs != nil {
				t.Errorf("%s carries a timestamp", name)
			}
		}
	}
	for i := range ref.Indicators {
		if n := seriesCount(mfs, export.MetricName(&ref.Indicators[i])); n != 3 {
			t.Errorf("%s: %d series, want 3", export.MetricName(&ref.Indicators[i]), n)
		}
	}
	promtest.CheckMetrics(t, body)
}

func TestHealthReadyLanding(t *testing.T) {
	e := export.New(etl.Ref(), "v1.2.3")
	extra := map[string]http.Handler{"/debug/extra": http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "extra") })}
	h := e.Handler("/custom-metrics", extra)
	get := func(path string) (int, string) { c, b := scrape(t, h, path); return c, string(b) }

	if c, _ := get("/healthz"); c != http.StatusOK {
		t.Errorf("/healthz = %d before load", c)
	}
	if c, _ := get("/readyz"); c != http.StatusServiceUnavailable {
		t.Errorf("/readyz = %d before load, want 503", c)
	}
	if c, b := get("/"); c != http.StatusOK || !strings.Contains(b, "chiso") || !strings.Contains(b, "custom-metrics") || !strings.Contains(b, "v1.2.3") {
		t.Errorf("landing page: %d %.200s", c, b)
	}
	if c, _ := get("/nope"); c != http.StatusNotFound {
		t.Errorf("/nope = %d, want 404", c)
	}
	if c, b := get("/debug/extra"); c != http.StatusOK || b != "extra" {
		t.Errorf("extra route: %d %q", c, b)
	}
	if c, b := get("/custom-metrics"); c != http.StatusOK || !strings.Contains(b, "chiso_indicator_info") {
		t.Errorf("telemetry path: %d", c)
	}
	// A failed run does not make the exporter ready; a load does.
	e.ObserveRun(etl.RunStats{Status: etl.RunFailed, Finished: time.Now()})
	if c, _ := get("/readyz"); c != http.StatusServiceUnavailable {
		t.Errorf("/readyz = %d after a failed run, want 503", c)
	}
	e.SetLatest([]etl.LatestValue{{ProvinceCode: "68", Province: "Lâm Đồng", Indicator: "bts_stations", Value: 1730, PeriodEnd: june30}})
	if c, _ := get("/readyz"); c != http.StatusOK {
		t.Errorf("/readyz = %d after load, want 200", c)
	}
	if c, _ := get("/healthz"); c != http.StatusOK {
		t.Errorf("/healthz = %d after load", c)
	}
}

// TestConcurrentScrapesSeeWholeSnapshots swaps two different complete
// snapshots while 8 goroutines scrape 2,000 times; every scrape must show
// exactly one of them.
func TestConcurrentScrapesSeeWholeSnapshots(t *testing.T) {
	ref := etl.Ref()
	var a, b []etl.LatestValue
	for _, p := range ref.Provinces34[:10] {
		for _, in := range ref.Indicators {
			a = append(a, etl.LatestValue{ProvinceCode: p.Code, Province: p.Name, Indicator: in.Code, Value: 1, PeriodEnd: dec31})
		}
	}
	for _, p := range ref.Provinces34[20:25] {
		for _, in := range ref.Indicators[:20] {
			b = append(b, etl.LatestValue{ProvinceCode: p.Code, Province: p.Name, Indicator: in.Code, Value: 2, PeriodEnd: june30})
		}
	}
	// fingerprint of a snapshot as seen in a scrape: sorted "name{prov} value" lines.
	fp := func(body []byte) string {
		var lines []string
		for _, l := range strings.Split(string(body), "\n") {
			if !strings.HasPrefix(l, "chiso_") || strings.HasPrefix(l, "chiso_etl_") || strings.HasPrefix(l, "chiso_indicator_info") ||
				strings.HasPrefix(l, "chiso_build_info") || strings.HasPrefix(l, "chiso_warehouse_") {
				continue
			}
			lines = append(lines, l)
		}
		sort.Strings(lines)
		return strings.Join(lines, "\n")
	}
	e := export.New(ref, "test")
	h := e.Handler("/metrics", nil)
	e.SetLatest(a)
	_, bodyA := scrape(t, h, "/metrics")
	e.SetLatest(b)
	_, bodyB := scrape(t, h, "/metrics")
	fpA, fpB := fp(bodyA), fp(bodyB)
	if fpA == fpB || strings.Count(fpA, "\n")+1 != 2*len(a) || strings.Count(fpB, "\n")+1 != 2*len(b) {
		t.Fatalf("bad fixtures: %d and %d lines", strings.Count(fpA, "\n")+1, strings.Count(fpB, "\n")+1)
	}

	const scrapers, total = 8, 2000
	var (
		done          atomic.Bool
		swaps         atomic.Int64
		sawA, sawB    atomic.Int64
		wg, swapperWG sync.WaitGroup
		next          atomic.Int64
	)
	swapperWG.Add(1)
	go func() {
		defer swapperWG.Done()
		for i := 0; !done.Load(); i++ {
			if i%2 == 0 {
				e.SetLatest(a)
			} else {
				e.SetLatest(b)
			}
			swaps.Add(1)
		}
	}()
	errs := make(chan string, scrapers)
	for w := 0; w < scrapers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= total {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
				switch fp(rec.Body.Bytes()) {
				case fpA:
					sawA.Add(1)
				case fpB:
					sawB.Add(1)
				default:
					errs <- fmt.Sprintf("scrape showed neither snapshot (status %d)", rec.Code)
					return
				}
			}
		}()
	}
	wg.Wait()
	done.Store(true)
	swapperWG.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if sawA.Load()+sawB.Load() != total {
		t.Errorf("checked %d scrapes, want %d", sawA.Load()+sawB.Load(), total)
	}
	t.Logf("%d scrapes: %d saw A, %d saw B, %d swaps", total, sawA.Load(), sawB.Load(), swaps.Load())
}

// BenchmarkScrape scrapes an exporter holding every indicator for all 34
// provinces (~3,500 series) and reports scrape latency percentiles.
func BenchmarkScrape(b *testing.B) {
	ref := etl.Ref()
	var codes []string
	for _, p := range ref.Provinces34 {
		codes = append(codes, p.Code)
	}
	e := export.New(ref, "bench")
	e.SetLatest(fullSnapshot(ref, codes...))
	e.ObserveRun(sampleRun(time.Now()))
	h := e.Handler("/metrics", nil)
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	lat := make([]time.Duration, 0, b.N)
	var size int
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, req)
		lat = append(lat, time.Since(start))
		size = rec.Body.Len()
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[int(math.Ceil(p*float64(len(lat))))-1].Microseconds()) / 1000
	}
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(size), "bytes/scrape")
}
