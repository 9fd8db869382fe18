package main

import (
	"context"
	"fmt"
	"time"

	"github.com/alecthomas/kingpin/v2"

	"github.com/chiso-vn/chiso/etl/job"
	"github.com/chiso-vn/chiso/etl/warehouse"
)

func loadCommand(app *kingpin.Application, g *globals) command {
	c := app.Command("load", "Run one ETL run into the warehouse and publish the analytics copy.")
	paths := c.Arg("path", "Files, directories, globs or http(s) URLs.").Default(defaultReports).Strings()
	return command{c, func(ctx context.Context, g *globals) error {
		return withWarehouse(ctx, g.warehouseOptions(), func(w *warehouse.Warehouse) error {
			s, err := job.New(w, g.jobConfig(*paths), nil).Run(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.stdout, "run %d: documents seen=%d loaded=%d unchanged=%d rejected=%d; facts=%d (warehouse total %d); data checks failing=%d; %s\n",
				s.RunID, s.DocsSeen, s.DocsLoaded, s.DocsUnchanged, s.DocsRejected, s.Facts, s.TotalFacts, s.DataCheckFailures,
				s.Finished.Sub(s.Started).Round(time.Millisecond))
			return nil
		})
	}}
}

func queryCommand(app *kingpin.Application, g *globals) command {
	c := app.Command("query", "Run read-only SQL on the published analytics copy (never blocks the loader).")
	format := c.Flag("format", "Output format: table, csv, json or parquet.").Default("table").Enum("table", "csv", "json", "parquet")
	q := c.Arg("sql", "The query.").Required().String()
	return command{c, func(ctx context.Context, g *globals) error {
		return warehouse.Query(ctx, analyticsPath(*g.db), *q, g.stdout, *format)
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
