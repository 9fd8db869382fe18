package export_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/chiso-vn/chiso/etl"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape GETs path from h in-process and returns the body.
func scrape(t testing.TB, h http.Handler, path string) (int, []byte) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, b
}

// parse decodes a text exposition.
func parse(t testing.TB, body []byte) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("parse exposition: %v\n%s", err, body)
	}
	return mfs
}

// value returns the sample of family name whose labels include want.
func value(mfs map[string]*dto.MetricFamily, name string, want map[string]string) (float64, bool) {
	mf, ok := mfs[name]
	if !ok {
		return 0, false
	}
	for _, m := range mf.GetMetric() {
		got := map[string]string{}
		for _, l := range m.GetLabel() {
			got[l.GetName()] = l.GetValue()
		}
		match := true
		for k, v := range want {
			if got[k] != v {
				match = false
				break
			}
		}
		if !match {
			continue
		}
		switch {
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Untyped != nil:
			return m.GetUntyped().GetValue(), true
		}
	}
	return 0, false
}

// seriesCount is the number of samples of a family.
func seriesCount(mfs map[string]*dto.MetricFamily, name string) int {
	if mf, ok := mfs[name]; ok {
		return len(mf.GetMetric())
	}
	return 0
}

var (
	june30 = time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	dec31  = time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)
)

// fullSnapshot has a value for every catalog indicator in each province,
// plus the figures the end-to-end test looks for.
func fullSnapshot(ref *etl.Reference, codes ...string) []etl.LatestValue {
	var out []etl.LatestValue
	for pi, code := range codes {
		p := ref.Province34(code)
		for ii, in := range ref.Indicators {
			v := float64(100*(pi+1) + ii)
			switch in.Unit {
			case "percent":
				v = float64(40 + 7*pi + ii%10) // 40..88 %
			case "vnd":
				v = float64(pi+1) * 1e8
			}
			switch {
			case code == "68" && in.Code == "bts_stations":
				v = 1730
			case code == "04" && in.Code == "fines_vnd":
				v = 164500000
			case code == "68" && in.Code == "online_public_services_level4_pct":
				v = 85.5
			}
			out = append(out, etl.LatestValue{
				ProvinceCode: p.Code, Province: p.Name, Indicator: in.Code, Unit: in.Unit, Value: v,
				Qualifier: etl.Exact, PeriodStart: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), PeriodEnd: june30,
				Doc: "bao-cao-" + p.Code,
			})
		}
	}
	return out
}

func sampleRun(now time.Time) etl.RunStats {
	return etl.RunStats{
		RunID: 7, Started: now.Add(-95 * time.Second), Finished: now, Status: etl.RunSuccess,
		DocsSeen: 120, DocsLoaded: 30, DocsUnchanged: 85, DocsRejected: 5, Facts: 412, Candidates: 40,
		RejectsByReason:   map[string]int{"binary": 2, "malformed_number": 3, "no_province": 1},
		StageSeconds:      map[string]float64{etl.StageFetch: 12.5, etl.StageDecode: 20.25, etl.StageExtract: 48, etl.StageLoad: 3.5},
		DataCheckFailures: 0, TotalFacts: 5210,
	}
}

// logBuffer is a goroutine-safe log sink.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
