package etl

import (
	"math"
	"testing"
)

func TestParseNumber(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"1.556.993", 1556993, true},
		{"164,5", 164.5, true},
		{"0,5", 0.5, true},
		{"04", 4, true},
		{"1.900.000", 1900000, true},
		{"26.651", 26651, true},
		{"1.60", 0, false},   // a group of two digits: malformed, never guessed
		{"1.6000", 0, false}, // a group of four
		{"12.34.567", 0, false},
		{"1,", 0, false},
		{"", 0, false},
		{"1.000,25", 1000.25, true},
		{"1234567890123456789", 0, false}, // beyond float precision: refused
	} {
		got, ok := ParseNumber(tc.in)
		if ok != tc.ok || ok && math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestScanNumbers(t *testing.T) {
	for _, tc := range []struct {
		text  string
		kind  NumKind
		value float64
		den   float64
	}{
		{"tổng số tiền phạt 164,5 triệu đồng", NumMoney, 164.5e6, 0},
		{"nộp ngân sách nhà nước số tiền là 60.000.000đ.", NumMoney, 60e6, 0},
		{"doanh thu đạt 2.700 tỷ đồng", NumMoney, 2.7e12, 0},
		{"khoảng 1,2 triệu thuê bao", NumPlain, 1.2e6, 0},
		{"đạt 72,8%", NumPercent, 72.8, 0},
		{"đạt 45 phần trăm", NumPercent, 45, 0},
		{"mật độ khoảng 105 TB/100 dân", NumRate, 105, 100},
		{"142/142 xã có tổ", NumRatio, 142, 142},
		{"26.651/27.363 cán bộ", NumRatio, 26651, 27363},
		{"theo Nghị quyết số 17/NQ-CP ngày", NumDocRef, 0, 0},
		{"Thông tư số 03/2014/TT-BTTTT của Bộ", NumDocRef, 0, 0},
		{"Quyết định 749/QĐ-TTg", NumDocRef, 0, 0},
		{"Ngày 29/12, đồng chí", NumDate, 0, 0},
		{"ngày 07/3/2019 của", NumDate, 0, 0},
		{"tháng 5/2025", NumDate, 0, 0},
		{"09:04 25/12/2020", NumTime, 0, 0},
		{"Có 1.60 trạm BTS", NumMalformed, 0, 0},
		{"cách mạng 4.0 đã", NumCode, 0, 0},
		{"mạng 5G phủ", NumCode, 0, 0},
		{"năm 2020 ngành", NumYear, 2020, 0},
		{"giai đoạn 2021-2025", NumYear, 0, 0},
		{"đạt tỷ lệ 97,4%", NumPercent, 97.4, 0},
		{"1.350 tỷ lệ", NumPlain, 1350, 0}, // "tỷ lệ" is a rate, not a billion
	} {
		rs := []rune(tc.text)
		nums := scanNumbers(rs, foldASCII(rs))
		if len(nums) == 0 {
			t.Errorf("%q: no number found", tc.text)
			continue
		}
		n := nums[0]
		if n.Kind == NumYear && tc.kind != NumYear && len(nums) > 1 {
			n = nums[1]
		}
		if n.Kind != tc.kind || math.Abs(n.Value-tc.value) > 1e-6 || n.Denominator != tc.den {
			t.Errorf("%q: got %v value=%v den=%v; want %v value=%v den=%v", tc.text, n.Kind, n.Value, n.Denominator, tc.kind, tc.value, tc.den)
		}
	}
}

func TestFold(t *testing.T) {
	for in, want := range map[string]string{
		"Hòa Bình":       "hoa binh",
		"Đắk Lắk":        "dak lak",
		"THUÊ BAO":       "thue bao",
		"hoà":            "hoa",
		"Nguyễn Thị Ứng": "nguyen thi ung",
		"Thừa Thiên Huế": "thua thien hue",
		"trạm BTS 3G/4G": "tram bts 3g/4g",
	} {
		if got := Fold(NFC(in)); got != want {
			t.Errorf("Fold(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestGroupThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 61: "61", 1730: "1.730", 1556993: "1.556.993", -1234: "-1.234", -123: "-123"} {
		if got := GroupThousands(n); got != want {
			t.Errorf("GroupThousands(%d) = %q, want %q", n, got, want)
		}
		if n >= 0 {
			if v, ok := ParseNumber(GroupThousands(n)); !ok || v != float64(n) {
				t.Errorf("ParseNumber(GroupThousands(%d)) = %v, %v", n, v, ok)
			}
		}
	}
}
