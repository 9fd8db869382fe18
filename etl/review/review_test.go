package review

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/chiso-vn/chiso/etl"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// fakeStore serves fixed data, so the pages are tested without DuckDB.
type fakeStore struct {
	docs   []DocumentSummary
	doc    map[string]*Document
	latest map[string][]Latest
	err    error
}

func (f *fakeStore) Documents(context.Context) ([]DocumentSummary, error) { return f.docs, f.err }

func (f *fakeStore) Document(_ context.Context, id string) (*Document, error) {
	if f.err != nil {
		return nil, f.err
	}
	d, ok := f.doc[id]
	if !ok {
		return nil, ErrNotFound
	}
	cp := *d
	return &cp, nil
}

func (f *fakeStore) Latest(_ context.Context, code string) ([]Latest, error) {
	return f.latest[code], f.err
}

// spanOf returns the rune span of the first occurrence of sub in text.
func spanOf(t *testing.T, text, sub string) (int, int) {
	t.Helper()
	i := strings.Index(text, sub)
	if i < 0 {
		t.Fatalf("%q not in text", sub)
	}
	s := utf8.RuneCountInString(text[:i])
	return s, s + utf8.RuneCountInString(sub)
}

const sampleText = "Báo cáo năm 2024 của tỉnh Lâm Đồng.\nToàn tỉnh hiện có 1.730 trạm BTS, hơn 1.355.000 thuê bao internet; 12,3,4 điểm <b>."

var year2024 = etl.Period{Start: day("2024-01-01"), End: day("2024-12-31"), Grain: etl.GrainYear}

func sampleDoc(t *testing.T) *Document {
	s1, e1 := spanOf(t, sampleText, "1.730 trạm BTS")
	s2, e2 := spanOf(t, sampleText, "1.355.000")
	s3, e3 := spanOf(t, sampleText, "12,3,4")
	s4, e4 := spanOf(t, sampleText, "2024")
	return &Document{
		ID: "003_test", URI: "testdata/003_test.txt", Title: "Báo cáo", Text: sampleText,
		ProvinceCode: "68", Province: "Lâm Đồng", Period: year2024, LoadedRun: 3, ExtractorVersion: etl.ExtractorVersion,
		Facts: []etl.Fact{
			{Doc: "003_test", ProvinceCode: "68", Province: "Lâm Đồng", Period: year2024, Indicator: "bts_stations", Unit: "count",
				Value: 1730, Qualifier: etl.Exact, Evidence: "Toàn tỉnh hiện có 1.730 trạm BTS", SpanStart: s1, SpanEnd: e1, Score: 5},
			{Doc: "003_test", ProvinceCode: "68", Province: "Lâm Đồng", Period: year2024, Indicator: "internet_subscribers", Unit: "count",
				Value: 1355000, Qualifier: etl.MoreThan, Evidence: "hơn 1.355.000 thuê bao internet", SpanStart: s2, SpanEnd: e2, Score: 4},
		},
		Candidates: []etl.Fact{{Doc: "003_test", ProvinceCode: "68", Period: year2024, Indicator: "bts_4g_stations", Unit: "count",
			Value: 1730, SpanStart: s1, SpanEnd: s1 + 5, Score: 1}},
		Notes: []etl.Note{
			{Text: "12,3,4", SpanStart: s3, SpanEnd: e3, Reason: "malformed_number: two decimal commas", Reject: true},
			{Text: "2024", SpanStart: s4, SpanEnd: e4, Reason: "year"},
		},
		Rejects: []etl.Reject{{Stage: etl.StageExtract, Reason: "malformed_number", Detail: "two decimal commas", Snippet: "12,3,4 điểm"}},
	}
}

func TestSegmentsCoverTextAndMergeOverlaps(t *testing.T) {
	d := sampleDoc(t)
	segs := Segments(d)
	var b strings.Builder
	classes := map[string]int{}
	for _, s := range segs {
		b.WriteString(s.Text)
		if s.Mark != nil {
			classes[s.Mark.Class]++
		}
	}
	if b.String() != d.Text {
		t.Fatalf("segments do not rebuild the text:\n%q\n%q", b.String(), d.Text)
	}
	// the candidate overlaps the BTS fact: one merged mark of class fact
	want := map[string]int{ClassFact: 2, ClassReject: 1, ClassDrop: 1}
	for k, v := range want {
		if classes[k] != v {
			t.Errorf("%s marks = %d, want %d (%v)", k, classes[k], v, classes)
		}
	}
	if classes[ClassCandidate] != 0 {
		t.Errorf("candidate overlapping a fact got its own mark")
	}
	for _, s := range segs {
		if s.Mark != nil && s.Mark.Indicator == "bts_stations" {
			if s.Text != "1.730 trạm BTS" {
				t.Errorf("BTS mark text = %q", s.Text)
			}
			if !strings.Contains(s.Mark.Title, "bts_4g_stations") || !strings.Contains(s.Mark.Title, "bts_stations = 1730") {
				t.Errorf("merged title lost a reading: %q", s.Mark.Title)
			}
			if len(s.Mark.Anchors) != 1 || s.Mark.Anchors[0] != "c-1" {
				t.Errorf("merged anchors = %v, want [c-1]", s.Mark.Anchors)
			}
		}
	}
}

func TestSegmentsClampBadSpans(t *testing.T) {
	d := &Document{Text: "abc", Facts: []etl.Fact{{Indicator: "x", SpanStart: 2, SpanEnd: 99}, {Indicator: "y", SpanStart: 5, SpanEnd: 7}, {Indicator: "z", SpanStart: -3, SpanEnd: 1}}}
	var b strings.Builder
	for _, s := range Segments(d) {
		b.WriteString(s.Text)
	}
	if b.String() != "abc" {
		t.Fatalf("got %q", b.String())
	}
}

func get(t *testing.T, h http.Handler, path string) (int, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	b, _ := io.ReadAll(rec.Result().Body)
	if ct := rec.Header().Get("Content-Type"); rec.Code != http.StatusOK && rec.Code != http.StatusNotFound || ct != "text/html; charset=utf-8" {
		t.Errorf("GET %s: status %d, content type %q", path, rec.Code, ct)
	}
	return rec.Code, string(b)
}

func newFake(t *testing.T) *fakeStore {
	d := sampleDoc(t)
	return &fakeStore{
		docs: []DocumentSummary{
			{ID: d.ID, Title: d.Title, ProvinceCode: "68", Province: "Lâm Đồng", PeriodStart: year2024.Start, PeriodEnd: year2024.End, Facts: 2, Candidates: 1, Rejects: 1, LoadedRun: 3},
			{ID: "empty doc/1", Title: "no facts", LoadedRun: 3},
		},
		doc: map[string]*Document{d.ID: d},
		latest: map[string][]Latest{"bts_stations": {{LatestValue: etl.LatestValue{ProvinceCode: "68", Province: "Lâm Đồng", Indicator: "bts_stations",
			Unit: "count", Value: 1730, Qualifier: etl.Exact, PeriodStart: year2024.Start, PeriodEnd: year2024.End, Doc: d.ID},
			Evidence: "Toàn tỉnh hiện có 1.730 trạm BTS"}}},
	}
}

func TestPages(t *testing.T) {
	h := NewHandler(newFake(t), nil)

	code, body := get(t, h, "/documents")
	if code != 200 || !strings.Contains(body, `<a href="/documents/003_test">003_test</a>`) ||
		!strings.Contains(body, `href="/documents/empty%20doc%2F1"`) || !strings.Contains(body, `class="nofacts"`) {
		t.Errorf("/documents: %d\n%s", code, body)
	}

	code, body = get(t, h, "/documents/003_test")
	for _, want := range []string{
		`<mark class="fact" id="f-bts_stations-68-20240101-20241231"`,
		`data-indicator="bts_stations" data-value="1730" data-qualifier="exact">1.730 trạm BTS</mark>`,
		`data-qualifier="more_than">1.355.000</mark>`,
		`<mark class="reject" id="n-1" title="rejected: malformed_number: two decimal commas"`,
		`<mark class="drop" id="n-2" title="dropped: year"`,
		`<span id="c-1"></span>`,
		`&lt;b&gt;.`, // the text is escaped
		`<a href="/indicators/bts_stations">bts_stations</a>`,
		`href="#f-bts_stations-68-20240101-20241231"`,
		`two decimal commas`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/documents/003_test lacks %s", want)
		}
	}
	if code != 200 || strings.Contains(body, "<script") {
		t.Errorf("/documents/003_test: status %d or script", code)
	}

	code, body = get(t, h, "/indicators/bts_stations")
	if code != 200 || !strings.Contains(body, `href="/documents/003_test#f-bts_stations-68-20240101-20241231"`) ||
		!strings.Contains(body, "chiso_bts_stations") || !strings.Contains(body, "1730") {
		t.Errorf("/indicators/bts_stations: %d\n%s", code, body)
	}
	if code, body = get(t, h, "/indicators/phone_subscribers"); code != 200 || !strings.Contains(body, "No province has a value") {
		t.Errorf("/indicators/phone_subscribers: %d", code)
	}
	if code, body = get(t, h, "/indicators"); code != 200 || !strings.Contains(body, `href="/indicators/bts_stations"`) {
		t.Errorf("/indicators: %d", code)
	}
	if code, _ = get(t, h, "/documents/nope"); code != 404 {
		t.Errorf("unknown document: %d", code)
	}
	if code, _ = get(t, h, "/indicators/nope"); code != 404 {
		t.Errorf("unknown indicator: %d", code)
	}
}

func TestPagesRecomputeNotes(t *testing.T) {
	f := newFake(t)
	d := f.doc["003_test"]
	d.Notes, d.ProvinceCode, d.Period = nil, "", etl.Period{}
	_, body := get(t, NewHandler(f, nil), "/documents/003_test")
	if !strings.Contains(body, `class="drop"`) || !strings.Contains(body, "Lâm Đồng (68)") {
		t.Errorf("notes or province not recomputed from the text:\n%s", body)
	}
}

func TestStoreError(t *testing.T) {
	f := newFake(t)
	f.err = io.ErrUnexpectedEOF
	rec := httptest.NewRecorder()
	NewHandler(f, nil).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/documents", nil))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "unexpected EOF") {
		t.Errorf("store error: %d %s", rec.Code, rec.Body.String())
	}
}

func TestWriteDocumentStandalone(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteDocument(&buf, sampleDoc(t)); err != nil {
		t.Fatal(err)
	}
	s := buf.String()
	if !strings.Contains(s, `<mark class="fact" id="f-bts_stations-68-20240101-20241231"`) {
		t.Error("standalone page lacks the fact mark")
	}
	if strings.Contains(s, `href="/`) {
		t.Error("standalone page links to server pages")
	}
}

func TestFromExtraction(t *testing.T) {
	text := &etl.Text{Body: "Toàn tỉnh Lâm Đồng hiện có 1.730 trạm BTS năm 2024."}
	ex := etl.NewExtractor(etl.Ref()).Extract("x", text)
	d := FromExtraction(&etl.Document{ID: "x"}, text, ex, nil)
	if d.Text != text.Body || len(d.Facts) != len(ex.Facts) || d.Notes == nil {
		t.Fatalf("FromExtraction: %+v", d)
	}
}
