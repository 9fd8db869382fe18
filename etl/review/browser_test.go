package review_test

import (
	"bytes"
	"context"
	"errors"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chiso-vn/chiso/etl"
	"github.com/chiso-vn/chiso/etl/export"
	"github.com/chiso-vn/chiso/etl/job"
	"github.com/chiso-vn/chiso/etl/review"
	"github.com/chiso-vn/chiso/etl/warehouse"
)

// seedDoc is Lâm Đồng's 2024 report among the bundled samples.
const seedDoc = "003_8af6ead43881aaac"

// loaded returns a warehouse loaded from testdata/reports.
func loaded(t *testing.T) *warehouse.Warehouse {
	t.Helper()
	ctx := context.Background()
	w, err := warehouse.Open(ctx, warehouse.Options{Path: filepath.Join(t.TempDir(), "w.duckdb"), Threads: 2,
		ExtractorVersion: etl.ExtractorVersion})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := job.New(w, job.Config{Sources: []string{"../../testdata/reports"}, Workers: 2, Logger: logger}, nil).Run(ctx); err != nil {
		t.Fatal(err)
	}
	return w
}

func TestWarehouseStore(t *testing.T) {
	ctx := context.Background()
	s := loaded(t).Review()

	docs, err := s.Documents(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) != 5 {
		t.Fatalf("documents = %d, want the 5 sample reports", len(docs))
	}
	var seed *review.DocumentSummary
	for i := range docs {
		if docs[i].ID == seedDoc {
			seed = &docs[i]
		}
	}
	if seed == nil || seed.ProvinceCode != "68" || seed.Province != "Lâm Đồng" || seed.Facts == 0 || seed.PeriodEnd.Year() != 2024 {
		t.Fatalf("seed document summary = %+v", seed)
	}

	d, err := s.Document(ctx, seedDoc)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Facts) != seed.Facts || d.Text == "" || d.LoadedRun == 0 {
		t.Fatalf("document: %d facts (list says %d), %d bytes of text", len(d.Facts), seed.Facts, len(d.Text))
	}
	rs := []rune(d.Text)
	var bts *etl.Fact
	for i, f := range d.Facts {
		if f.SpanStart < 0 || f.SpanEnd > len(rs) || f.SpanStart >= f.SpanEnd {
			t.Errorf("fact %s has span %d..%d outside the text", f.Indicator, f.SpanStart, f.SpanEnd)
		}
		if f.Indicator == "bts_stations" {
			bts = &d.Facts[i]
		}
	}
	if bts == nil || bts.Value != 1730 || !strings.HasPrefix(string(rs[bts.SpanStart:bts.SpanEnd]), "1.730") {
		t.Fatalf("bts_stations fact = %+v", bts)
	}
	if _, err := s.Document(ctx, "no such doc"); !errors.Is(err, review.ErrNotFound) {
		t.Errorf("unknown document: err = %v, want ErrNotFound", err)
	}

	latest, err := s.Latest(ctx, "bts_stations")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, l := range latest {
		if l.ProvinceCode == "68" {
			found = true
			if l.Value != 1730 || l.Doc != seedDoc || !strings.Contains(l.Evidence, "1.730") {
				t.Errorf("latest bts_stations of 68 = %+v", l)
			}
		}
	}
	if !found {
		t.Errorf("no latest bts_stations for province 68 in %+v", latest)
	}
}

// chromium finds a headless-capable Chromium: skipped locally when
// missing, a failure in CI.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium not found (apt-get install chromium chromium-driver, or make test-deps)")
	}
	t.Skip("chromium not found; make test-deps installs it")
	return ""
}

// browse runs headless Chromium on url with the extra arguments and returns
// its stdout.
func browse(t *testing.T, bin, url string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--hide-scrollbars", "--user-data-dir=" + t.TempDir(), "--window-size=1280,2000"}
	cmd := exec.CommandContext(ctx, bin, append(append(base, args...), url)...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, errb.String())
	}
	return out.String()
}

var markRE = regexp.MustCompile(`<mark class="(fact|candidate|reject|drop)"([^>]*)>([^<]*)</mark>`)
var attrRE = regexp.MustCompile(`([a-z-]+)="([^"]*)"`)

type domMark struct {
	class, text string
	attr        map[string]string
}

func marks(dom string) []domMark {
	var out []domMark
	for _, m := range markRE.FindAllStringSubmatch(dom, -1) {
		dm := domMark{class: m[1], text: m[3], attr: map[string]string{}}
		for _, a := range attrRE.FindAllStringSubmatch(m[2], -1) {
			dm.attr[a[1]] = a[2]
		}
		out = append(out, dm)
	}
	return out
}

// TestEvidencePageInChromium serves the evidence pages of a warehouse loaded
// from the sample reports through the exporter's mux (as `chiso serve`
// does), renders them in headless Chromium and checks the highlighted facts
// of Lâm Đồng's report. The screenshot goes to $CHISO_TEST_ARTIFACTS (or a
// temporary directory) and must show the fact highlight colour.
func TestEvidencePageInChromium(t *testing.T) {
	bin := chromium(t)
	w := loaded(t)
	want, err := w.Review().Document(context.Background(), seedDoc)
	if err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	exp := export.NewWithLogger(etl.Ref(), "test", logger)
	srv := httptest.NewServer(exp.Handler("/metrics", review.NewHandler(w.Review(), logger).Routes()))
	defer srv.Close()

	// the exporter's own pages still work beside the evidence pages
	if resp, err := http.Get(srv.URL + "/metrics"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("/metrics beside the evidence pages: %v %v", resp, err)
	}

	pageURL := srv.URL + "/documents/" + seedDoc
	dom := browse(t, bin, pageURL, "--dump-dom")
	ms := marks(dom)
	facts := map[string]domMark{}
	for _, m := range ms {
		if m.class == "fact" {
			facts[m.attr["data-indicator"]] = m
		}
	}
	bts, ok := facts["bts_stations"]
	if !ok {
		t.Fatalf("no highlighted bts_stations fact in the rendered DOM:\n%s", dom)
	}
	if !strings.HasPrefix(bts.text, "1.730") || bts.attr["data-value"] != "1730" || bts.attr["data-qualifier"] != "exact" ||
		!strings.Contains(bts.attr["title"], "bts_stations = 1730") || !strings.Contains(bts.attr["title"], "Lâm Đồng (68)") {
		t.Errorf("bts_stations mark = %+v", bts)
	}
	for _, f := range want.Facts {
		if _, ok := facts[f.Indicator]; !ok && !strings.Contains(dom, `id="`+review.FactAnchor(f.Indicator, f.ProvinceCode, f.Period.Start, f.Period.End)+`"`) {
			t.Errorf("fact %s = %v is not highlighted", f.Indicator, f.Value)
		}
	}
	dropped := 0
	for _, m := range ms {
		if (m.class == "drop" || m.class == "reject") && m.attr["data-reason"] != "" {
			dropped++
		}
	}
	if dropped == 0 {
		t.Errorf("no dropped number is marked with its reason")
	}
	t.Logf("%s: %d fact marks, %d dropped or rejected numbers marked", seedDoc, len(facts), dropped)

	// the list and the indicator page render and link to the evidence
	list := browse(t, bin, srv.URL+"/documents", "--dump-dom")
	if !strings.Contains(list, `href="/documents/`+seedDoc+`"`) {
		t.Errorf("/documents does not link the seed document")
	}
	ind := browse(t, bin, srv.URL+"/indicators/bts_stations", "--dump-dom")
	if !strings.Contains(ind, `href="/documents/`+seedDoc+`#f-bts_stations-68-`) {
		t.Errorf("/indicators/bts_stations does not link Lâm Đồng's evidence")
	}

	dir := os.Getenv("CHISO_TEST_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shot, err := filepath.Abs(filepath.Join(dir, "evidence-"+seedDoc+".png"))
	if err != nil {
		t.Fatal(err)
	}
	browse(t, bin, pageURL, "--screenshot="+shot)
	t.Logf("screenshot: %s", shot)
	n := highlightPixels(t, shot)
	if n < 500 {
		t.Errorf("screenshot %s shows %d pixels of the fact highlight colour; want the facts highlighted", shot, n)
	}
}

// highlightPixels counts pixels of the fact highlight (#ffe066) in a PNG.
func highlightPixels(t *testing.T, path string) int {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("screenshot not written: %v", err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	near := func(a uint32, b int) bool { d := int(a>>8) - b; return d > -8 && d < 8 }
	n := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if near(r, 0xff) && near(g, 0xe0) && near(b, 0x66) {
				n++
			}
		}
	}
	return n
}
