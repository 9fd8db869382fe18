package export

import (
	"sort"
	"sync"
	"time"

	"github.com/chiso-vn/chiso/etl"
	"github.com/prometheus/client_golang/prometheus"
)

// etlState is what the exporter knows about ETL health. It is replaced as a
// whole under the mutex, so a scrape sees one run's figures, never a mix.
type etlState struct {
	observed     bool // at least one run reported
	last         etl.RunStats
	lastSuccess  float64 // Unix seconds; 0 = never
	warehouseSet bool
	warehouse    float64
	runsSuccess  float64
	runsFailed   float64
	runsSkipped  float64
}

// etlCollector exports ETL health: last run, last success, counters.
type etlCollector struct {
	mu    sync.Mutex
	state etlState

	lastSuccess, lastRun, lastRunOK, lastRunDur *prometheus.Desc
	stage, docs, facts, rejects, checks         *prometheus.Desc
	runs, skipped, warehouse                    *prometheus.Desc
}

func newETLCollector() *etlCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(Namespace+"_"+name, help, labels, nil)
	}
	return &etlCollector{
		lastSuccess: d("etl_last_success_timestamp_seconds", "Unix time the last successful ETL run finished. Absent until one is observed."),
		lastRun:     d("etl_last_run_timestamp_seconds", "Unix time the last ETL run finished, successful or not."),
		lastRunOK:   d("etl_last_run_success", "1 if the last ETL run succeeded, 0 if it failed."),
		lastRunDur:  d("etl_last_run_duration_seconds", "Wall-clock duration of the last ETL run."),
		stage:       d("etl_stage_duration_seconds", "Time spent per stage in the last ETL run, summed over documents for parallel stages.", "stage"),
		docs:        d("etl_documents", "Documents per state in the last ETL run.", "state"),
		facts:       d("etl_facts_loaded", "Facts written by the last ETL run."),
		rejects:     d("etl_rejects", "Rejected documents and values per reason in the last ETL run.", "reason"),
		checks:      d("etl_data_check_failures", "SQL data checks that returned rows in the last ETL run."),
		runs:        d("etl_runs_total", "ETL runs finished, by status.", "status"),
		skipped:     d("etl_runs_skipped_total", "Scheduled ETL runs skipped because the previous run was still going."),
		warehouse:   d("warehouse_facts", "Facts in the warehouse after the last run that reported a count."),
	}
}

func (c *etlCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.lastSuccess, c.lastRun, c.lastRunOK, c.lastRunDur,
		c.stage, c.docs, c.facts, c.rejects, c.checks, c.runs, c.skipped, c.warehouse} {
		ch <- d
	}
}

func (c *etlCollector) observe(s etl.RunStats) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st := c.state
	st.observed = true
	st.last = s
	// Copy the maps: the caller may reuse them.
	st.last.RejectsByReason = copyMap(s.RejectsByReason)
	st.last.StageSeconds = copyMap(s.StageSeconds)
	if s.Status == etl.RunSuccess {
		st.runsSuccess++
		st.lastSuccess = unixSeconds(s)
	} else {
		st.runsFailed++
	}
	if s.Status == etl.RunSuccess || s.TotalFacts > 0 {
		st.warehouseSet = true
		st.warehouse = float64(s.TotalFacts)
	}
	c.state = st
}

func (c *etlCollector) skip() {
	c.mu.Lock()
	c.state.runsSkipped++
	c.mu.Unlock()
}

func (c *etlCollector) hasSuccess() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state.lastSuccess > 0
}

func (c *etlCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	st := c.state // maps are never mutated after observe, so a shallow copy is safe
	c.mu.Unlock()

	g := func(d *prometheus.Desc, v float64, lv ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, lv...)
	}
	ch <- prometheus.MustNewConstMetric(c.runs, prometheus.CounterValue, st.runsSuccess, etl.RunSuccess)
	ch <- prometheus.MustNewConstMetric(c.runs, prometheus.CounterValue, st.runsFailed, etl.RunFailed)
	ch <- prometheus.MustNewConstMetric(c.skipped, prometheus.CounterValue, st.runsSkipped)
	if st.lastSuccess > 0 {
		g(c.lastSuccess, st.lastSuccess)
	}
	if st.warehouseSet {
		g(c.warehouse, st.warehouse)
	}
	if !st.observed {
		return
	}
	r := st.last
	g(c.lastRun, unixSeconds(r))
	ok := 0.0
	if r.Status == etl.RunSuccess {
		ok = 1
	}
	g(c.lastRunOK, ok)
	if !r.Started.IsZero() && !r.Finished.IsZero() && r.Finished.After(r.Started) {
		g(c.lastRunDur, r.Finished.Sub(r.Started).Seconds())
	} else {
		g(c.lastRunDur, 0)
	}
	for _, s := range etl.Stages { // every stage, so panels and alerts never see gaps
		g(c.stage, r.StageSeconds[s], s)
	}
	g(c.docs, float64(r.DocsSeen), "seen")
	g(c.docs, float64(r.DocsLoaded), string(etl.StatusLoaded))
	g(c.docs, float64(r.DocsUnchanged), string(etl.StatusUnchanged))
	g(c.docs, float64(r.DocsRejected), string(etl.StatusRejected))
	g(c.facts, float64(r.Facts))
	g(c.checks, float64(r.DataCheckFailures))
	reasons := make([]string, 0, len(r.RejectsByReason))
	for k := range r.RejectsByReason {
		reasons = append(reasons, k)
	}
	sort.Strings(reasons)
	for _, k := range reasons {
		if m, err := prometheus.NewConstMetric(c.rejects, prometheus.GaugeValue, float64(r.RejectsByReason[k]), k); err == nil {
			ch <- m
		}
	}
}

// unixSeconds is when a run finished (its start if the finish is unknown,
// now if both are).
func unixSeconds(s etl.RunStats) float64 {
	t := s.Finished
	if t.IsZero() {
		t = s.Started
	}
	if t.IsZero() {
		t = time.Now()
	}
	return float64(t.UnixNano()) / 1e9
}

func copyMap[V any](m map[string]V) map[string]V {
	out := make(map[string]V, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
