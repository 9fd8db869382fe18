package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/alecthomas/kingpin/v2"

	"github.com/chiso-vn/chiso/etl/job"
	"github.com/chiso-vn/chiso/etl/warehouse"
)

func loadCommand(app *kingpin.Application, g *globals) command {
	c := app.Command("load", "Run one ETL run into the warehouse and publish the analytics copy.")
	paths := c.Arg("path", "Files, directories, globs or http(s) URLs.").Default(defaultReports).Strings()
	return command{c, func(ctx context.Context, g *globals) error {
		return withWarehouse(ctx, g.warehouseOptions(), func(w *warehouse.Warehouse) error {
			cfg := g.jobConfig(*paths)
			// a bar on a terminal, log lines otherwise (see progress.go)
			pr := newProgress(g.stderr, g.logger, *paths)
			cfg.Progress = pr.observe
			s, err := job.New(w, cfg, nil).Run(ctx)
			pr.finish()
			if err != nil {
				return err
			}
			return writeSummary(g.stdout, s, cfg.AnalyticsPath)
		})
	}}
}

func queryCommand(app *kingpin.Application, g *globals) command {
	c := app.Command("query", "Run read-only SQL on the published analytics copy (never blocks the loader).")
	format := c.Flag("format", "Output format: table, csv, json or parquet.").Default("table").Enum("table", "csv", "json", "parquet")
	file := c.Flag("file", "Read the query from a file (\"-\": standard input), e.g. sql/queries/rollup_34.sql.").Short('f').String()
	q := c.Arg("sql", "The query.").String()
	return command{c, func(ctx context.Context, g *globals) error {
		text := *q
		switch {
		case *file == "-":
			b, err := io.ReadAll(os.Stdin)
			if err != nil {
				return err
			}
			text = string(b)
		case *file != "":
			b, err := os.ReadFile(*file)
			if err != nil {
				return err
			}
			text = string(b)
		}
		if strings.TrimSpace(text) == "" {
			return fmt.Errorf("no query: give SQL as an argument or --file")
		}
		return warehouse.Query(ctx, analyticsPath(*g.db), text, g.stdout, *format)
	}}
}

func schemaCommand(app *kingpin.Application, g *globals) command {
	c := app.Command("schema", "Print the data dictionary (markdown).")
	return command{c, func(ctx context.Context, g *globals) error {
		return withWarehouse(ctx, g.warehouseOptions(), func(w *warehouse.Warehouse) error { return warehouse.Dictionary(ctx, w, g.stdout) })
	}}
}

func exportCommand(app *kingpin.Application, g *globals) command {
	c := app.Command("export", "Write facts and dimensions as Parquet (partitioned by year) or CSV.")
	format := c.Flag("format", "parquet or csv.").Default("parquet").Enum("parquet", "csv")
	dir := c.Arg("dir", "Output directory.").Required().String()
	return command{c, func(ctx context.Context, g *globals) error {
		return withWarehouse(ctx, g.warehouseOptions(), func(w *warehouse.Warehouse) error { return w.Export(ctx, *dir, *format) })
	}}
}
