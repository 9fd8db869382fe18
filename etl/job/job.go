// Package job runs chiso's nightly work: one ETL run from sources through
// the pure stages into the warehouse, then the analytics copy and the
// exporter's snapshot. It owns the ordering and the failure rules; the
// stages themselves live in etl and its subpackages.
package job

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/chiso-vn/chiso/etl"
	"github.com/chiso-vn/chiso/etl/htmltext"
	"github.com/chiso-vn/chiso/etl/source"
	"github.com/chiso-vn/chiso/etl/warehouse"
)

// ErrRunning is returned when a run is requested while one is in progress.
var ErrRunning = errors.New("an ETL run is already in progress")

// Observer receives the results of runs; the exporter implements it.
type Observer interface {
	ObserveRun(etl.RunStats)
	SetLatest([]etl.LatestValue)
	RunSkipped()
}

// Config is what a run needs.
type Config struct {
	Sources       []string
	AnalyticsPath string // published read-only copy; empty: don't publish
	Workers       int
	Source        source.Options
	MaxBytes      int64
	Logger        *slog.Logger
	// Progress, if set, is called after each document with the count so far.
	Progress func(done int, o *etl.Outcome)
}

// Job runs ETL runs one at a time against one warehouse.
type Job struct {
	wh  *warehouse.Warehouse
	cfg Config
	obs Observer
	mu  sync.Mutex
	x   *etl.Extractor
}

// New prepares a job. obs may be nil.
func New(wh *warehouse.Warehouse, cfg Config, obs Observer) *Job {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Job{wh: wh, cfg: cfg, obs: obs, x: etl.NewExtractor(etl.Ref())}
}

// Run performs one ETL run in one warehouse transaction. It returns
// ErrRunning at once if another run holds the job.
func (j *Job) Run(ctx context.Context) (etl.RunStats, error) {
	if !j.mu.TryLock() {
		if j.obs != nil {
			j.obs.RunSkipped()
		}
		return etl.RunStats{}, ErrRunning
	}
	defer j.mu.Unlock()
	log := j.cfg.Logger
	start := time.Now()
	stats, err := j.run(ctx)
	if stats.Started.IsZero() {
		stats.Started = start
	}
	if stats.Finished.IsZero() {
		stats.Finished = time.Now()
	}
	if err != nil {
		stats.Status, stats.Err = etl.RunFailed, err
		log.Error("ETL run failed", "err", err, "duration", time.Since(start).Round(time.Millisecond))
	} else {
		log.Info("ETL run finished", "run_id", stats.RunID, "docs_seen", stats.DocsSeen, "docs_loaded", stats.DocsLoaded,
			"docs_unchanged", stats.DocsUnchanged, "docs_rejected", stats.DocsRejected, "facts", stats.Facts,
			"data_check_failures", stats.DataCheckFailures, "duration", time.Since(start).Round(time.Millisecond))
	}
	if j.obs != nil {
		j.obs.ObserveRun(stats)
	}
	return stats, err
}

func (j *Job) run(ctx context.Context) (etl.RunStats, error) {
	known, err := j.wh.Known(ctx)
	if err != nil {
		return etl.RunStats{}, fmt.Errorf("reading loaded documents: %w", err)
	}
	sopt := j.cfg.Source
	sopt.Known = known
	if sopt.MaxBytes == 0 {
		sopt.MaxBytes = j.cfg.MaxBytes
	}
	src, err := source.Open(j.cfg.Sources, sopt)
	if err != nil {
		return etl.RunStats{}, err
	}
	popt := etl.PipelineOptions{Workers: j.cfg.Workers, Known: known, Extractor: j.x,
		Decode: etl.DecodeOptions{MaxBytes: j.cfg.MaxBytes, HTML: htmltext.New()}}

	// The loader must never commit a run whose source failed half-way, so
	// the hand-off cancels the load before it closes the channel.
	loadCtx, cancelLoad := context.WithCancel(ctx)
	defer cancelLoad()
	mid := make(chan etl.Outcome, 64)
	toLoad := make(chan etl.Outcome, 64)
	var timing etl.Timing
	var pipeErr error
	pipeDone := make(chan struct{})
	go func() {
		timing, pipeErr = etl.Pipeline(ctx, src, popt, mid)
		close(pipeDone)
	}()
	var decodeT, extractT time.Duration
	go func() {
		n := 0
		for oc := range mid {
			if loadCtx.Err() != nil {
				continue // cancelled: drain without reporting, so shutdown is prompt
			}
			decodeT += oc.DecodeTime
			extractT += oc.ExtractTime
			n++
			if j.cfg.Progress != nil {
				j.cfg.Progress(n, &oc)
			}
			select {
			case toLoad <- oc:
			case <-loadCtx.Done():
			}
		}
		<-pipeDone
		if pipeErr != nil {
			cancelLoad()
		}
		close(toLoad)
	}()
	stats, err := j.wh.Load(loadCtx, toLoad)
	for range toLoad {
		// drain if the loader stopped early, so the pipeline can finish
	}
	<-pipeDone
	if pipeErr != nil {
		return stats, fmt.Errorf("reading sources: %w", pipeErr)
	}
	if err != nil {
		return stats, err
	}
	if stats.StageSeconds == nil {
		stats.StageSeconds = map[string]float64{}
	}
	stats.StageSeconds[etl.StageFetch] = timing.Fetch.Seconds()
	stats.StageSeconds[etl.StageDecode] = decodeT.Seconds()
	stats.StageSeconds[etl.StageExtract] = extractT.Seconds()
	if j.cfg.AnalyticsPath != "" {
		if err := j.wh.Publish(ctx, j.cfg.AnalyticsPath); err != nil {
			return stats, fmt.Errorf("publishing analytics copy: %w", err)
		}
	}
	if err := j.Refresh(ctx); err != nil {
		return stats, err
	}
	return stats, nil
}

// Refresh rebuilds the observer's snapshot from the warehouse.
func (j *Job) Refresh(ctx context.Context) error {
	if j.obs == nil {
		return nil
	}
	latest, err := j.wh.Latest(ctx)
	if err != nil {
		return fmt.Errorf("reading latest values: %w", err)
	}
	j.obs.SetLatest(latest)
	return nil
}
