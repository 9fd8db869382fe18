package etl

import (
	"strings"
	"testing"
)

// TestExtractSentences checks the phenomena of real reports one sentence at
// a time: what becomes a fact, with which value, qualifier and period, and
// what must not.
func TestExtractSentences(t *testing.T) {
	const lead = "Sở Thông tin và Truyền thông tỉnh Lâm Đồng tổng kết công tác năm 2020 của ngành TT&TT tỉnh Lâm Đồng. "
	type want struct {
		ind   string
		value float64
		qual  Qualifier
		start string // period start, "" = the document's year
	}
	for _, tc := range []struct {
		name string
		text string
		want []want // nil: no fact at all
	}{
		{"stock with unit noun", "Toàn tỉnh hiện có 1.730 trạm BTS.", []want{{"bts_stations", 1730, Exact, ""}}},
		{"approx", "Toàn tỉnh hiện có gần 1.900.000 thuê bao.", []want{{"phone_subscribers", 1900000, Approx, ""}}},
		{"more than", "Có hơn 1.355.000 thuê bao internet.", []want{{"internet_subscribers", 1355000, MoreThan, ""}}},
		{"at least", "Đã tập huấn cho ít nhất 600 lượt học viên.", []want{{"trainees", 600, AtLeast, ""}}},
		{"less than", "Số trạm 5G còn ít, dưới 20 trạm 5G.", []want{{"bts_5g_stations", 20, LessThan, ""}}},
		{"money with scale", "Ban hành 22 quyết định xử phạt, tổng số tiền phạt 164,5 triệu đồng.",
			[]want{{"sanction_decisions", 22, Exact, ""}, {"fines_vnd", 164.5e6, Exact, ""}}},
		{"money glued đ", "Nộp ngân sách nhà nước số tiền là 60.000.000đ từ xử phạt vi phạm.", []want{{"fines_vnd", 60e6, Exact, ""}}},
		{"percent after comma", "Cấp 3.593 tài khoản, trong đó 2.618 tài khoản thường xuyên hoạt động, đạt 72,8%.",
			[]want{{"user_accounts", 3593, Exact, ""}, {"user_accounts_active", 2618, Exact, ""}, {"user_accounts_active_pct", 72.8, Exact, ""}}},
		{"rate per 100", "Thuê bao Internet đạt khoảng 91.000 TB với mật độ khoảng 12 TB/100 dân.",
			[]want{{"internet_subscribers", 91000, Approx, ""}, {"internet_density_per_100", 12, Approx, ""}}},
		{"ratio keeps x", "LGSP đã kết nối với 17/17 cơ sở dữ liệu.", []want{{"lgsp_connected_systems", 17, Exact, ""}}},
		{"number word", "Thanh tra Sở tiến hành hai cuộc thanh tra chuyên ngành.", []want{{"inspections", 2, Exact, ""}}},
		{"compound number words", "Sở đã tổ chức mười hai lớp tập huấn và hai mươi lăm cuộc kiểm tra.",
			[]want{{"training_courses", 12, Exact, ""}, {"compliance_checks", 25, Exact, ""}}},
		{"total and part", "Toàn tỉnh có 1.730 trạm BTS, trong đó 97 trạm 5G.",
			[]want{{"bts_stations", 1730, Exact, ""}, {"bts_5g_stations", 97, Exact, ""}}},
		{"comparison period", "Toàn tỉnh có 1.245 trạm BTS (năm 2019 là 1.159 trạm).",
			[]want{{"bts_stations", 1245, Exact, ""}, {"bts_stations", 1159, Exact, "2019-01-01"}}},
		{"value then its year", "Số trạm tăng từ 3.210 trạm BTS năm 2018 lên 3.685 trạm BTS năm 2020.",
			[]want{{"bts_stations", 3210, Exact, "2018-01-01"}, {"bts_stations", 3685, Exact, ""}}},
		{"growth rates", "Doanh thu bưu chính, viễn thông tăng 15% so với cùng kỳ; tỷ lệ phủ sóng băng rộng đạt 105% so với kế hoạch.", nil},
		{"line wrapped mid-sentence", "Toàn tỉnh hiện có\n1.730 trạm BTS và 61\nbưu cục.", []want{{"bts_stations", 1730, Exact, ""}, {"post_offices", 61, Exact, ""}}},
		{"label and value", "- Số trạm BTS: 1.234 trạm;\n- Số cuộc thanh tra: 03 cuộc.", []want{{"bts_stations", 1234, Exact, ""}, {"inspections", 3, Exact, ""}}},
		{"space-separated table", "\nTT Chỉ tiêu Đơn vị Năm 2019 Năm 2020 Tăng/giảm (%)\n1 Trạm BTS Trạm 1.584 1.662 4,9\n2 Số bưu cục Bưu cục 38 39 2,6\n",
			[]want{{"bts_stations", 1584, Exact, "2019-01-01"}, {"bts_stations", 1662, Exact, ""}, {"post_offices", 38, Exact, "2019-01-01"}, {"post_offices", 39, Exact, ""}}},
		{"key-value sheet", "Doanh thu bưu chính, viễn thông: 1.672 tỷ đồng\nLượt học viên: trên 900 lượt\nBTS xây dựng mới: 66 trạm\nGiải quyết 120 hồ sơ qua dịch vụ bưu chính công ích.",
			[]want{{"telecom_postal_revenue_vnd", 1.672e12, Exact, ""}, {"trainees", 900, MoreThan, ""}, {"bts_sites_added", 66, Exact, ""}, {"public_postal_dossiers", 120, Exact, ""}}},
		{"2023 terminology", "Cung cấp 1.025 dịch vụ công trực tuyến toàn trình và 712 dịch vụ công trực tuyến một phần.",
			[]want{{"online_public_services_level4", 1025, Exact, ""}, {"online_public_services_level3", 712, Exact, ""}}},
		{"decree number", "Thực hiện Nghị quyết số 17/NQ-CP ngày 07/3/2019 của Chính phủ.", nil},
		{"decree without slash", "Theo Quyết định 749 và Nghị quyết 17 của Chính phủ về 120 dịch vụ.", nil},
		{"malformed", "Có 1.60 trạm BTS trên địa bàn.", nil},
		{"plan", "Năm 2021, ngành phấn đấu doanh thu bưu chính, viễn thông đạt 3.000 tỷ đồng.", nil},
		{"target", "Mục tiêu đến năm 2025 có 2.000 trạm BTS.", nil},
		{"national figure", "Cả nước hiện có 110.000 trạm BTS.", nil},
		{"other province", "Tỉnh Đắk Lắk có 2.100 trạm BTS.", nil},
		{"award", "17 tập thể và 08 cá nhân được tặng bằng khen.", nil},
		{"project investment", "Tổng mức đầu tư dự kiến 83 tỷ đồng cho 3 dự án.", nil},
		{"duration", "Trung tâm đạt 02 năm liên tục hoàn thành xuất sắc nhiệm vụ.", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ex := NewExtractor(Ref()).Extract("t", &Text{Body: lead + tc.text})
			if ex.ProvinceCode != "68" {
				t.Fatalf("province = %q, want 68", ex.ProvinceCode)
			}
			if len(ex.Facts) != len(tc.want) {
				t.Fatalf("got %d facts %+v, want %d", len(ex.Facts), ex.Facts, len(tc.want))
			}
			for i, w := range tc.want {
				f := ex.Facts[i]
				start := "2020-01-01"
				if w.start != "" {
					start = w.start
				}
				if f.Indicator != w.ind || f.Value != w.value || f.Qualifier != w.qual || f.Period.Start.Format("2006-01-02") != start {
					t.Errorf("fact %d = %s %v %s %s; want %s %v %s %s", i, f.Indicator, f.Value, f.Qualifier, f.Period.Start.Format("2006-01-02"), w.ind, w.value, w.qual, start)
				}
				if f.Evidence == "" || f.SpanEnd <= f.SpanStart {
					t.Errorf("fact %d has no evidence/span: %+v", i, f)
				}
				if got := string([]rune(lead + tc.text)[f.SpanStart:f.SpanEnd]); got == "" {
					t.Errorf("empty span")
				}
			}
		})
	}
}

func TestDocumentPeriod(t *testing.T) {
	for _, tc := range []struct {
		text       string
		start, end string
	}{
		{"Hội nghị sơ kết công tác 6 tháng đầu năm 2020 của Sở TT&TT Lạng Sơn.", "2020-01-01", "2020-06-30"},
		{"Sở TT&TT tỉnh Nam Định: kết quả 9 tháng năm 2021. Trong 9 tháng, ...", "2021-01-01", "2021-09-30"},
		{"Báo cáo quý I/2022 của Sở TT&TT Lào Cai.", "2022-01-01", "2022-03-31"},
		{"Kết quả công tác tháng 5/2025 của Sở Khoa học và Công nghệ Ninh Bình.", "2025-05-01", "2025-05-31"},
		{"Năm 2021, công tác quản lý nhà nước về TT&TT. Phương hướng nhiệm vụ năm 2022: phấn đấu ...", "2021-01-01", "2021-12-31"},
		{"(LĐ online) - date 2021-01. Tổng kết, đánh giá hoạt động năm 2020 và triển khai công tác năm 2021.", "2020-01-01", "2020-12-31"},
	} {
		ex := NewExtractor(Ref()).Extract("t", &Text{Body: tc.text})
		if got := ex.Period.Start.Format("2006-01-02") + ".." + ex.Period.End.Format("2006-01-02"); got != tc.start+".."+tc.end {
			t.Errorf("%q: period %s, want %s..%s", tc.text, got, tc.start, tc.end)
		}
	}
}

func TestProvinceDetection(t *testing.T) {
	for _, tc := range []struct {
		text, code string
	}{
		{"(LĐ online) - Sáng 15/01, tại Đà Lạt, Sở TT&TT tổ chức hội nghị tổng kết năm 2020.", "68"},
		{"http://hdnd.caobang.gov.vn\nĐoàn công tác làm việc với Sở Thông tin và Truyền thông năm 2021.", "04"},
		{"Tại TP Buôn Ma Thuột, Sở TT&TT tổng kết năm 2021.", "66"},
		{"So Thong tin va Truyen thong tinh Dien Bien tong ket nam 2018.", "11"},
		// after 2025-07-01 Yên Bái is part of Lào Cai, which takes code 15
		{"Sở Khoa học và Công nghệ tỉnh Yên Bái: kết quả 9 tháng năm 2025.", "15"},
		// before the merger the old codes stay
		{"Sở TT&TT tỉnh Lào Cai tổng kết năm 2024.", "10"},
		{"Hòa bình và ổn định; Sở TT&TT tỉnh Nghệ An tổng kết năm 2019.", "40"},
	} {
		ex := NewExtractor(Ref()).Extract("t", &Text{Body: tc.text})
		if ex.ProvinceCode != tc.code {
			t.Errorf("%q: province %q, want %q", tc.text, ex.ProvinceCode, tc.code)
		}
	}
}

func TestOneLine(t *testing.T) {
	for _, s := range []string{"", " ", "a", "a b", " a b", "a b ", "a  b", "a\nb", "a\tb", "a\u00a0b", "Toàn tỉnh có 1.730 trạm BTS.", "x\u2028y", "  "} {
		if got, want := oneLine(s), strings.Join(strings.Fields(s), " "); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", s, got, want)
		}
	}
}
