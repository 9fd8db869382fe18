package main

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/chiso-vn/chiso/etl"
	"github.com/chiso-vn/chiso/etl/gen"
	"github.com/chiso-vn/chiso/etl/job"
	"github.com/chiso-vn/chiso/etl/warehouse"
)

// benchCommand generates corpora and measures, each in a fresh process as a
// nightly run would be: a full load, a no-change re-run, the loader alone
// on the same facts, and DuckDB's own CSV bulk load of those facts as the
// reference. Medians over --runs; peak RSS is the child's own VmHWM.
func benchCommand(app *kingpin.Application, g *globals) command {
	c := app.Command("bench", "Generate corpora and measure full and no-change loads, the loader and DuckDB's CSV bulk load (see BENCHMARKS.md).")
	sizes := c.Flag("docs", "Corpus sizes.").Default("10000", "100000").Ints()
	seed := c.Flag("seed", "Corpus seed.").Default("1").Uint64()
	runs := c.Flag("runs", "Runs per measurement (the median is printed).").Default("3").Int()
	dir := c.Flag("dir", "Working directory for corpora and databases.").Default(filepath.Join(os.TempDir(), "chiso-bench")).String()
	oracleAbove := c.Flag("oracle-above", "Corpora larger than this are loaded with their truth as the extraction (no decode/extract), measuring the rest of the run; 0: never.").Default("0").Int()
	// A child process runs one measured step: bench --step load|loader SRC.
	step := c.Flag("step", "Internal: run one measured step in this process.").Hidden().Enum("load", "loader", "oracle")
	src := c.Flag("src", "Internal: corpus directory (load) or source database (loader).").Hidden().String()
	return command{c, func(ctx context.Context, g *globals) error {
		if *step != "" {
			return benchStep(ctx, g, *step, *src)
		}
		return runBench(ctx, g, *sizes, *seed, *runs, *dir, *oracleAbove)
	}}
}

// stepResult is what a child prints as one JSON line.
type stepResult struct {
	Wall       float64            `json:"wall_s"`
	Open       float64            `json:"open_s"`
	Run        float64            `json:"run_s"`
	Publish    float64            `json:"publish_s"`
	Stages     map[string]float64 `json:"stages"`
	DocsSeen   int                `json:"docs_seen"`
	Loaded     int                `json:"docs_loaded"`
	Unchanged  int                `json:"docs_unchanged"`
	Rejected   int                `json:"docs_rejected"`
	Facts      int                `json:"facts"`
	TotalFacts int                `json:"total_facts"`
	DuckDBCSV  float64            `json:"duckdb_csv_s"`
	MaxRSSKB   int64              `json:"max_rss_kb"`
}

func benchStep(ctx context.Context, g *globals, step, src string) error {
	t0 := time.Now()
	var r stepResult
	var err error
	switch step {
	case "load":
		r, err = benchLoad(ctx, g, src)
	case "loader":
		r, err = benchLoader(ctx, g, src)
	case "oracle":
		r, err = benchOracle(ctx, g, src)
	}
	if err != nil {
		return err
	}
	r.Wall = time.Since(t0).Seconds()
	r.MaxRSSKB = peakRSSKB()
	return json.NewEncoder(g.stdout).Encode(r)
}

// publish times the analytics copy and records the run's counters.
func (r *stepResult) publish(ctx context.Context, g *globals, w *warehouse.Warehouse, st etl.RunStats) error {
	t := time.Now()
	if err := w.Publish(ctx, analyticsPath(*g.db)); err != nil {
		return err
	}
	r.Publish = time.Since(t).Seconds()
	r.Stages = st.StageSeconds
	r.DocsSeen, r.Loaded, r.Unchanged, r.Rejected = st.DocsSeen, st.DocsLoaded, st.DocsUnchanged, st.DocsRejected
	r.Facts, r.TotalFacts = st.Facts, st.TotalFacts
	return nil
}

// benchLoad is `chiso load`: open, one run, publish.
func benchLoad(ctx context.Context, g *globals, corpus string) (stepResult, error) {
	var r stepResult
	t0 := time.Now()
	w, err := warehouse.Open(ctx, g.warehouseOptions())
	if err != nil {
		return r, err
	}
	defer w.Close()
	r.Open = time.Since(t0).Seconds()
	cfg := g.jobConfig([]string{corpus})
	cfg.AnalyticsPath = ""
	t1 := time.Now()
	st, err := job.New(w, cfg, nil).Run(ctx)
	if err != nil {
		return r, err
	}
	r.Run = time.Since(t1).Seconds()
	return r, r.publish(ctx, g, w, st)
}

// benchOracle loads a generated corpus without reading or extracting it:
// each document's bytes are regenerated from the seed and its truth rows
// become its facts. It measures everything after extraction (the loader,
// DuckDB, checks, publish) at a scale the extractor's speed would not
// allow within the time budget, and leaves a warehouse on which a real
// no-change re-run can be measured. src is "DIR:DOCS:SEED".
func benchOracle(ctx context.Context, g *globals, src string) (stepResult, error) {
	var r stepResult
	parts := strings.Split(src, ":")
	n, _ := strconv.Atoi(parts[1])
	seed, _ := strconv.ParseUint(parts[2], 10, 64)
	t0 := time.Now()
	w, err := warehouse.Open(ctx, g.warehouseOptions())
	if err != nil {
		return r, err
	}
	defer w.Close()
	r.Open = time.Since(t0).Seconds()
	gn := gen.New(gen.Options{Docs: n, Seed: seed})
	ch := make(chan etl.Outcome, 256)
	go func() {
		defer close(ch)
		for i := range n {
			d := gn.Doc(i)
			sum := sha256.Sum256(d.Body)
			o := etl.Outcome{Doc: &etl.Document{ID: d.ID, URI: filepath.Join(parts[0], d.Path), SHA256: hex.EncodeToString(sum[:]), Raw: d.Body}}
			if d.Format == "broken" {
				o.Status = etl.StatusRejected
				o.Rejects = []etl.Reject{{Doc: d.ID, Stage: etl.StageDecode, Reason: "binary"}}
			} else {
				body := string(d.Body)
				o.Status, o.Text, o.Extraction = etl.StatusLoaded, &etl.Text{Body: body, Format: d.Format, Encoding: "utf-8"}, &etl.Extraction{}
				for _, t := range d.Facts {
					grain := etl.GrainYear
					if t.End.Sub(t.Start) < 360*24*time.Hour {
						grain = etl.GrainYTD
					}
					o.Extraction.Facts = append(o.Extraction.Facts, etl.Fact{Doc: d.ID, ProvinceCode: t.ProvinceCode,
						Period: etl.Period{Start: t.Start, End: t.End, Grain: grain}, Indicator: t.Indicator,
						Unit: etl.Ref().Indicator(t.Indicator).Unit, Value: t.Value, Qualifier: t.Qualifier, Evidence: t.Evidence,
						SpanStart: 0, SpanEnd: len([]rune(t.Evidence)), Score: 1})
				}
			}
			select {
			case ch <- o:
			case <-ctx.Done():
				return
			}
		}
	}()
	t1 := time.Now()
	st, err := w.Load(ctx, ch)
	for range ch {
	}
	if err != nil {
		return r, err
	}
	r.Run = time.Since(t1).Seconds()
	return r, r.publish(ctx, g, w, st)
}

// benchLoader loads the facts of an already loaded database into a fresh
// one through warehouse.Load (no extraction: the loader alone), then times
// DuckDB's own CSV bulk load of the same fact rows into the fact table's
// shape.
func benchLoader(ctx context.Context, g *globals, srcDB string) (stepResult, error) {
	var r stepResult
	src, err := sql.Open("duckdb", srcDB+"?access_mode=read_only")
	if err != nil {
		return r, err
	}
	defer src.Close()
	w, err := warehouse.Open(ctx, g.warehouseOptions())
	if err != nil {
		return r, err
	}
	defer w.Close()
	// The outcomes are read back into memory first, so that the timing
	// covers the loader alone, as the pipeline feeds it, and not a query of
	// the source database.
	var outs []etl.Outcome
	in := make(chan etl.Outcome, 256)
	var readErr error
	go func() {
		defer close(in)
		readErr = streamOutcomes(ctx, src, in)
	}()
	for o := range in {
		outs = append(outs, o)
	}
	if readErr != nil {
		return r, readErr
	}
	ch := make(chan etl.Outcome, 256)
	go func() {
		defer close(ch)
		for _, o := range outs {
			select {
			case ch <- o:
			case <-ctx.Done():
				return
			}
		}
	}()
	t0 := time.Now()
	st, err := w.Load(ctx, ch)
	for range ch {
	}
	if err != nil {
		return r, err
	}
	r.Run = time.Since(t0).Seconds()
	r.Facts, r.TotalFacts, r.DocsSeen, r.Loaded = st.Facts, st.TotalFacts, st.DocsSeen, st.DocsLoaded
	r.Stages = st.StageSeconds

	// The reference: the same rows as CSV, bulk-loaded by DuckDB itself.
	csvPath := srcDB + ".facts.csv"
	defer os.Remove(csvPath)
	if _, err := src.ExecContext(ctx, `COPY (SELECT * FROM fact_indicator) TO `+sqlQuote(csvPath)+` (HEADER)`); err != nil {
		return r, fmt.Errorf("export csv: %w", err)
	}
	refPath := srcDB + ".ref.duckdb"
	os.Remove(refPath)
	defer os.Remove(refPath)
	defer os.Remove(refPath + ".wal")
	// DuckDB's defaults (memory_limit 80 % of RAM): the reference is DuckDB
	// at its fastest, not held to the loader's small limit.
	ref, err := sql.Open("duckdb", refPath)
	if err != nil {
		return r, err
	}
	defer ref.Close()
	if _, err := ref.ExecContext(ctx, `ATTACH `+sqlQuote(srcDB)+` AS src (READ_ONLY)`); err != nil {
		return r, err
	}
	if _, err := ref.ExecContext(ctx, `CREATE TABLE fact_indicator AS SELECT * FROM src.fact_indicator LIMIT 0; DETACH src`); err != nil {
		return r, err
	}
	t1 := time.Now()
	if _, err := ref.ExecContext(ctx, `BEGIN; INSERT INTO fact_indicator SELECT * FROM read_csv(`+sqlQuote(csvPath)+`, header = true); COMMIT; CHECKPOINT`); err != nil {
		return r, fmt.Errorf("read_csv: %w", err)
	}
	r.DuckDBCSV = time.Since(t1).Seconds()
	return r, nil
}

func sqlQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// streamOutcomes turns the facts of a loaded database back into outcomes,
// one per document, in document order, without texts.
func streamOutcomes(ctx context.Context, db *sql.DB, out chan<- etl.Outcome) error {
	rows, err := db.QueryContext(ctx, `SELECT d.doc, d.uri, d.sha256, f.province_code, f.indicator_code,
		p.start_date, p.end_date, p.granularity, f.value, coalesce(f.denominator, 0), coalesce(f.qualifier, ''),
		f.unit, f.evidence, f.span_start, f.span_end, f.score
		FROM fact_indicator f JOIN dim_document d USING (doc_key) JOIN dim_period p USING (period_key)
		ORDER BY f.doc_key`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var cur *etl.Outcome
	flush := func() error {
		if cur == nil {
			return nil
		}
		select {
		case out <- *cur:
		case <-ctx.Done():
			return ctx.Err()
		}
		cur = nil
		return nil
	}
	for rows.Next() {
		var doc, uri, sha, gr, q string
		var f etl.Fact
		if err := rows.Scan(&doc, &uri, &sha, &f.ProvinceCode, &f.Indicator, &f.Period.Start, &f.Period.End, &gr,
			&f.Value, &f.Denominator, &q, &f.Unit, &f.Evidence, &f.SpanStart, &f.SpanEnd, &f.Score); err != nil {
			return err
		}
		f.Doc, f.Period.Grain, f.Qualifier = doc, etl.Grain(gr), etl.Qualifier(q)
		if cur == nil || cur.Doc.ID != doc {
			if err := flush(); err != nil {
				return err
			}
			cur = &etl.Outcome{Doc: &etl.Document{ID: doc, URI: uri, SHA256: sha}, Status: etl.StatusLoaded, Extraction: &etl.Extraction{}}
		}
		cur.Extraction.Facts = append(cur.Extraction.Facts, f)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return flush()
}

// child runs one bench step in a fresh process and returns its result with
// the process's wall time and peak RSS.
func child(ctx context.Context, g *globals, db, step, src string) (stepResult, error) {
	var r stepResult
	exe, err := os.Executable()
	if err != nil {
		return r, err
	}
	args := []string{"--db.path", db, "--db.memory-limit", *g.memLimit, "--log.level", "error"}
	if *g.threads > 0 {
		args = append(args, "--db.threads", strconv.Itoa(*g.threads))
	}
	if *g.workers > 0 {
		args = append(args, "--etl.workers", strconv.Itoa(*g.workers))
	}
	cmd := exec.CommandContext(ctx, exe, append(args, "bench", "--step", step, "--src", src)...)
	var stdout strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, g.stderr
	t0 := time.Now()
	if err := cmd.Run(); err != nil {
		return r, fmt.Errorf("bench %s: %w", step, err)
	}
	wall := time.Since(t0).Seconds()
	if err := json.Unmarshal([]byte(stdout.String()), &r); err != nil {
		return r, fmt.Errorf("bench %s: %w: %q", step, err, stdout.String())
	}
	r.Wall = wall
	// The child reports its own VmHWM. ru_maxrss is only the fallback: Go
	// starts children with vfork semantics, so Linux charges the parent's
	// peak (which grows when it scores 100k facts) to every child.
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && r.MaxRSSKB == 0 {
		r.MaxRSSKB = ru.Maxrss
	}
	return r, nil
}

// peakRSSKB is this process's peak resident set (VmHWM), 0 where /proc
// does not say.
func peakRSSKB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return 0
	}
	return s[len(s)/2]
}

func medianBy(rs []stepResult, f func(stepResult) float64) float64 {
	xs := make([]float64, len(rs))
	for i, r := range rs {
		xs[i] = f(r)
	}
	return median(xs)
}

// corpus makes sure dir holds the corpus of n documents for seed.
func corpus(ctx context.Context, g *globals, dir string, n int, seed uint64) (int64, error) {
	stamp := filepath.Join(dir, ".gen")
	want := fmt.Sprintf("docs=%d seed=%d", n, seed)
	if b, err := os.ReadFile(stamp); err != nil || string(b) != want {
		os.RemoveAll(dir)
		fmt.Fprintf(g.stdout, "generating %d reports into %s …\n", n, dir)
		t0 := time.Now()
		s, err := gen.Write(ctx, dir, gen.Options{Docs: n, Seed: seed})
		if err != nil {
			return 0, err
		}
		fmt.Fprintf(g.stdout, "  %d reports, %.1f MB, %d truth rows in %s\n", s.Docs, float64(s.Bytes)/1e6, s.Facts, time.Since(t0).Round(time.Millisecond))
		if err := os.WriteFile(stamp, []byte(want), 0o644); err != nil {
			return 0, err
		}
	}
	var total int64
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") || d.Name() == "truth.csv" {
			return err
		}
		fi, err := d.Info()
		if err == nil {
			total += fi.Size()
		}
		return err
	})
	return total, err
}

func runBench(ctx context.Context, g *globals, sizes []int, seed uint64, runs int, dir string, oracleAbove int) error {
	host, _ := os.Hostname()
	fmt.Fprintf(g.stdout, "chiso bench: %s, %d cores (GOMAXPROCS %d), %s, db.memory-limit %s, median of %d runs\n",
		cpuModel(), runtime.NumCPU(), runtime.GOMAXPROCS(0), host, *g.memLimit, runs)
	type row struct {
		n                   int
		mb                  float64
		full, again, loader []stepResult
		p, rc               float64
		req, tp, fp, fn     int
		oracle              bool
	}
	var rows []row
	for _, n := range sizes {
		cdir := filepath.Join(dir, fmt.Sprintf("corpus-%d-%d", n, seed))
		bytes, err := corpus(ctx, g, cdir, n, seed)
		if err != nil {
			return err
		}
		rw := row{n: n, mb: float64(bytes) / 1e6}
		db := filepath.Join(dir, fmt.Sprintf("bench-%d.duckdb", n))
		for i := range runs {
			removeDB(db)
			step, src := "load", cdir
			if oracleAbove > 0 && n > oracleAbove {
				step, src = "oracle", fmt.Sprintf("%s:%d:%d", cdir, n, seed)
				rw.oracle = true
			}
			full, err := child(ctx, g, db, step, src)
			if err != nil {
				return err
			}
			again, err := child(ctx, g, db, "load", cdir)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "  %d docs run %d: full %.1fs (%d facts, rss %d MB), no-change %.2fs (rss %d MB)\n",
				n, i+1, full.Wall, full.Facts, full.MaxRSSKB/1024, again.Wall, again.MaxRSSKB/1024)
			rw.full, rw.again = append(rw.full, full), append(rw.again, again)
		}
		if !rw.oracle {
			s, err := scoreDB(ctx, db, filepath.Join(cdir, "truth.csv"))
			if err != nil {
				return err
			}
			rw.p, rw.rc, rw.req, rw.tp, rw.fp, rw.fn = s.Precision, s.Recall, s.Required, s.TP, s.FP, s.FN
		}
		for i := range runs {
			ldb := filepath.Join(dir, fmt.Sprintf("loader-%d.duckdb", n))
			removeDB(ldb)
			lr, err := child(ctx, g, ldb, "loader", db)
			if err != nil {
				return err
			}
			removeDB(ldb)
			fmt.Fprintf(g.stdout, "  %d docs loader run %d: %d facts in %.2fs, DuckDB read_csv %.2fs\n", n, i+1, lr.Facts, lr.Run, lr.DuckDBCSV)
			rw.loader = append(rw.loader, lr)
		}
		removeDB(db)
		rows = append(rows, rw)
	}
	w := g.stdout
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| docs | MB | full load wall | docs/s | MB/s | facts/s | peak RSS | no-change wall | no-change % of full | no-change RSS | loader facts/s | DuckDB read_csv facts/s | loader / read_csv time | precision | recall |")
	fmt.Fprintln(w, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		fw := medianBy(r.full, func(s stepResult) float64 { return s.Wall })
		facts := float64(r.full[0].Facts)
		aw := medianBy(r.again, func(s stepResult) float64 { return s.Wall })
		lrun := medianBy(r.loader, func(s stepResult) float64 { return s.Run })
		lcsv := medianBy(r.loader, func(s stepResult) float64 { return s.DuckDBCSV })
		lf := float64(r.loader[0].Facts)
		mode := ""
		if r.oracle {
			mode = " (oracle: no decode/extract)"
		}
		fmt.Fprintf(w, "| %d%s | %.0f | %.1f s | %.0f | %.2f | %.0f | %.0f MB | %.2f s | %.1f %% | %.0f MB | %.0f | %.0f | %.2f× | %.4f | %.4f |\n",
			r.n, mode, r.mb, fw, float64(r.n)/fw, r.mb/fw, facts/fw,
			medianBy(r.full, func(s stepResult) float64 { return float64(s.MaxRSSKB) / 1024 }),
			aw, 100*aw/fw, medianBy(r.again, func(s stepResult) float64 { return float64(s.MaxRSSKB) / 1024 }),
			lf/lrun, lf/lcsv, lrun/lcsv, r.p, r.rc)
	}
	fmt.Fprintln(w)
	for _, r := range rows {
		f := r.full[len(r.full)/2]
		fmt.Fprintf(w, "%d docs, a full run in detail: open %.2fs, run %.2fs (fetch %.1fs, decode %.1fs and extract %.1fs summed over workers, load %.1fs), publish %.2fs; accuracy tp=%d fp=%d fn=%d of %d required\n",
			r.n, f.Open, f.Run, f.Stages[etl.StageFetch], f.Stages[etl.StageDecode], f.Stages[etl.StageExtract], f.Stages[etl.StageLoad], f.Publish,
			r.tp, r.fp, r.fn, r.req)
		a := r.again[len(r.again)/2]
		fmt.Fprintf(w, "%d docs, a no-change run in detail: open %.2fs, run %.2fs (fetch %.2fs, load %.2fs), publish %.2fs\n",
			r.n, a.Open, a.Run, a.Stages[etl.StageFetch], a.Stages[etl.StageLoad], a.Publish)
	}
	return nil
}

func removeDB(p string) {
	for _, s := range []string{"", ".wal"} {
		os.Remove(p + s)
	}
	a := analyticsPath(p)
	os.Remove(a)
	os.Remove(a + ".wal")
}

// scoreDB scores the facts of a loaded database against truth.csv, which
// is in the scorer's gold format.
func scoreDB(ctx context.Context, db, truthPath string) (etl.Scores, error) {
	tf, err := os.Open(truthPath)
	if err != nil {
		return etl.Scores{}, err
	}
	defer tf.Close()
	truth, err := etl.ReadGold(tf)
	if err != nil {
		return etl.Scores{}, err
	}
	conn, err := sql.Open("duckdb", db+"?access_mode=read_only")
	if err != nil {
		return etl.Scores{}, err
	}
	defer conn.Close()
	rows, err := conn.QueryContext(ctx, `SELECT doc, province_code, indicator, period_start, period_end, value, coalesce(qualifier, '') FROM v_facts`)
	if err != nil {
		return etl.Scores{}, err
	}
	defer rows.Close()
	var facts []etl.Fact
	for rows.Next() {
		var f etl.Fact
		var q string
		if err := rows.Scan(&f.Doc, &f.ProvinceCode, &f.Indicator, &f.Period.Start, &f.Period.End, &f.Value, &q); err != nil {
			return etl.Scores{}, err
		}
		f.Qualifier = etl.Qualifier(q)
		facts = append(facts, f)
	}
	if err := rows.Err(); err != nil {
		return etl.Scores{}, err
	}
	return etl.Score(truth, facts), nil
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			_, v, _ := strings.Cut(l, ":")
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}
