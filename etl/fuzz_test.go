package etl

// Fuzz targets of the pure stages. `go test ./etl` runs every seed (the
// f.Add calls below and the files under testdata/fuzz/<Target>/); `make fuzz
// FUZZTIME=5m` explores further. A crasher found by the fuzzer is written to
// testdata/fuzz/<Target>/ and becomes a regression seed once committed.

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzParseNumber(f *testing.F) {
	for _, s := range []string{
		"0", "1", "1.730", "1.355.000", "164,5", "72,8", "1.60", "1.6000", ".123", "1.", "1,", ",5", "1,2,3",
		"1.234,56", "12.345.678.901.234.567", "999999999999999999", "9999999999999999999", "0001", " 42 ",
		"1..000", "١٢٣", "１２３", "-5", "+5", "1e9", "NaN", "Inf", "0x10", "1_000", "1 000", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, ok := ParseNumber(s)
		if !ok {
			if v != 0 {
				t.Fatalf("ParseNumber(%q) = %v, false: want 0 when not ok", s, v)
			}
			return
		}
		if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
			t.Fatalf("ParseNumber(%q) = %v", s, v)
		}
		// Only Vietnamese-formatted ASCII digits are accepted…
		ts := strings.TrimSpace(s)
		for _, r := range ts {
			if !(r >= '0' && r <= '9' || r == '.' || r == ',') {
				t.Fatalf("ParseNumber(%q) accepted %q", s, r)
			}
		}
		// … '.' groups thousands in threes, ',' is the decimal mark …
		canon := strings.ReplaceAll(strings.ReplaceAll(ts, ".", ""), ",", ".")
		want, err := strconv.ParseFloat(canon, 64)
		if err != nil || want != v {
			t.Fatalf("ParseNumber(%q) = %v, want %v (%v)", s, v, want, err)
		}
		intPart, _, _ := strings.Cut(ts, ",")
		if g := strings.Split(intPart, "."); len(g) > 1 {
			for _, x := range g[1:] {
				if len(x) != 3 {
					t.Fatalf("ParseNumber(%q) accepted a group of %d digits", s, len(x))
				}
			}
		}
		// … and an integer written back with grouping reads the same.
		if v == math.Trunc(v) && v < 1e15 {
			if back, ok := ParseNumber(GroupThousands(int64(v))); !ok || back != v {
				t.Fatalf("ParseNumber(%q) = %v, but its grouped form %q gives %v %v", s, v, GroupThousands(int64(v)), back, ok)
			}
		}
	})
}

// extractSeeds are sentences of the kinds the reports contain and the kinds
// that have broken extractors: odd periods, impossible dates, huge or
// malformed numbers, ratios with zero denominators, numbers glued to words.
var extractSeeds = []string{
	"Toàn tỉnh Lâm Đồng hiện có 1.730 trạm BTS.",
	"Năm 2023, tổng số tiền phạt 164,5 triệu đồng.",
	"Tỉnh Bình Thuận có hơn 1.355.000 thuê bao internet tính đến 30/6/2024.",
	"Sở TT&TT tỉnh Gia Lai: 6 tháng đầu năm 2024, tỷ lệ hồ sơ trực tuyến đạt 72,8%.",
	"Giai đoạn 2021–2025, tỉnh Nghệ An có 142/142 xã có điểm phục vụ bưu chính.",
	"Quý 5 năm 2024 tỉnh Hà Giang có 1.60 trạm BTS.",
	"Tháng 13/2024, tỉnh Cà Mau có 120 trạm BTS.",
	"Tính đến ngày 31/2/2024 tỉnh Sơn La có 1.000 trạm BTS.",
	"Năm 0 tỉnh Yên Bái có 5 trạm BTS; năm 99999 có 7 trạm BTS.",
	"Tỉnh Điện Biên có 99999999999999999999 trạm BTS, đạt 150% kế hoạch.",
	"Tỉnh Lào Cai: 0/0 xã; 5/0 xã có cáp quang; 7/3 hộ gia đình.",
	"Năm 2025 (sau sáp nhập từ 01/7/2025) tỉnh Lâm Đồng có 3.400 trạm BTS.",
	"Năm 2019 tỉnh Bình Thuận có 1.512 trạm BTS, tăng 9% so với năm 2018; phát triển mới 126 vị trí trạm BTS.",
	"9 tháng đầu năm 2022, doanh thu bưu chính viễn thông tỉnh Quảng Ninh đạt gần 2.000 tỷ đồng.",
	"Covid19 X10 3G 4.0 17/NQ-CP 03/2014/TT-BTTTT 09:04 20200630-Nam-6.jpg trạm BTS",
	"| Năm | 2020 | 2021 | 2022 |\n| Trạm BTS | 1.200 | 1.300 | 1.400 |\nTỉnh Kon Tum.",
	"tinh lam dong hien co 1.730 tram bts nam 2023",
	"Tỉnh Lâm Đồng.\n\n\n1.730\ntrạm BTS\n2023",
	"hai mươi trạm BTS, mười lăm thuê bao, một trăm điểm bưu điện văn hoá xã năm 2024 tỉnh Đắk Lắk",
	"Năm 2024 tỉnh Thái Bình có 1,000,000 thuê bao và 1.000.000,5 thuê bao và 1.000.00 thuê bao.",
	"Năm 2024 tỉnh Hưng Yên ‮có 1.234 trạm BTS‬ 😀 và\u200b 5\u00a0000 thuê bao.",
	"Tỉnh A-B-C 2024 năm năm năm tháng tháng quý quý 1 2 3 4 5 6 7 8 9 10 11 12 13",
	strings.Repeat("Năm 2024 tỉnh Lâm Đồng có 1.730 trạm BTS. ", 40),
	"",
	".",
	"0",
}

func FuzzExtract(f *testing.F) {
	for _, s := range extractSeeds {
		f.Add(s)
	}
	x := NewExtractor(Ref())
	f.Fuzz(func(t *testing.T, body string) {
		if !utf8.ValidString(body) {
			return // Decode never hands the extractor invalid UTF-8
		}
		body = NFC(body)
		n := utf8.RuneCountInString(body)
		start := time.Now()
		ex := x.Extract("fuzz", &Text{Body: body})
		if d := time.Since(start); d > 10*time.Second {
			t.Fatalf("extracting %d runes took %s", n, d)
		}
		for i, set := range [][]Fact{ex.Facts, ex.Candidates} {
			for _, fa := range set {
				if err := loadableFact(fa, n); err != nil {
					t.Fatalf("%s %+v: %v", []string{"fact", "candidate"}[i], fa, err)
				}
			}
		}
		for _, no := range ex.Notes {
			if no.SpanStart < 0 || no.SpanEnd < no.SpanStart || no.SpanEnd > n {
				t.Fatalf("note span [%d,%d) outside [0,%d): %+v", no.SpanStart, no.SpanEnd, n, no)
			}
			if no.Reason == "" || !utf8.ValidString(no.Text) {
				t.Fatalf("bad note %+v", no)
			}
		}
	})
}

// loadableFact is what the warehouse demands of a fact (warehouse.validFact,
// whose failure fails the whole run, so one hostile document must never
// produce such a fact) plus the evidence_and_span data check.
func loadableFact(f Fact, runes int) error {
	in := Ref().Indicator(f.Indicator)
	switch {
	case f.Doc != "fuzz":
		return fmt.Errorf("doc %q", f.Doc)
	case in == nil:
		return fmt.Errorf("unknown indicator %q", f.Indicator)
	case f.ProvinceCode == "":
		return fmt.Errorf("no province code")
	case f.Period.IsZero() || f.Period.End.IsZero() || f.Period.Grain == "":
		return fmt.Errorf("no period")
	case f.Period.End.Before(f.Period.Start):
		return fmt.Errorf("period ends before it starts")
	case math.IsNaN(f.Value) || math.IsInf(f.Value, 0) || math.IsNaN(f.Score):
		return fmt.Errorf("value %v score %v", f.Value, f.Score)
	case strings.TrimSpace(f.Evidence) == "" || !utf8.ValidString(f.Evidence):
		return fmt.Errorf("no evidence")
	case f.SpanStart < 0 || f.SpanEnd <= f.SpanStart || f.SpanEnd > runes:
		return fmt.Errorf("span [%d,%d) outside the %d-rune text", f.SpanStart, f.SpanEnd, runes)
	}
	return nil
}
