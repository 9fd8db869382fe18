// Command chiso extracts ICT indicators from Vietnamese provincial reports,
// loads them into a DuckDB star schema and exports them to Prometheus.
// Each subcommand lives in its own file and registers itself in commands;
// this file only parses the shared flags and dispatches.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/version"

	"github.com/chiso-vn/chiso/etl"
	"github.com/chiso-vn/chiso/etl/job"
	"github.com/chiso-vn/chiso/etl/source"
	"github.com/chiso-vn/chiso/etl/warehouse"
)

// defaultReports are the bundled sample reports: every command runs on
// them with zero configuration.
const defaultReports = "testdata/reports"

// globals are the flags shared by all commands, parsed before dispatch.
type globals struct {
	stdout, stderr io.Writer
	logger         *slog.Logger

	logLevel, logFormat *string
	db, memLimit        *string
	threads, workers    *int
	maxBytes            *int64
	timeout             *time.Duration
	rehash              *bool
	cpuProfile          *string
}

// command is one subcommand: a kingpin clause and what it does.
type command struct {
	clause *kingpin.CmdClause
	run    func(ctx context.Context, g *globals) error
}

// commands lists the subcommands in help order; each is defined in its own
// file.
var commands = []func(app *kingpin.Application, g *globals) command{
	extractCommand, loadCommand, queryCommand, serveCommand, schemaCommand, exportCommand,
}

// extraCommands lets files add subcommands (gen, bench, …) without
// editing this list.
var extraCommands []func(app *kingpin.Application, g *globals) command

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	app := kingpin.New("chiso", "Indicators from Vietnamese provincial ICT reports: extract, load into DuckDB, export to Prometheus.")
	app.Version(versionInfo())
	app.HelpFlag.Short('h')
	app.DefaultEnvars() // every flag can also be set as CHISO_<FLAG_NAME>
	app.Writer(stdout)
	app.ErrorWriter(stderr)
	// --help and --version end the parse, not the process (run is tested
	// in-process): the sentinel panic is recovered by parse.
	app.Terminate(func(code int) { panic(terminated(code)) })

	g := &globals{stdout: stdout, stderr: stderr}
	g.logLevel = app.Flag("log.level", "Log level: debug, info, warn, error.").Default("info").Enum("debug", "info", "warn", "error")
	g.logFormat = app.Flag("log.format", "Log format: logfmt or json.").Default("logfmt").Enum("logfmt", "json")
	g.db = app.Flag("db.path", "Working DuckDB file of the loader. Analysts read the published copy next to it (<name>-analytics.duckdb).").Default("chiso.duckdb").String()
	g.memLimit = app.Flag("db.memory-limit", "DuckDB memory_limit of the loader. The load streams to disk and needs little; more only speeds up large rewrites. Analysts' queries (chiso query) are not bound by it.").Default("128MB").String()
	g.threads = app.Flag("db.threads", "DuckDB threads (0: all cores).").Default("0").Int()
	g.maxBytes = app.Flag("source.max-bytes", "Largest document accepted, in bytes.").Default("8388608").Int64()
	g.timeout = app.Flag("source.timeout", "HTTP timeout per request.").Default("30s").Duration()
	g.rehash = app.Flag("source.rehash", "Read and hash every file, even one whose size and modification time match its last load.").Bool()
	g.workers = app.Flag("etl.workers", "Decode/extract goroutines (0: all cores).").Default("0").Int()
	g.cpuProfile = app.Flag("debug.cpu-profile", "Write a Go CPU profile of the command to this file (go tool pprof).").PlaceHolder("FILE").String()

	byName := map[string]command{}
	for _, mk := range append(append([]func(*kingpin.Application, *globals) command{}, commands...), extraCommands...) {
		c := mk(app, g)
		byName[c.clause.FullCommand()] = c
	}
	name, code, done, err := parse(app, args)
	if done {
		return code // --help or --version
	}
	if err != nil {
		fmt.Fprintln(stderr, "chiso:", err)
		return 2
	}
	c, ok := byName[name]
	if !ok {
		return 0
	}
	g.logger = newLogger(stderr, *g.logLevel, *g.logFormat)
	slog.SetDefault(g.logger)
	source.Version = version.Version
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *g.cpuProfile != "" {
		f, err := os.Create(*g.cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(stderr, "chiso: --debug.cpu-profile:", err)
			return 2
		}
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	if err := c.run(ctx, g); err != nil {
		g.logger.Error(name+" failed", "err", err)
		fmt.Fprintln(stderr, "chiso "+name+":", err)
		return 1
	}
	return 0
}

// terminated is the exit code kingpin asks for after --help or --version.
type terminated int

// parse is app.Parse that turns kingpin's termination into done.
func parse(app *kingpin.Application, args []string) (name string, code int, done bool, err error) {
	defer func() {
		if r := recover(); r != nil {
			t, ok := r.(terminated)
			if !ok {
				panic(r)
			}
			name, code, done, err = "", int(t), true, nil
		}
	}()
	name, err = app.Parse(args)
	return name, 0, false, err
}

// versionInfo is `chiso --version`: the version and revision stamped by
// -ldflags (see Dockerfile), else those Go recorded in the binary.
func versionInfo() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		if version.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			version.Version = strings.TrimPrefix(bi.Main.Version, "v")
		}
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && version.Revision == "":
				version.Revision = s.Value
			case s.Key == "vcs.time" && version.BuildDate == "":
				version.BuildDate = s.Value
			}
		}
	}
	if version.Version == "" {
		version.Version = "dev"
	}
	return version.Print("chiso")
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

func (g *globals) warehouseOptions() warehouse.Options {
	return warehouse.Options{Path: *g.db, MemoryLimit: *g.memLimit, Threads: *g.threads, ExtractorVersion: etl.ExtractorVersion}
}

func (g *globals) sourceOptions() source.Options {
	return source.Options{Timeout: *g.timeout, MaxBytes: *g.maxBytes, Rehash: *g.rehash}
}

func (g *globals) jobConfig(paths []string) job.Config {
	return job.Config{Sources: paths, AnalyticsPath: analyticsPath(*g.db), Workers: *g.workers,
		Source: g.sourceOptions(), MaxBytes: *g.maxBytes, Logger: g.logger}
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
