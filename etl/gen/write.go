package gen

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"

	"github.com/chiso-vn/chiso/etl"
)

// TruthColumns is the header of truth.csv, the scorer's gold format.
var TruthColumns = []string{"doc", "province_code", "period_start", "period_end", "indicator", "value", "qualifier", "required", "evidence"}

// TruthWriter writes truth rows as CSV.
type TruthWriter struct{ w *csv.Writer }

// NewTruthWriter writes the header at once.
func NewTruthWriter(w io.Writer) (*TruthWriter, error) {
	cw := csv.NewWriter(w)
	return &TruthWriter{cw}, cw.Write(TruthColumns)
}

// Write writes the facts of one document.
func (t *TruthWriter) Write(facts []Fact) error {
	for _, f := range facts {
		req := "0"
		if f.Required {
			req = "1"
		}
		if err := t.w.Write([]string{f.Doc, f.ProvinceCode, f.Start.Format("2006-01-02"), f.End.Format("2006-01-02"),
			f.Indicator, etl.FormatValue(f.Value), string(f.Qualifier), req, f.Evidence}); err != nil {
			return err
		}
	}
	return nil
}

// Flush flushes the CSV writer.
func (t *TruthWriter) Flush() error { t.w.Flush(); return t.w.Error() }

// Summary describes a written corpus.
type Summary struct {
	Docs, Broken, HTML int
	Bytes              int64
	Facts              int
}

// Write generates the corpus into dir (documents in sub-directories of
// 1,000, plus dir/truth.csv), on all cores. The output is the same for the
// same options whatever the number of cores.
func Write(ctx context.Context, dir string, o Options) (Summary, error) {
	g := New(o)
	var sum Summary
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return sum, err
	}
	tf, err := os.Create(filepath.Join(dir, "truth.csv"))
	if err != nil {
		return sum, err
	}
	defer tf.Close()
	tw, err := NewTruthWriter(tf)
	if err == nil {
		err = tw.Flush() // the header goes before the chunks' rows
	}
	if err != nil {
		return sum, err
	}
	const chunk = 1000
	nChunks := (o.Docs + chunk - 1) / chunk
	type result struct {
		truth bytes.Buffer
		sum   Summary
		err   error
		done  chan struct{}
	}
	results := make([]*result, nChunks)
	for c := range results {
		results[c] = &result{done: make(chan struct{})}
	}
	work := make(chan int)
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				res := results[c]
				res.err = writeChunk(g, dir, c*chunk, min(o.Docs, (c+1)*chunk), &res.truth, &res.sum)
				close(res.done)
			}
		}()
	}
	// Feed at most a few chunks ahead of the writer so memory stays bounded.
	go func() {
		defer close(work)
		for c := range nChunks {
			if c >= workers*2 {
				select {
				case <-results[c-workers*2].done:
				case <-ctx.Done():
					return
				}
			}
			select {
			case work <- c:
			case <-ctx.Done():
				return
			}
		}
	}()
	var firstErr error
	for c := range nChunks {
		res := results[c]
		select {
		case <-res.done:
		case <-ctx.Done():
			wg.Wait()
			return sum, ctx.Err()
		}
		if res.err != nil && firstErr == nil {
			firstErr = res.err
		}
		if _, err := res.truth.WriteTo(tf); err != nil && firstErr == nil {
			firstErr = err
		}
		res.truth = bytes.Buffer{}
		sum.Docs += res.sum.Docs
		sum.Broken += res.sum.Broken
		sum.HTML += res.sum.HTML
		sum.Bytes += res.sum.Bytes
		sum.Facts += res.sum.Facts
	}
	wg.Wait()
	if firstErr != nil {
		return sum, firstErr
	}
	return sum, tf.Close()
}

func writeChunk(g *Generator, dir string, from, to int, truth *bytes.Buffer, sum *Summary) error {
	tw := &TruthWriter{csv.NewWriter(truth)}
	made := map[string]bool{}
	for i := from; i < to; i++ {
		d := g.Doc(i)
		p := filepath.Join(dir, filepath.FromSlash(d.Path))
		if sub := filepath.Dir(p); !made[sub] {
			if err := os.MkdirAll(sub, 0o755); err != nil {
				return err
			}
			made[sub] = true
		}
		if err := os.WriteFile(p, d.Body, 0o644); err != nil {
			return fmt.Errorf("gen: %w", err)
		}
		if err := tw.Write(d.Facts); err != nil {
			return err
		}
		sum.Docs++
		sum.Bytes += int64(len(d.Body))
		sum.Facts += len(d.Facts)
		switch d.Format {
		case "broken":
			sum.Broken++
		case "html":
			sum.HTML++
		}
	}
	return tw.Flush()
}
