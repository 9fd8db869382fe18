package warehouse

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chiso-vn/chiso/etl"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

// fx is one fact of the fixture before spans are computed.
type fx struct {
	prov, ind  string
	start, end string
	grain      etl.Grain
	value      float64
	score      float64
	candidate  bool
}

// year, half… build fixture periods.
func yr(y int) (string, string, etl.Grain) {
	return fmt.Sprintf("%d-01-01", y), fmt.Sprintf("%d-12-31", y), etl.GrainYear
}

func h1(y int) (string, string, etl.Grain) {
	return fmt.Sprintf("%d-01-01", y), fmt.Sprintf("%d-06-30", y), etl.GrainHalf
}

func h2(y int) (string, string, etl.Grain) {
	return fmt.Sprintf("%d-07-01", y), fmt.Sprintf("%d-12-31", y), etl.GrainHalf
}

func f(prov, ind string, p func(int) (string, string, etl.Grain), y int, v float64) fx {
	s, e, g := p(y)
	return fx{prov: prov, ind: ind, start: s, end: e, grain: g, value: v, score: 0.9}
}

func onDay(prov, ind, d string, v float64) fx {
	return fx{prov: prov, ind: ind, start: d, end: d, grain: etl.GrainDay, value: v, score: 0.9}
}

// outcome builds a loaded outcome whose text contains one sentence per fact,
// with spans pointing at the number, as the extractor would produce.
func outcome(id string, published string, facts ...fx) etl.Outcome {
	var body strings.Builder
	body.WriteString("Báo cáo " + id + ".\n")
	ex := &etl.Extraction{}
	for _, x := range facts {
		in := etl.Ref().Indicator(x.ind)
		unit := "count"
		if in != nil {
			unit = in.Unit
		}
		num := fmt.Sprintf("%g", x.value)
		prefix := fmt.Sprintf("Chỉ số %s của tỉnh %s đạt ", x.ind, x.prov)
		sentence := prefix + num + " " + unit + "."
		start := utf8.RuneCountInString(body.String()) + utf8.RuneCountInString(prefix)
		body.WriteString(sentence + "\n")
		fact := etl.Fact{
			Doc: id, ProvinceCode: x.prov, Indicator: x.ind, Unit: unit, Value: x.value,
			Period:    etl.Period{Start: day(x.start), End: day(x.end), Grain: x.grain},
			Qualifier: etl.Exact, Evidence: sentence, SpanStart: start, SpanEnd: start + utf8.RuneCountInString(num),
			Score: x.score,
		}
		if unit == "percent" {
			fact.Denominator = 100
		}
		if x.candidate {
			ex.Candidates = append(ex.Candidates, fact)
		} else {
			ex.Facts = append(ex.Facts, fact)
		}
	}
	text := body.String()
	sum := sha256.Sum256([]byte(text))
	o := etl.Outcome{
		Doc: &etl.Document{ID: id, URI: "file:///corpus/" + id + ".txt", Raw: []byte(text),
			SHA256: hex.EncodeToString(sum[:]), ContentType: "text/plain"},
		Status:     etl.StatusLoaded,
		Text:       &etl.Text{Body: text, Title: "Báo cáo " + id, Format: "text", Encoding: "utf-8"},
		Extraction: ex,
	}
	if published != "" {
		o.Text.Published = day(published)
	}
	return o
}

func rejected(id, reason string) etl.Outcome {
	return etl.Outcome{
		Doc:     &etl.Document{ID: id, URI: "file:///corpus/" + id + ".bin", Raw: []byte{0, 1, 2}, SHA256: "00" + id},
		Status:  etl.StatusRejected,
		Rejects: []etl.Reject{{Doc: id, URI: "file:///corpus/" + id + ".bin", Stage: etl.StageDecode, Reason: reason, Detail: "not text"}},
	}
}

// fixture is the deterministic corpus of the golden tests: Lâm Đồng (68)
// with its merger partners Đắk Nông (67) and Bình Thuận (60), Hà Tĩnh (42),
// Yên Bái (15, era 63) and Lào Cai (15, era 34); 2019–2025; stock and flow;
// half-year and annual periods.
func fixture() []etl.Outcome {
	cand := f("42", "bts_stations", yr, 2023, 21)
	cand.candidate, cand.score = true, 0.3
	cand2 := f("42", "bts_stations", yr, 2023, 2150)
	cand2.candidate, cand2.score = true, 0.6
	withValueReject := outcome("ht_2024", "2025-01-10",
		f("42", "bts_stations", yr, 2024, 2300),
		f("42", "fines_vnd", yr, 2024, 64.5e6),
	)
	withValueReject.Rejects = []etl.Reject{{Doc: "ht_2024", Stage: etl.StageExtract, Reason: "malformed_number",
		Detail: "two decimal separators", Snippet: "1.234,5,6 trạm"}}
	return []etl.Outcome{
		outcome("ld_2019", "2020-01-15",
			f("68", "bts_stations", yr, 2019, 1500),
			f("68", "fines_vnd", yr, 2019, 100e6),
			f("68", "internet_subscribers", yr, 2019, 400000)),
		outcome("ld_2020_h1", "2020-07-10",
			f("68", "bts_stations", h1, 2020, 1550),
			f("68", "fines_vnd", h1, 2020, 40e6)),
		outcome("ld_2020_h2", "2021-01-05",
			f("68", "bts_stations", h2, 2020, 1600),
			f("68", "fines_vnd", h2, 2020, 70e6)),
		outcome("ld_2020", "2021-02-01",
			f("68", "fines_vnd", yr, 2020, 115e6),
			f("68", "internet_subscribers", yr, 2020, 450000)),
		outcome("dn_2020", "2021-01-20",
			f("67", "bts_stations", yr, 2020, 800),
			f("67", "fines_vnd", yr, 2020, 20e6)),
		outcome("bt_2020", "2021-01-25",
			f("60", "bts_stations", yr, 2020, 1200)),
		outcome("ld_2021", "2022-01-12",
			f("68", "bts_stations", yr, 2021, 1700),
			f("68", "fines_vnd", h1, 2021, 30e6),
			f("68", "fines_vnd", h2, 2021, 35e6)),
		outcome("ld_2022", "2023-01-12",
			f("68", "bts_stations", yr, 2022, 1730),
			f("68", "mobile_broadband_coverage_pct", yr, 2022, 97.5)),
		outcome("ht_2023", "2024-01-08",
			f("42", "bts_stations", yr, 2023, 2100), cand, cand2,
			f("42", "training_courses", h1, 2023, 12)),
		withValueReject,
		outcome("ld_2024", "2025-01-15",
			f("68", "bts_stations", yr, 2024, 1850),
			f("68", "phone_density_per_100", yr, 2024, 130),
			f("68", "phone_subscribers", yr, 2024, 1690000),
			f("68", "mobile_broadband_coverage_pct", yr, 2024, 99)),
		outcome("yb_2024", "2025-01-20",
			f("15", "bts_stations", yr, 2024, 900)),
		outcome("ld_2025_h1", "2025-07-05",
			f("68", "bts_stations", h1, 2025, 1900),
			f("68", "fines_vnd", h1, 2025, 50e6)),
		outcome("lc_2025_09", "2025-10-02",
			onDay("15", "bts_stations", "2025-09-30", 2500)),
		outcome("ld_2025_09", "2025-10-03",
			onDay("68", "bts_stations", "2025-09-30", 4200)),
		rejected("scan_0001", "binary"),
	}
}

// feed returns a closed channel delivering outs.
func feed(outs ...etl.Outcome) <-chan etl.Outcome {
	ch := make(chan etl.Outcome, len(outs))
	for _, o := range outs {
		ch <- o
	}
	close(ch)
	return ch
}

func openTest(t testing.TB, path string) *Warehouse {
	t.Helper()
	if path == "" {
		path = filepath.Join(t.TempDir(), "chiso.duckdb")
	}
	w, err := Open(context.Background(), Options{Path: path, Threads: 2, MemoryLimit: "512MB", ExtractorVersion: "test-1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func mustLoad(t testing.TB, w *Warehouse, outs ...etl.Outcome) etl.RunStats {
	t.Helper()
	st, err := w.Load(context.Background(), feed(outs...))
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	return st
}

func count(t testing.TB, w *Warehouse, q string, args ...any) int {
	t.Helper()
	var n int
	if err := w.DB().QueryRowContext(context.Background(), q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}
