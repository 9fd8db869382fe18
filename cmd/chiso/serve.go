package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/version"

	"github.com/chiso-vn/chiso/etl"
	"github.com/chiso-vn/chiso/etl/export"
	"github.com/chiso-vn/chiso/etl/job"
	"github.com/chiso-vn/chiso/etl/warehouse"
)

// serveRoutes lets other files add HTTP pages to `chiso serve` (the
// evidence pages); each gets the open warehouse.
var serveRoutes []func(w *warehouse.Warehouse) map[string]http.Handler

func serveCommand(app *kingpin.Application, g *globals) command {
	c := app.Command("serve", "Load on a schedule and serve Prometheus metrics from memory.")
	webFlags := export.AddFlags(c) // --web.listen-address, --web.config.file, --web.telemetry-path
	schedule := c.Flag("etl.schedule", "Cron schedule of loads (5 fields or @every …).").Default("0 2 * * *").String()
	tz := c.Flag("etl.timezone", "Time zone of the schedule.").Default("Asia/Ho_Chi_Minh").String()
	shutdown := c.Flag("etl.shutdown-timeout", "On SIGTERM, how long a running load may finish before it is rolled back.").Default("30s").Duration()
	paths := c.Arg("path", "Files, directories, globs or http(s) URLs.").Default(defaultReports).Strings()
	return command{c, func(ctx context.Context, g *globals) error {
		loc, err := time.LoadLocation(*tz)
		if err != nil {
			return fmt.Errorf("--etl.timezone: %w", err)
		}
		w, err := warehouse.Open(ctx, g.warehouseOptions())
		if err != nil {
			return err
		}
		defer w.Close()
		exp := export.NewWithLogger(etl.Ref(), version.Version, g.logger)
		j := job.New(w, g.jobConfig(*paths), exp)
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
		sched, err := job.NewScheduler(j, *schedule, loc, g.logger)
		if err != nil {
			return err
		}
		sched.Start(last)
		routes := map[string]http.Handler{}
		for _, r := range serveRoutes {
			for path, h := range r(w) {
				routes[path] = h
			}
		}
		serveErr := export.Serve(ctx, g.logger, webFlags, exp.Handler(export.TelemetryPath(c), routes))
		g.logger.Info("shutting down: no new runs; waiting for the running one", "timeout", *shutdown)
		sched.Stop(*shutdown)
		if serveErr != nil && !errors.Is(serveErr, context.Canceled) {
			return serveErr
		}
		return nil
	}}
}
