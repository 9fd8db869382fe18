// Command chiso extracts ICT indicators from Vietnamese provincial reports,
// loads them into a DuckDB star schema and exports them to Prometheus.
// This file only wires flags to the packages under etl/.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/chiso-vn/chiso/etl"
	"github.com/chiso-vn/chiso/etl/export"
	"github.com/chiso-vn/chiso/etl/htmltext"
	"github.com/chiso-vn/chiso/etl/job"
	"github.com/chiso-vn/chiso/etl/source"
	"github.com/chiso-vn/chiso/etl/warehouse"
)

const defaultReports = "testdata/reports"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	app := kingpin.New("chiso", "Indicators from Vietnamese provincial ICT reports: extract, load into DuckDB, export to Prometheus.")
	app.Version(version.Print("chiso"))
	app.HelpFlag.Short('h')
	app.DefaultEnvars() // every flag also reads CHISO_<FLAG_NAME>
	app.Writer(stdout)
	app.ErrorWriter(stderr)
	app.Terminate(nil)

	logLevel := app.Flag("log.level", "Log level: debug, info, warn, error.").Default("info").Enum("debug", "info", "warn", "error")
	logFormat := app.Flag("log.format", "Log format: logfmt or json.").Default("logfmt").Enum("logfmt", "json")

	db := app.Flag("db.path", "Working DuckDB file of the loader.").Default("chiso.duckdb").String()
	memLimit := app.Flag("db.memory-limit", "DuckDB memory_limit.").Default("1GB").String()
	threads := app.Flag("db.threads", "DuckDB threads (0: all cores).").Default("0").Int()
	maxBytes := app.Flag("source.max-bytes", "Largest document accepted, in bytes.").Default("33554432").Int64()
	timeout := app.Flag("source.timeout", "HTTP timeout per request.").Default("30s").Duration()
	workers := app.Flag("etl.workers", "Decode/extract goroutines (0: all cores).").Default("0").Int()

	extractCmd := app.Command("extract", "Print the facts found in reports, without a database.")
	exFormat := extractCmd.Flag("format", "Output format: csv or json.").Default("csv").Enum("csv", "json")
	exExplain := extractCmd.Flag("explain", "Print every number found and why it was kept or dropped.").Bool()
	exPaths := extractCmd.Arg("path", "Files, directories, globs or http(s) URLs.").Default(defaultReports).Strings()

	loadCmd := app.Command("load", "Run one ETL run into the warehouse and publish the analytics copy.")
	loadPaths := loadCmd.Arg("path", "Files, directories, globs or http(s) URLs.").Default(defaultReports).Strings()

	queryCmd := app.Command("query", "Run read-only SQL on the published analytics copy.")
	qFormat := queryCmd.Flag("format", "Output format: table, csv, json or parquet.").Default("table").Enum("table", "csv", "json", "parquet")
	qSQL := queryCmd.Arg("sql", "The query.").Required().String()

	serveCmd := app.Command("serve", "Load on a schedule and serve Prometheus metrics.")
	webFlags := export.AddFlags(serveCmd) // also --web.telemetry-path
	schedule := serveCmd.Flag("etl.schedule", "Cron schedule of loads (5 fields or @every).").Default("0 2 * * *").String()
	tz := serveCmd.Flag("etl.timezone", "Time zone of the schedule.").Default("Asia/Ho_Chi_Minh").String()
	shutdown := serveCmd.Flag("etl.shutdown-timeout", "On SIGTERM, how long a running load may finish before it is rolled back.").Default("30s").Duration()
	servePaths := serveCmd.Arg("path", "Files, directories, globs or http(s) URLs.").Default(defaultReports).Strings()

	schemaCmd := app.Command("schema", "Print the data dictionary (markdown).")

	exportCmd := app.Command("export", "Write facts and dimensions as Parquet (partitioned by year) or CSV.")
	expFormat := exportCmd.Flag("format", "parquet or csv.").Default("parquet").Enum("parquet", "csv")
	expDir := exportCmd.Arg("dir", "Output directory.").Required().String()

	cmd, err := app.Parse(args)
	if err != nil {
		fmt.Fprintln(stderr, "chiso:", err)
		return 2
	}
	if cmd == "" {
		return 0 // --help or --version
	}
	logger := newLogger(stderr, *logLevel, *logFormat)
	slog.SetDefault(logger)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	whOpts := warehouse.Options{Path: *db, MemoryLimit: *memLimit, Threads: *threads, ExtractorVersion: etl.ExtractorVersion}
	srcOpts := source.Options{Timeout: *timeout, MaxBytes: *maxBytes}
	jobCfg := func(paths []string) job.Config {
		return job.Config{Sources: paths, AnalyticsPath: analyticsPath(*db), Workers: *workers, Source: srcOpts, MaxBytes: *maxBytes, Logger: logger}
	}

	switch cmd {
	case extractCmd.FullCommand():
		err = runExtract(ctx, stdout, *exPaths, *exFormat, *exExplain, srcOpts, *maxBytes)
	case loadCmd.FullCommand():
		err = runLoad(ctx, stdout, whOpts, jobCfg(*loadPaths))
	case queryCmd.FullCommand():
		err = warehouse.Query(ctx, analyticsPath(*db), *qSQL, stdout, *qFormat)
	case serveCmd.FullCommand():
		err = runServe(ctx, logger, whOpts, jobCfg(*servePaths), webFlags, telemetryPathOf(serveCmd), *schedule, *tz, *shutdown)
	case schemaCmd.FullCommand():
		err = withWarehouse(ctx, whOpts, func(w *warehouse.Warehouse) error { return warehouse.Dictionary(ctx, w, stdout) })
	case exportCmd.FullCommand():
		err = withWarehouse(ctx, whOpts, func(w *warehouse.Warehouse) error { return w.Export(ctx, *expDir, *expFormat) })
	}
	if err != nil {
		logger.Error(cmd+" failed", "err", err)
		fmt.Fprintln(stderr, "chiso "+cmd+":", err)
		return 1
	}
	return 0
}

func newLogger(w io.Writer, level, format string) *slog.Logger {
	var lv slog.Level
	_ = lv.UnmarshalText([]byte(level))
	opts := &slog.HandlerOptions{Level: lv}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// analyticsPath is the published read-only copy next to the working file.
func analyticsPath(db string) string {
	dir, base := filepath.Split(db)
	ext := filepath.Ext(base)
	return filepath.Join(dir, strings.TrimSuffix(base, ext)+"-analytics"+ext)
}

func withWarehouse(ctx context.Context, o warehouse.Options, f func(*warehouse.Warehouse) error) error {
	w, err := warehouse.Open(ctx, o)
	if err != nil {
		return err
	}
	defer w.Close()
	return f(w)
}

func runExtract(ctx context.Context, out io.Writer, paths []string, format string, explain bool, so source.Options, maxBytes int64) error {
	src, err := source.Open(paths, so)
	if err != nil {
		return err
	}
	x := etl.NewExtractor(etl.Ref())
	dopt := etl.DecodeOptions{MaxBytes: maxBytes, HTML: htmltext.New()}
	fw, err := etl.NewFactWriter(out, format)
	if err != nil {
		return err
	}
	// documents are extracted in source order so the output is stable
	err = src.Documents(ctx, func(doc *etl.Document) error {
		oc := etl.Process(doc, etl.NoneKnown{}, dopt, x)
		for _, r := range oc.Rejects {
			slog.Warn("rejected", "doc", r.Doc, "stage", r.Stage, "reason", r.Reason, "detail", r.Detail)
		}
		if oc.Extraction == nil {
			return nil
		}
		if explain {
			return explainDoc(out, doc, oc.Extraction)
		}
		for _, f := range oc.Extraction.Facts {
			if err := fw.Write(f); err != nil {
				return err
			}
		}
		return nil
	})
	if ferr := fw.Flush(); err == nil {
		err = ferr
	}
	return err
}

func explainDoc(out io.Writer, doc *etl.Document, ex *etl.Extraction) error {
	fmt.Fprintf(out, "# %s  province=%s %s  period=%s..%s (%s)\n", doc.ID, ex.ProvinceCode, ex.Province,
		ex.Period.Start.Format(time.DateOnly), ex.Period.End.Format(time.DateOnly), ex.Period.Grain)
	type line struct {
		at  int
		txt string
	}
	var lines []line
	for _, f := range ex.Facts {
		lines = append(lines, line{f.SpanStart, fmt.Sprintf("  KEEP   %-28s %s = %s %s (%s, score %.1f) %s..%s", quoteSpan(f.Evidence, 0), f.Indicator,
			etl.FormatValue(f.Value), f.Unit, f.Qualifier, f.Score, f.Period.Start.Format(time.DateOnly), f.Period.End.Format(time.DateOnly))})
	}
	for _, f := range ex.Candidates {
		lines = append(lines, line{f.SpanStart, fmt.Sprintf("  ALT    %s = %s (score %.1f): lost to a better reading", f.Indicator, etl.FormatValue(f.Value), f.Score)})
	}
	for _, n := range ex.Notes {
		lines = append(lines, line{n.SpanStart, fmt.Sprintf("  DROP   %-28q %s", n.Text, n.Reason)})
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].at < lines[j].at })
	for _, l := range lines {
		fmt.Fprintf(out, "%7d %s\n", l.at, l.txt)
	}
	return nil
}

func quoteSpan(s string, _ int) string {
	r := []rune(s)
	if len(r) > 60 {
		r = append(r[:57], '…')
	}
	return fmt.Sprintf("%q", string(r))
}

func runLoad(ctx context.Context, out io.Writer, o warehouse.Options, cfg job.Config) error {
	return withWarehouse(ctx, o, func(w *warehouse.Warehouse) error {
		j := job.New(w, cfg, nil)
		s, err := j.Run(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "run %d: documents seen=%d loaded=%d unchanged=%d rejected=%d; facts=%d (warehouse total %d); data checks failing=%d; %s\n",
			s.RunID, s.DocsSeen, s.DocsLoaded, s.DocsUnchanged, s.DocsRejected, s.Facts, s.TotalFacts, s.DataCheckFailures,
			s.Finished.Sub(s.Started).Round(time.Millisecond))
		return nil
	})
}

func telemetryPathOf(c *kingpin.CmdClause) string {
	if f := c.GetFlag("web.telemetry-path"); f != nil && f.Model().Value != nil && f.Model().Value.String() != "" {
		return f.Model().Value.String()
	}
	return "/metrics"
}

func runServe(ctx context.Context, logger *slog.Logger, o warehouse.Options, cfg job.Config, webFlags *web.FlagConfig, telemetryPath, spec, tz string, shutdown time.Duration) error {
	loc, err := time.LoadLocation(tz)
	if err != nil {
		return fmt.Errorf("--etl.timezone: %w", err)
	}
	w, err := warehouse.Open(ctx, o)
	if err != nil {
		return err
	}
	defer w.Close()
	exp := export.NewWithLogger(etl.Ref(), version.Version, logger)
	j := job.New(w, cfg, exp)
	last, err := w.LastSuccess(ctx)
	if err != nil {
		return err
	}
	if !last.IsZero() {
		// serve what the warehouse holds while the next load runs
		if err := j.Refresh(ctx); err != nil {
			return err
		}
	}
	sched, err := job.NewScheduler(j, spec, loc, logger)
	if err != nil {
		return err
	}
	sched.Start(last)
	h := exp.Handler(telemetryPath, map[string]http.Handler{})
	serveErr := export.Serve(ctx, logger, webFlags, h)
	logger.Info("shutting down: no new runs; waiting for the running one", "timeout", shutdown)
	sched.Stop(shutdown)
	if serveErr != nil && !errors.Is(serveErr, context.Canceled) {
		return serveErr
	}
	return nil
}

