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
func extractAll(t testing.TB, g *gen.Generator, n int) *gen.Score {
	x := etl.NewExtractor(etl.Ref())
	dopt := etl.DecodeOptions{MaxBytes: 1 << 25, HTML: htmltext.New()}
	var mu sync.Mutex
	var total gen.Score
	var wg sync.WaitGroup
	idx := make(chan int, 64)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var s gen.Score
			for i := range idx {
				d := g.Doc(i)
				oc := etl.Process(&etl.Document{ID: d.ID, URI: d.Path, Raw: d.Body, ContentType: contentType(d.Path)}, etl.NoneKnown{}, dopt, x)
				var facts []etl.Fact
				if oc.Extraction != nil {
					facts = oc.Extraction.Facts
				}
				s.Add(d.Facts, facts)
			}
			mu.Lock()
			merge(&total, &s)
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

func merge(dst, s *gen.Score) {
	dst.TP += s.TP
	dst.FP += s.FP
	dst.FN += s.FN
	dst.Required += s.Required
	dst.QualifierOK += s.QualifierOK
	if dst.FNByIndicator == nil {
		dst.FNByIndicator, dst.FPByIndicator = map[string]int{}, map[string]int{}
	}
	for k, v := range s.FNByIndicator {
		dst.FNByIndicator[k] += v
	}
	for k, v := range s.FPByIndicator {
		dst.FPByIndicator[k] += v
	}
	dst.FNExamples = append(dst.FNExamples, s.FNExamples...)
	dst.FPExamples = append(dst.FPExamples, s.FPExamples...)
}

func TestDevAccuracy(t *testing.T) {
	if os.Getenv("GEN_DEV") == "" {
		t.Skip()
	}
	n := 3000
	s := extractAll(t, gen.New(gen.Options{Docs: n, Seed: 1}), n)
	t.Log(s.String())
	for i, e := range s.FNExamples {
		if i < 40 {
			t.Log("FN ", e)
		}
	}
	for i, e := range s.FPExamples {
		if i < 40 {
			t.Log("FP ", e)
		}
	}
}

var _ = bytes.MinRead
var _ = context.Background
var _ = filepath.Join
