package gen_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/chiso-vn/chiso/etl"
	"github.com/chiso-vn/chiso/etl/gen"
	"github.com/chiso-vn/chiso/etl/htmltext"
)

// extractAll runs decode+extract over n generated documents on all cores
// and scores them against the truth.
func extractAll(t testing.TB, g *gen.Generator, n int) *etl.Scorer {
	x := etl.NewExtractor(etl.Ref())
	dopt := etl.DecodeOptions{MaxBytes: 1 << 25, HTML: htmltext.New()}
	var mu sync.Mutex
	total := etl.Scorer{MaxExamples: 50}
	var wg sync.WaitGroup
	idx := make(chan int, 64)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := etl.Scorer{MaxExamples: 50}
			for i := range idx {
				d := g.Doc(i)
				oc := etl.Process(&etl.Document{ID: d.ID, URI: d.Path, Raw: d.Body, ContentType: contentType(d.Path)}, etl.NoneKnown{}, dopt, x)
				var facts []etl.Fact
				if oc.Extraction != nil {
					facts = oc.Extraction.Facts
				}
				s.Add(gen.Golds(d.Facts), facts)
			}
			mu.Lock()
			total.Merge(&s)
			mu.Unlock()
		}()
	}
	for i := range n {
		idx <- i
	}
	close(idx)
	wg.Wait()
	return &total
}

func contentType(p string) string {
	if strings.HasSuffix(p, ".html") {
		return "text/html"
	}
	return "text/plain"
}

// TestDeterministic: the same seed gives the same bytes and truth, another
// seed another corpus, and a document does not depend on its neighbours.
func TestDeterministic(t *testing.T) {
	a, b := gen.New(gen.Options{Seed: 7}), gen.New(gen.Options{Seed: 7})
	c := gen.New(gen.Options{Seed: 8})
	same := 0
	for _, i := range []int{0, 1, 2, 999, 12345} {
		x, y := a.Doc(i), b.Doc(i)
		if x.ID != y.ID || x.Path != y.Path || !bytes.Equal(x.Body, y.Body) || len(x.Facts) != len(y.Facts) {
			t.Fatalf("doc %d differs between two generators with the same seed", i)
		}
		for k := range x.Facts {
			if x.Facts[k] != y.Facts[k] {
				t.Fatalf("doc %d fact %d differs", i, k)
			}
		}
		if bytes.Equal(x.Body, c.Doc(i).Body) {
			same++
		}
	}
	if same > 0 {
		t.Fatalf("%d documents identical under another seed", same)
	}

	// Write is parallel; its output must not depend on that.
	d1, d2 := t.TempDir(), t.TempDir()
	for _, d := range []string{d1, d2} {
		if _, err := gen.Write(context.Background(), d, gen.Options{Docs: 1500, Seed: 3}); err != nil {
			t.Fatal(err)
		}
	}
	t1, _ := os.ReadFile(filepath.Join(d1, "truth.csv"))
	t2, _ := os.ReadFile(filepath.Join(d2, "truth.csv"))
	if !bytes.Equal(t1, t2) || len(t1) == 0 {
		t.Fatal("truth.csv differs between two writes of the same corpus")
	}
	if !strings.HasPrefix(string(t1), strings.Join(gen.TruthColumns, ",")+"\n") {
		t.Fatalf("truth.csv header: %q", string(t1[:80]))
	}
	files, _ := filepath.Glob(filepath.Join(d1, "*", "*"))
	if len(files) != 1500 {
		t.Fatalf("wrote %d files, want 1500", len(files))
	}
}

// TestTruthMatchesText: every truth row's evidence is in its document's
// text, contains the value as written, and lies in the document's province
// and a plausible period; the corpus covers every indicator family,
// every province and every year.
func TestTruthMatchesText(t *testing.T) {
	g := gen.New(gen.Options{Seed: 1})
	ref := etl.Ref()
	inds := map[string]bool{}
	provs := map[string]bool{}
	years := map[int]bool{}
	formats := map[string]int{}
	for i := range 1500 {
		d := g.Doc(i)
		formats[d.Format]++
		if d.Format == "broken" {
			if len(d.Facts) != 0 {
				t.Fatalf("%s: broken file with truth", d.ID)
			}
			continue
		}
		text, rej := etl.Decode(&etl.Document{ID: d.ID, Raw: d.Body, ContentType: contentType(d.Path)}, etl.DecodeOptions{MaxBytes: 1 << 20, HTML: htmltext.New()})
		if rej != nil {
			t.Fatalf("%s: rejected: %+v", d.ID, rej)
		}
		if len(d.Facts) == 0 {
			t.Fatalf("%s: no truth", d.ID)
		}
		for _, f := range d.Facts {
			if f.Doc != d.ID {
				t.Fatalf("%s: truth row of %s", d.ID, f.Doc)
			}
			if !strings.Contains(strings.ToLower(text.Body), strings.ToLower(f.Evidence)) {
				t.Fatalf("%s: evidence %q not in the text", d.ID, f.Evidence)
			}
			in := ref.Indicator(f.Indicator)
			if in == nil {
				t.Fatalf("%s: unknown indicator %s", d.ID, f.Indicator)
			}
			if f.Value < in.Min || f.Value > in.Max {
				t.Fatalf("%s: %s = %v outside [%v, %v]", d.ID, f.Indicator, f.Value, in.Min, in.Max)
			}
			if f.End.Before(f.Start) || f.Start.Year() < 2014 || f.End.Year() > 2025 {
				t.Fatalf("%s: period %v..%v", d.ID, f.Start, f.End)
			}
			p := ref.Province34(f.ProvinceCode)
			if f.End.Before(etl.Merger) {
				p = ref.Province63(f.ProvinceCode)
			}
			if p == nil {
				t.Fatalf("%s: province %s not valid on %v", d.ID, f.ProvinceCode, f.End)
			}
			inds[f.Indicator] = true
			provs[f.ProvinceCode+f.End.Format("/2006")] = true
			years[f.End.Year()] = true
		}
	}
	if len(inds) < 40 {
		t.Errorf("only %d indicators covered", len(inds))
	}
	for y := 2015; y <= 2025; y++ {
		if !years[y] {
			t.Errorf("year %d not covered", y)
		}
	}
	codes := map[string]bool{}
	for k := range provs {
		codes[k[:2]] = true
	}
	if len(codes) < 60 {
		t.Errorf("only %d province codes covered", len(codes))
	}
	if formats["html"] == 0 || formats["broken"] == 0 || formats["text"] == 0 {
		t.Errorf("formats %v", formats)
	}
}

// TestAccuracy measures the extractor on generated reports against their
// truth, decoding HTML and other encodings like the pipeline does. With
// -short it scores 2,000 documents, otherwise 10,000.
func TestAccuracy(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 2000
	}
	s := extractAll(t, gen.New(gen.Options{Seed: 1}), n).Result()
	t.Logf("%d generated documents: %s", n, s)
	if s.Precision < 0.98 {
		t.Errorf("precision %.4f < 0.98", s.Precision)
	}
	if s.Recall < 0.95 {
		t.Errorf("recall %.4f < 0.95", s.Recall)
	}
}

// TestDevAccuracy prints misses and false positives (GEN_DEV=1).
func TestDevAccuracy(t *testing.T) {
	if os.Getenv("GEN_DEV") == "" {
		t.Skip("set GEN_DEV=1")
	}
	n := 3000
	sc := extractAll(t, gen.New(gen.Options{Seed: 1}), n)
	s := sc.Result()
	t.Log(s, "misses by indicator:", sc.FNByIndicator, "false positives by indicator:", sc.FPByIndicator)
	for _, g := range s.FalseNegatives {
		t.Logf("FN %s %s %s..%s %v <- %s", g.Doc, g.Indicator, g.PeriodStart, g.PeriodEnd, g.Value, g.Evidence)
	}
	for _, f := range s.FalsePositives {
		t.Logf("FP %s %s %v <- %s", f.Doc, f.Indicator, f.Value, f.Evidence)
	}
}
