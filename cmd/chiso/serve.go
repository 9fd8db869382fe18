package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/version"
	"github.com/robfig/cron/v3"

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
		sched, err := job.ParseSchedule(*schedule)
		if err != nil {
			return err
		}
		exp := export.NewWithLogger(etl.Ref(), version.Version, g.logger)
		telemetry := export.TelemetryPath(c)

		// The HTTP server starts first and stays up: /metrics answers even
		// while the warehouse is locked, and the evidence pages join once it
		// is open.
		var handler atomic.Value
		handler.Store(exp.Handler(telemetry, nil))
		serveCtx, stopServe := context.WithCancel(ctx)
		defer stopServe()
		serveDone := make(chan error, 1)
		go func() {
			serveDone <- export.Serve(serveCtx, g.logger, webFlags, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
				handler.Load().(http.Handler).ServeHTTP(rw, r)
			}))
		}()

		w, err := openRetrying(ctx, g, exp, sched, loc, serveDone)
		if err != nil {
			return err
		}
		defer w.Close()
		routes := map[string]http.Handler{}
		for _, r := range serveRoutes {
			for path, h := range r(w) {
				routes[path] = h
			}
		}
		handler.Store(exp.Handler(telemetry, routes))

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
		scheduler, err := job.NewScheduler(j, *schedule, loc, g.logger)
		if err != nil {
			return err
		}
		scheduler.Start(last)
		var serveErr error
		select {
		case <-ctx.Done():
			serveErr = <-serveDone
		case serveErr = <-serveDone:
		}
		g.logger.Info("shutting down: no new runs; waiting for the running one", "timeout", *shutdown)
		scheduler.Stop(*shutdown)
		if serveErr != nil && !errors.Is(serveErr, context.Canceled) {
			return serveErr
		}
		return nil
	}}
}

// openRetrying opens the warehouse. If another process holds the file, the
// daemon does not exit: its /metrics shows a failed run (so alerts fire)
// and it tries again at each scheduled time until the file is free.
func openRetrying(ctx context.Context, g *globals, exp *export.Exporter, sched cron.Schedule, loc *time.Location, serveDone <-chan error) (*warehouse.Warehouse, error) {
	for {
		w, err := warehouse.Open(ctx, g.warehouseOptions())
		if err == nil || !errors.Is(err, warehouse.ErrLocked) {
			return w, err
		}
		next := sched.Next(time.Now().In(loc))
		g.logger.Error("warehouse locked; serving metrics and retrying at the next scheduled time", "err", err, "next_try", next)
		exp.ObserveRun(etl.RunStats{Started: time.Now(), Finished: time.Now(), Status: etl.RunFailed, Err: err})
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case err := <-serveDone:
			return nil, fmt.Errorf("serving metrics: %w", err)
		case <-time.After(time.Until(next)):
		}
	}
}
