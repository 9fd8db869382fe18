package etl_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/chiso-vn/chiso/etl"
	"github.com/chiso-vn/chiso/etl/gen"
)

// BenchmarkParseNumber measures the Vietnamese number parser on a mix of
// formats found in reports.
func BenchmarkParseNumber(b *testing.B) {
	in := []string{"1.730", "164,5", "1.355.000", "86", "95,3", "1.60", "2.145", "0,5", "12.000.000.000", "7"}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		etl.ParseNumber(in[i%len(in)])
	}
}

// BenchmarkExtractEval measures the extractor on the hand-labelled real
// texts (MB/s of decoded text).
func BenchmarkExtractEval(b *testing.B) {
	files, _ := filepath.Glob("../testdata/eval/texts/*.txt")
	var texts []*etl.Text
	var n int64
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		texts = append(texts, &etl.Text{Body: etl.NFC(string(raw))})
		n += int64(len(raw))
	}
	if len(texts) == 0 {
		b.Skip("no eval texts")
	}
	x := etl.NewExtractor(etl.Ref())
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range texts {
			x.Extract("d", t)
		}
	}
}

// BenchmarkExtractGenerated measures the extractor on generated reports
// (plain text, decoded once outside the timer), in MB/s of text.
func BenchmarkExtractGenerated(b *testing.B) {
	g := gen.New(gen.Options{Seed: 1, HTMLShare: -1, BrokenShare: -1})
	var texts []*etl.Text
	var n int64
	for i := range 200 {
		d := g.Doc(i)
		t, rej := etl.Decode(&etl.Document{ID: d.ID, Raw: d.Body, ContentType: "text/plain"}, etl.DecodeOptions{})
		if rej != nil {
			continue
		}
		texts = append(texts, t)
		n += int64(len(t.Body))
	}
	x := etl.NewExtractor(etl.Ref())
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, t := range texts {
			x.Extract("d", t)
		}
	}
}
