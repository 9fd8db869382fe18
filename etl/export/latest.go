package export

import (
	"log/slog"
	"sync/atomic"

	"github.com/chiso-vn/chiso/etl"
	"github.com/prometheus/client_golang/prometheus"
)

// snapshot is an immutable, fully built set of indicator samples. A scrape
// reads exactly one snapshot, so it never sees a half-applied load.
type snapshot struct {
	metrics []prometheus.Metric
	series  int // indicator value series (without period-end series)
}

// latestCollector serves the latest value of each indicator per province,
// plus the period-end timestamp of each value, from the current snapshot.
type latestCollector struct {
	ref       *etl.Reference
	logger    *slog.Logger
	valueDesc map[string]*prometheus.Desc // by indicator code
	periodEnd *prometheus.Desc
	snap      atomic.Pointer[snapshot]
}

func newLatestCollector(ref *etl.Reference, logger *slog.Logger) *latestCollector {
	c := &latestCollector{
		ref:       ref,
		logger:    logger,
		valueDesc: make(map[string]*prometheus.Desc, len(ref.Indicators)),
		periodEnd: prometheus.NewDesc(Namespace+"_indicator_period_end_timestamp_seconds",
			"End of the reporting period of the exported indicator value, as Unix time: 00:00 Asia/Ho_Chi_Minh (UTC+7) of the day after the period's last day.",
			[]string{"indicator", "province_code", "province"}, nil),
	}
	for i := range ref.Indicators {
		in := &ref.Indicators[i]
		c.valueDesc[in.Code] = prometheus.NewDesc(MetricName(in), helpText(in),
			[]string{"province_code", "province"}, nil)
	}
	c.snap.Store(&snapshot{})
	return c
}

func (c *latestCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.valueDesc {
		ch <- d
	}
	ch <- c.periodEnd
}

func (c *latestCollector) Collect(ch chan<- prometheus.Metric) {
	for _, m := range c.snap.Load().metrics {
		ch <- m
	}
}

// build turns v_latest rows into a snapshot. Rows of unknown indicators are
// dropped; when a province × indicator appears twice the later period wins
// (duplicate series would make the whole scrape fail).
func (c *latestCollector) build(values []etl.LatestValue) *snapshot {
	type key struct{ ind, prov string }
	best := make(map[key]int, len(values))
	order := make([]key, 0, len(values))
	unknown := 0
	for i := range values {
		v := &values[i]
		if _, ok := c.valueDesc[v.Indicator]; !ok {
			unknown++
			continue
		}
		k := key{v.Indicator, v.ProvinceCode}
		j, seen := best[k]
		if !seen {
			order = append(order, k)
			best[k] = i
		} else if !values[j].PeriodEnd.After(v.PeriodEnd) {
			best[k] = i
		}
	}
	if unknown > 0 {
		c.logger.Warn("latest values of indicators missing from the catalog were not exported", "rows", unknown)
	}
	s := &snapshot{metrics: make([]prometheus.Metric, 0, 2*len(order))}
	for _, k := range order {
		v := &values[best[k]]
		in := c.ref.Indicator(v.Indicator)
		m, err := prometheus.NewConstMetric(c.valueDesc[v.Indicator], prometheus.GaugeValue,
			ExportValue(in, v.Value), v.ProvinceCode, v.Province)
		if err != nil { // e.g. a province name that is not valid UTF-8
			c.logger.Warn("latest value not exported", "indicator", v.Indicator, "province_code", v.ProvinceCode, "err", err)
			continue
		}
		s.metrics = append(s.metrics, m)
		s.series++
		if v.PeriodEnd.IsZero() {
			continue
		}
		m, err = prometheus.NewConstMetric(c.periodEnd, prometheus.GaugeValue,
			PeriodEndSeconds(v.PeriodEnd), v.Indicator, v.ProvinceCode, v.Province)
		if err == nil {
			s.metrics = append(s.metrics, m)
		}
	}
	return s
}

// infoCollector exports chiso_indicator_info for every catalog indicator, so
// dashboards can show names and units in legends.
type infoCollector struct {
	desc    *prometheus.Desc
	metrics []prometheus.Metric
}

func newInfoCollector(ref *etl.Reference) *infoCollector {
	c := &infoCollector{desc: prometheus.NewDesc(Namespace+"_indicator_info",
		"Catalog entry of an indicator; always 1. Join on the indicator label for names and units.",
		[]string{"indicator", "metric", "name_vi", "name_en", "unit", "kind", "category"}, nil)}
	for i := range ref.Indicators {
		in := &ref.Indicators[i]
		m, err := prometheus.NewConstMetric(c.desc, prometheus.GaugeValue, 1,
			in.Code, MetricName(in), in.NameVI, in.NameEN, in.Unit, in.Kind, in.Category)
		if err == nil {
			c.metrics = append(c.metrics, m)
		}
	}
	return c
}

func (c *infoCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *infoCollector) Collect(ch chan<- prometheus.Metric) {
	for _, m := range c.metrics {
		ch <- m
	}
}
