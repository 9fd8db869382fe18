package etl_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/chiso-vn/chiso/etl"
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
