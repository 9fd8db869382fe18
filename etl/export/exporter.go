// Package export serves chiso's warehouse as Prometheus metrics. It is the
// only package that speaks Prometheus. Like node_exporter it has one small
// collector per concern (indicator values, catalog info, ETL health, build
// info) registered in one place, New. Scrapes never touch the database: the
// loader hands over the latest values after each successful load with
// SetLatest, which swaps an immutable in-memory snapshot atomically.
package export

import (
	"log/slog"
	"sync/atomic"

	"github.com/chiso-vn/chiso/etl"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// Exporter owns the registry and the collectors.
type Exporter struct {
	ref     *etl.Reference
	version string
	logger  *slog.Logger
	reg     *prometheus.Registry
	latest  *latestCollector
	etl     *etlCollector
	loaded  atomic.Bool // SetLatest has been called
}

// New builds an exporter for the catalog ref. version is reported in
// chiso_build_info and on the landing page.
func New(ref *etl.Reference, version string) *Exporter {
	return NewWithLogger(ref, version, slog.Default())
}

// NewWithLogger is New with an explicit logger for the few warnings the
// exporter emits (dropped rows).
func NewWithLogger(ref *etl.Reference, version string, logger *slog.Logger) *Exporter {
	if ref == nil {
		ref = etl.Ref()
	}
	if logger == nil {
		logger = slog.Default()
	}
	e := &Exporter{
		ref:     ref,
		version: version,
		logger:  logger,
		reg:     prometheus.NewRegistry(),
		latest:  newLatestCollector(ref, logger),
		etl:     newETLCollector(),
	}
	e.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newBuildInfo(version),
		newInfoCollector(ref),
		e.latest,
		e.etl,
	)
	return e
}

// SetLatest replaces the exported indicator values with values (the rows of
// v_latest). The new snapshot is built aside and swapped in atomically:
// series of provinces or indicators absent from values disappear.
func (e *Exporter) SetLatest(values []etl.LatestValue) {
	s := e.latest.build(values)
	e.latest.snap.Store(s)
	e.loaded.Store(true)
	e.logger.Debug("exported snapshot swapped", "series", s.series)
}

// ObserveRun records the outcome of one ETL run, successful or failed.
func (e *Exporter) ObserveRun(s etl.RunStats) { e.etl.observe(s) }

// RunSkipped counts a scheduled run skipped because one was still running.
func (e *Exporter) RunSkipped() { e.etl.skip() }

// Ready reports whether there is something worth scraping: a snapshot was
// set (after a successful load, or at start-up from the warehouse) or a
// successful run was observed.
func (e *Exporter) Ready() bool { return e.loaded.Load() || e.etl.hasSuccess() }

// Registry is the exporter's registry: Go and process collectors, build info
// and chiso's collectors.
func (e *Exporter) Registry() *prometheus.Registry { return e.reg }
