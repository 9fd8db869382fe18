package warehouse

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chiso-vn/chiso/etl"
	"github.com/chiso-vn/chiso/etl/gen"
)

// oracleOutcomes turns generated documents into loaded outcomes whose facts
// are the truth: the loader's input without the cost of extraction.
func oracleOutcomes(n int, withText bool) []etl.Outcome {
	g := gen.New(gen.Options{Seed: 1, BrokenShare: -1, HTMLShare: -1})
	outs := make([]etl.Outcome, 0, n)
	for i := range n {
		d := g.Doc(i)
		sum := sha256.Sum256(d.Body)
		o := etl.Outcome{Doc: &etl.Document{ID: d.ID, URI: "/corpus/" + d.Path, SHA256: hex.EncodeToString(sum[:])},
			Status: etl.StatusLoaded, Extraction: &etl.Extraction{}}
		body := string(d.Body)
		if withText {
			o.Text = &etl.Text{Body: body, Format: "text", Encoding: "utf-8"}
		}
		for _, t := range d.Facts {
			grain := etl.GrainYear
			if t.End.Sub(t.Start) < 360*24*time.Hour {
				grain = etl.GrainYTD
			}
			s := strings.Index(body, t.Evidence)
			o.Extraction.Facts = append(o.Extraction.Facts, etl.Fact{Doc: d.ID, ProvinceCode: t.ProvinceCode,
				Period: etl.Period{Start: t.Start, End: t.End, Grain: grain}, Indicator: t.Indicator,
				Unit: etl.Ref().Indicator(t.Indicator).Unit, Value: t.Value, Qualifier: t.Qualifier, Evidence: t.Evidence,
				SpanStart: max(s, 0), SpanEnd: max(s, 0) + len([]rune(t.Evidence)), Score: 1})
		}
		outs = append(outs, o)
	}
	return outs
}

// BenchmarkLoadGenerated measures Load alone (facts/s): 2,000 generated documents
// with their texts and ~28,000 facts into a fresh warehouse per iteration,
// including the data checks and the commit.
func BenchmarkLoadGenerated(b *testing.B) {
	outs := oracleOutcomes(2000, true)
	facts := 0
	for _, o := range outs {
		facts += len(o.Extraction.Facts)
	}
	b.ResetTimer()
	var elapsed time.Duration
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		w := openTest(b, "")
		b.StartTimer()
		t0 := time.Now()
		st, err := w.Load(context.Background(), feed(outs...))
		elapsed += time.Since(t0)
		if err != nil || st.Facts != facts {
			b.Fatalf("load: %v, %d facts, want %d", err, st.Facts, facts)
		}
		b.StopTimer()
		w.Close()
		b.StartTimer()
	}
	b.ReportMetric(float64(facts*b.N)/elapsed.Seconds(), "facts/s")
}

// BenchmarkLoadUnchanged measures a no-change re-run of 2,000 documents.
func BenchmarkLoadUnchanged(b *testing.B) {
	outs := oracleOutcomes(2000, true)
	w := openTest(b, "")
	if _, err := w.Load(context.Background(), feed(outs...)); err != nil {
		b.Fatal(err)
	}
	same := make([]etl.Outcome, len(outs))
	for i, o := range outs {
		same[i] = etl.Outcome{Doc: o.Doc, Status: etl.StatusUnchanged}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := w.Load(context.Background(), feed(same...)); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(same)*b.N)/b.Elapsed().Seconds(), "docs/s")
}

var _ = fmt.Sprint
