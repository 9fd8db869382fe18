package warehouse

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/chiso-vn/chiso/etl"
	sqlfiles "github.com/chiso-vn/chiso/sql"
)

func TestMigrationsApplyAndReapply(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	files, _ := fs.Glob(sqlfiles.FS, "schema/*.sql")
	w := openTest(t, path)
	if got := count(t, w, `SELECT count(*) FROM schema_version`); got != len(files) {
		t.Fatalf("schema_version rows = %d, want %d", got, len(files))
	}
	mustLoad(t, w, fixture()...)
	facts := count(t, w, `SELECT count(*) FROM fact_indicator`)
	w.Close()
	for i := 0; i < 2; i++ {
		w = openTest(t, path)
		if got := count(t, w, `SELECT count(*) FROM schema_version`); got != len(files) {
			t.Fatalf("reopen %d: schema_version rows = %d, want %d", i, got, len(files))
		}
		if got := count(t, w, `SELECT count(*) FROM fact_indicator`); got != facts {
			t.Fatalf("reopen %d: facts = %d, want %d (existing data must survive)", i, got, facts)
		}
		if got := count(t, w, `SELECT count(*) FROM dim_province`); got != 63+34 {
			t.Fatalf("dim_province rows = %d, want 97", got)
		}
		w.Close()
	}
}

func TestDimProvince(t *testing.T) {
	w := openTest(t, "")
	for _, c := range []struct {
		q    string
		want int
	}{
		{`SELECT count(*) FROM dim_province WHERE era = 63 AND valid_to = DATE '2025-06-30'`, 63},
		{`SELECT count(*) FROM dim_province WHERE era = 34 AND valid_from = DATE '2025-07-01' AND valid_to IS NULL`, 34},
		{`SELECT count(*) FROM dim_province WHERE era = 63 AND successor_code IS NULL`, 0},
		{`SELECT count(*) FROM dim_province WHERE era = 63 AND successor_code = '68' AND code IN ('60','67','68')`, 3},
		{`SELECT count(*) FROM dim_indicator`, len(etl.Ref().Indicators)},
	} {
		if got := count(t, w, c.q); got != c.want {
			t.Errorf("%s = %d, want %d", c.q, got, c.want)
		}
	}
}

func TestLoadTwiceIsIdempotent(t *testing.T) {
	ctx := context.Background()
	w := openTest(t, "")
	outs := fixture()
	st := mustLoad(t, w, outs...)
	if st.Status != etl.RunSuccess || st.DocsLoaded != len(outs)-1 || st.DocsRejected != 1 || st.Facts == 0 {
		t.Fatalf("first run stats %+v", st)
	}
	if st.RejectsByReason["binary"] != 1 || st.RejectsByReason["malformed_number"] != 1 {
		t.Fatalf("rejects by reason %v", st.RejectsByReason)
	}
	if st.DataCheckFailures != 0 {
		t.Fatalf("fixture fails %d data checks", st.DataCheckFailures)
	}
	before := count(t, w, `SELECT count(*) FROM v_facts`)
	if before != st.TotalFacts || before != st.Facts {
		t.Fatalf("v_facts=%d total=%d facts=%d", before, st.TotalFacts, st.Facts)
	}

	// The pipeline consults Known and marks already-loaded content unchanged.
	known, err := w.Known(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var second []etl.Outcome
	for _, o := range fixture() {
		if known.HasContent(o.Doc.ID, o.Doc.SHA256) {
			o = etl.Outcome{Doc: o.Doc, Status: etl.StatusUnchanged}
		}
		second = append(second, o)
	}
	st2 := mustLoad(t, w, second...)
	if st2.DocsUnchanged != len(outs)-1 || st2.DocsLoaded != 0 || st2.Facts != 0 {
		t.Fatalf("second run stats %+v", st2)
	}
	if after := count(t, w, `SELECT count(*) FROM v_facts`); after != before {
		t.Fatalf("v_facts after unchanged run = %d, want %d", after, before)
	}
	if got := count(t, w, `SELECT count(*) FROM dim_document WHERE last_seen_run = $1 AND loaded_run = $2`, st2.RunID, st.RunID); got != len(outs)-1 {
		t.Fatalf("documents seen by run 2 but loaded by run 1 = %d", got)
	}
	// Reloading the same outcomes as "loaded" replaces, never duplicates.
	mustLoad(t, w, fixture()...)
	if after := count(t, w, `SELECT count(*) FROM v_facts`); after != before {
		t.Fatalf("v_facts after reload = %d, want %d", after, before)
	}
	// A different extractor version no longer knows the content.
	w.opts.ExtractorVersion = "test-2"
	k2, _ := w.Known(ctx)
	if k2.HasContent(outs[0].Doc.ID, outs[0].Doc.SHA256) {
		t.Fatal("content loaded by another extractor version must not be known")
	}
}

func TestChangedAndRejectedVersions(t *testing.T) {
	w := openTest(t, "")
	mustLoad(t, w, fixture()...)
	others := count(t, w, `SELECT count(*) FROM v_facts WHERE doc <> 'ld_2022'`)
	sumOthers := count(t, w, `SELECT sum(value)::BIGINT FROM v_facts WHERE doc <> 'ld_2022'`)

	// New content of ld_2022: one fact changed, one dropped.
	v2 := outcome("ld_2022", "2023-02-01", f("68", "bts_stations", yr, 2022, 1735))
	st := mustLoad(t, w, v2)
	if got := count(t, w, `SELECT count(*) FROM v_facts WHERE doc = 'ld_2022'`); got != 1 {
		t.Fatalf("ld_2022 facts after change = %d, want 1", got)
	}
	if got := count(t, w, `SELECT value::INT FROM v_facts WHERE doc = 'ld_2022'`); got != 1735 {
		t.Fatalf("ld_2022 value = %d", got)
	}
	if count(t, w, `SELECT count(*) FROM v_facts WHERE doc <> 'ld_2022'`) != others ||
		count(t, w, `SELECT sum(value)::BIGINT FROM v_facts WHERE doc <> 'ld_2022'`) != sumOthers {
		t.Fatal("a changed document touched other documents' facts")
	}
	if got := count(t, w, `SELECT count(*) FROM dim_document WHERE doc = 'ld_2022' AND loaded_run = $1 AND sha256 = $2`, st.RunID, v2.Doc.SHA256); got != 1 {
		t.Fatal("dim_document not updated to the new version")
	}

	// A rejected newer version keeps the facts of the loaded one.
	bad := rejected("ld_2022", "binary")
	st = mustLoad(t, w, bad)
	if st.DocsRejected != 1 {
		t.Fatalf("stats %+v", st)
	}
	if got := count(t, w, `SELECT count(*) FROM v_facts WHERE doc = 'ld_2022' AND value = 1735`); got != 1 {
		t.Fatal("rejected version lost the old facts")
	}
	if got := count(t, w, `SELECT count(*) FROM dim_document WHERE doc = 'ld_2022' AND sha256 = $1 AND last_seen_run = $2`, v2.Doc.SHA256, st.RunID); got != 1 {
		t.Fatal("rejected version changed the document row or did not mark it seen")
	}
	if got := count(t, w, `SELECT count(*) FROM v_rejects WHERE doc = 'ld_2022' AND run_id = $1`, st.RunID); got != 1 {
		t.Fatal("reject not recorded")
	}
}

func TestLatest(t *testing.T) {
	w := openTest(t, "")
	mustLoad(t, w, fixture()...)
	latest, err := w.Latest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]etl.LatestValue{}
	for _, l := range latest {
		got[l.ProvinceCode+"/"+l.Indicator] = l
	}
	for _, c := range []struct {
		key, province, doc, end string
		value                   float64
	}{
		{"68/bts_stations", "Lâm Đồng", "ld_2025_09", "2025-09-30", 4200},
		{"15/bts_stations", "Lào Cai", "lc_2025_09", "2025-09-30", 2500},
		{"42/bts_stations", "Hà Tĩnh", "ht_2024", "2024-12-31", 2300},
		{"67/bts_stations", "Đắk Nông", "dn_2020", "2020-12-31", 800},
		{"68/fines_vnd", "Lâm Đồng", "ld_2025_h1", "2025-06-30", 50e6},
	} {
		l, ok := got[c.key]
		if !ok {
			t.Errorf("%s missing from v_latest", c.key)
			continue
		}
		if l.Province != c.province || l.Doc != c.doc || l.Value != c.value || l.PeriodEnd.Format("2006-01-02") != c.end {
			t.Errorf("%s = %+v, want %s %s %v %s", c.key, l, c.province, c.doc, c.value, c.end)
		}
	}
}

func TestFailedLoadKeepsPreviousState(t *testing.T) {
	for _, tc := range []struct {
		name string
		run  func(w *Warehouse) (etl.RunStats, error)
	}{
		{"cancelled", func(w *Warehouse) (etl.RunStats, error) {
			ctx, cancel := context.WithCancel(context.Background())
			ch := make(chan etl.Outcome)
			go func() {
				// Replace a document, then stop mid-stream.
				ch <- outcome("ld_2019", "", f("68", "bts_stations", yr, 2019, 1))
				ch <- outcome("new_doc", "", f("42", "bts_stations", yr, 2021, 5))
				cancel()
			}()
			return w.Load(ctx, ch)
		}},
		{"unknown indicator", func(w *Warehouse) (etl.RunStats, error) {
			return w.Load(context.Background(), feed(
				outcome("ld_2019", "", f("68", "bts_stations", yr, 2019, 1)),
				outcome("bad", "", f("68", "no_such_indicator", yr, 2019, 1)),
			))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := openTest(t, "")
			mustLoad(t, w, fixture()...)
			before := count(t, w, `SELECT count(*) FROM v_facts`)
			sum := count(t, w, `SELECT sum(value)::BIGINT FROM v_facts`)
			docs := count(t, w, `SELECT count(*) FROM dim_document`)
			st, err := tc.run(w)
			if err == nil {
				t.Fatal("load succeeded")
			}
			if tc.name == "cancelled" && !errors.Is(err, context.Canceled) {
				t.Fatalf("err = %v, want context.Canceled", err)
			}
			if st.Status != etl.RunFailed {
				t.Fatalf("status %q", st.Status)
			}
			if count(t, w, `SELECT count(*) FROM v_facts`) != before || count(t, w, `SELECT sum(value)::BIGINT FROM v_facts`) != sum ||
				count(t, w, `SELECT count(*) FROM dim_document`) != docs {
				t.Fatal("failed load changed the warehouse")
			}
			if got := count(t, w, `SELECT count(*) FROM load_run WHERE run_id = $1 AND status = 'failed' AND error <> ''`, st.RunID); got != 1 {
				t.Fatal("run not marked failed with its error")
			}
			// The warehouse still loads afterwards.
			mustLoad(t, w, outcome("after", "", f("42", "bts_stations", yr, 2021, 5)))
		})
	}
}

func TestReopenMarksRunningAbandoned(t *testing.T) {
	path := filepath.Join(t.TempDir(), "w.duckdb")
	w := openTest(t, path)
	mustLoad(t, w, fixture()...)
	// What a process killed mid-load leaves: a committed "running" row.
	if _, err := w.DB().Exec(`INSERT INTO load_run (run_id, started_at, status, pid) VALUES (nextval('seq_run_id'), now()::TIMESTAMP, 'running', 1)`); err != nil {
		t.Fatal(err)
	}
	w.Close()
	w = openTest(t, path)
	if got := count(t, w, `SELECT count(*) FROM load_run WHERE status = 'abandoned'`); got != 1 {
		t.Fatalf("abandoned runs = %d", got)
	}
	if got := count(t, w, `SELECT count(*) FROM load_run WHERE status = 'running'`); got != 0 {
		t.Fatalf("running runs = %d", got)
	}
	if ts, err := w.LastSuccess(context.Background()); err != nil || ts.IsZero() {
		t.Fatalf("LastSuccess = %v, %v", ts, err)
	}
}

func columns(t *testing.T, w *Warehouse, rel string) (names, types []string) {
	rows, err := w.DB().Query(`SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = $1 AND database_name = current_database() ORDER BY column_index`, rel)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n, ty string
		rows.Scan(&n, &ty)
		names = append(names, n)
		types = append(types, ty)
	}
	return
}

func TestContractViews(t *testing.T) {
	w := openTest(t, "")
	for _, c := range []struct {
		view string
		cols []string
	}{
		{"v_facts", []string{"doc", "source_uri", "province_code", "province", "period_start", "period_end", "indicator",
			"category", "unit", "value", "qualifier", "evidence", "span_start", "span_end", "run_id"}},
		{"v_latest", []string{"province_code", "province", "indicator", "unit", "value", "qualifier", "period_start", "period_end", "doc"}},
	} {
		names, types := columns(t, w, c.view)
		if !reflect.DeepEqual(names, c.cols) {
			t.Errorf("%s columns = %v, want %v", c.view, names, c.cols)
		}
		for i, n := range names {
			if (n == "period_start" || n == "period_end") && types[i] != "DATE" {
				t.Errorf("%s.%s is %s, want DATE", c.view, n, types[i])
			}
		}
	}
}

func TestProvinceNameByEra(t *testing.T) {
	w := openTest(t, "")
	mustLoad(t, w, fixture()...)
	for _, c := range []struct{ code, end, want string }{
		{"68", "2024-12-31", "Lâm Đồng"},
		{"15", "2024-12-31", "Yên Bái"},
		{"15", "2025-09-30", "Lào Cai"},
		{"68", "2025-09-30", "Lâm Đồng"},
	} {
		var name string
		if err := w.DB().QueryRow(`SELECT province FROM v_facts WHERE province_code = $1 AND period_end = $2::DATE LIMIT 1`, c.code, c.end).Scan(&name); err != nil {
			t.Fatalf("%s@%s: %v", c.code, c.end, err)
		}
		if name != c.want {
			t.Errorf("%s@%s = %q, want %q", c.code, c.end, name, c.want)
		}
	}
	// The era-34 row of Lâm Đồng absorbs three era-63 provinces.
	if got := count(t, w, `SELECT members_total FROM v_province_34 WHERE province_code = '68' AND year = 2020 AND indicator = 'bts_stations'`); got != 3 {
		t.Fatalf("members_total = %d", got)
	}
	if got := count(t, w, `SELECT value::INT FROM v_province_34 WHERE province_code = '68' AND year = 2020 AND indicator = 'bts_stations'`); got != 1600+800+1200 {
		t.Fatalf("roll-up = %d", got)
	}
	// Annual figure preferred over the sum of halves; halves summed otherwise.
	if got := count(t, w, `SELECT value::BIGINT FROM v_flow_by_year WHERE province_code = '68' AND year = 2020 AND indicator = 'fines_vnd'`); got != 115e6 {
		t.Fatalf("fines 2020 = %d", got)
	}
	if got := count(t, w, `SELECT value::BIGINT FROM v_flow_by_year WHERE province_code = '68' AND year = 2021 AND indicator = 'fines_vnd' AND complete`); got != 65e6 {
		t.Fatalf("fines 2021 = %d", got)
	}
}

func TestDataChecksCatchBrokenFacts(t *testing.T) {
	w := openTest(t, "")
	st := mustLoad(t, w, fixture()...)
	checks, _ := fs.Glob(sqlfiles.FS, "checks/*.sql")
	if got := count(t, w, `SELECT count(*) FROM data_check_result WHERE run_id = $1`, st.RunID); got != len(checks) || got < 6 {
		t.Fatalf("checks recorded = %d, files = %d", got, len(checks))
	}
	if got := count(t, w, `SELECT count(*) FROM data_check_result WHERE run_id = $1 AND failing_rows > 0`, st.RunID); got != 0 {
		t.Fatalf("fixture fails %d checks", got)
	}
	for _, c := range []struct {
		check string
		out   etl.Outcome
	}{
		{"percent_in_range", outcome("bad_pct", "", f("68", "mobile_broadband_coverage_pct", yr, 2023, 150))},
		{"period_plausible", outcome("bad_year", "", f("68", "bts_stations", yr, 1990, 10))},
		{"province_valid_for_date", outcome("bad_prov", "", f("67", "bts_stations", yr, 2026, 10))},
		{"value_within_denominator", func() etl.Outcome {
			o := outcome("bad_ratio", "", f("68", "lgsp_connected_systems", yr, 2023, 31))
			o.Extraction.Facts[0].Denominator = 30
			return o
		}()},
		{"evidence_and_span", func() etl.Outcome {
			o := outcome("bad_span", "", f("68", "bts_stations", yr, 2023, 10))
			o.Extraction.Facts[0].SpanEnd = 100000
			return o
		}()},
		{"unit_matches_catalog", func() etl.Outcome {
			o := outcome("bad_unit", "", f("68", "bts_stations", yr, 2023, 10))
			o.Extraction.Facts[0].Unit = "vnd"
			return o
		}()},
	} {
		st := mustLoad(t, w, c.out)
		if st.DataCheckFailures < 1 {
			t.Errorf("%s: DataCheckFailures = %d, want >= 1", c.check, st.DataCheckFailures)
		}
		if got := count(t, w, `SELECT failing_rows FROM data_check_result WHERE run_id = $1 AND check_name = $2`, st.RunID, c.check); got != 1 {
			t.Errorf("%s: failing rows = %d", c.check, got)
		}
		if got := count(t, w, `SELECT data_check_failures FROM load_run WHERE run_id = $1`, st.RunID); got != st.DataCheckFailures {
			t.Errorf("%s: load_run.data_check_failures = %d", c.check, got)
		}
		// Remove the broken document again by loading it empty.
		empty := c.out
		empty.Extraction = &etl.Extraction{}
		mustLoad(t, w, empty)
	}
}

func TestGrainKeptBySetBasedLoad(t *testing.T) {
	w := openTest(t, "")
	a := f("68", "bts_stations", yr, 2023, 10)
	b := f("68", "bts_stations", yr, 2023, 12)
	b.score = 0.95
	st := mustLoad(t, w, outcome("dup", "", a, b))
	if st.Facts != 1 || st.Candidates != 1 {
		t.Fatalf("facts=%d candidates=%d", st.Facts, st.Candidates)
	}
	if got := count(t, w, `SELECT value::INT FROM v_facts WHERE doc = 'dup'`); got != 12 {
		t.Fatalf("winner = %d, want the best-scored 12", got)
	}
}

// TestRewriteWithinDefaultMemoryLimit: a first load and, after an extractor
// upgrade, a run that replaces every document, of texts far larger than
// the loader's default memory limit. Both must succeed (DuckDB spills), the
// rewrite must keep when each document was first seen and leave the same
// facts. (Updating the text column in place ran out of memory at 10,000
// generated reports.)
func TestRewriteWithinDefaultMemoryLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("loads 10,000 documents twice")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "w.duckdb")
	outs := oracleOutcomes(10000, true)
	for i := range outs {
		// real reports run to tens of kilobytes: 8 copies make ~18 KB
		// texts, 180 MB in all, far over the memory limit
		outs[i].Text.Body = strings.Repeat(outs[i].Text.Body+"\n", 8)
	}
	open := func(version string) *Warehouse {
		w, err := Open(ctx, Options{Path: path, Threads: 2, ExtractorVersion: version}) // default memory limit
		if err != nil {
			t.Fatal(err)
		}
		return w
	}
	w := open("v1")
	first := mustLoad(t, w, outs...)
	facts := count(t, w, `SELECT count(*) FROM fact_indicator`)
	w.Close()

	w = open("v2")
	defer w.Close()
	st := mustLoad(t, w, outs...)
	if st.DocsLoaded != len(outs) || st.DataCheckFailures != first.DataCheckFailures {
		t.Fatalf("rewrite: %+v (first load: %d data check failures)", st, first.DataCheckFailures)
	}
	if got := count(t, w, `SELECT count(*) FROM fact_indicator`); got != facts {
		t.Errorf("facts after rewrite = %d, want %d", got, facts)
	}
	if got := count(t, w, `SELECT count(*) FROM dim_document WHERE first_seen_run = $1 AND loaded_run = $2 AND extractor_version = 'v2'`,
		first.RunID, st.RunID); got != len(outs) {
		t.Errorf("documents replaced with their first run kept = %d, want %d", got, len(outs))
	}
	if got := count(t, w, `SELECT count(DISTINCT doc_key) FROM dim_document`); got != len(outs) {
		t.Errorf("distinct document keys = %d, want %d", got, len(outs))
	}
}
