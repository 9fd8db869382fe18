package htmltext

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chiso-vn/chiso/etl"
)

var article = []string{
	"Sáng ngày 15/3/2024, Sở Thông tin và Truyền thông tỉnh Bình Dương tổ chức hội nghị tổng kết công tác năm 2023 và triển khai nhiệm vụ năm 2024.",
	"Theo báo cáo, toàn tỉnh hiện có 2.345 trạm phát sóng BTS, tăng 8,5% so với năm trước; tỷ lệ phủ sóng 4G đạt 99,8% dân số.",
	"Số thuê bao Internet băng rộng cố định đạt 612.400 thuê bao, tỷ lệ hộ gia đình sử dụng cáp quang đạt 91,2%.",
	"Trong năm, Sở đã hỗ trợ 1.870 doanh nghiệp nhỏ và vừa chuyển đổi số, đưa 96% thủ tục hành chính lên dịch vụ công trực tuyến toàn trình.",
	"Phát biểu tại hội nghị, Phó Chủ tịch UBND tỉnh đề nghị ngành tiếp tục hoàn thiện hạ tầng số và bảo đảm an toàn thông tin mạng trong năm 2024.",
}

// chrome is text that must not reach the body.
var chrome = []string{
	"Lượt truy cập", "1.234.567", "Đang trực tuyến", "4.321",
	"Giá vàng", "76.500.000", "Tỷ giá USD", "24.680", "Xổ số",
	"Bản quyền", "0274.3822.123", "Trang chủ", "Bình luận", "Nguyễn Văn A",
}

func page() string {
	var p strings.Builder
	for _, s := range article {
		p.WriteString("<p>" + s + "</p>\n")
	}
	return `<!DOCTYPE html>
<html lang="vi"><head><meta charset="utf-8">
<title>Bình Dương: 2.345 trạm BTS, 99,8% dân số được phủ sóng 4G</title>
<meta property="og:title" content="Bình Dương: 2.345 trạm BTS, 99,8% dân số được phủ sóng 4G">
<meta property="article:published_time" content="2024-03-15T08:30:00+07:00">
<style>.menu{display:flex}</style><script>var counter = 1234567;</script>
</head><body>
<header id="header"><nav class="menu main-nav"><ul>
<li><a href="/">Trang chủ</a></li><li><a href="/gioi-thieu">Giới thiệu</a></li>
<li><a href="/tin-tuc">Tin tức</a></li><li><a href="/van-ban">Văn bản</a></li><li><a href="/lien-he">Liên hệ</a></li>
</ul></nav></header>
<div class="ticker marquee"><ul>
<li><a href="/t/1">Giá vàng hôm nay tăng lên 76.500.000 đồng/lượng</a></li>
<li><a href="/t/2">Tỷ giá USD ngân hàng niêm yết 24.680 đồng</a></li>
<li><a href="/t/3">Xổ số miền Nam: giải đặc biệt 123456</a></li>
</ul></div>
<main><article class="post-content">
<h1 class="title">Bình Dương: 2.345 trạm BTS, 99,8% dân số được phủ sóng 4G</h1>
<div class="meta">Thứ Sáu, 15/03/2024 08:30</div>
<div class="entry-content">
` + p.String() + `</div>
</article>
<section class="comments" id="comments"><h3>Bình luận</h3>
<div class="comment"><b>Nguyễn Văn A</b>: Rất tốt, mong mạng nhanh hơn nữa, 5 sao!</div>
</section></main>
<aside class="sidebar widget"><div class="counter">Lượt truy cập: 1.234.567</div><div>Đang trực tuyến: 4.321</div></aside>
<footer class="footer"><p>Bản quyền © 2024 Sở Thông tin và Truyền thông tỉnh Bình Dương. Điện thoại: 0274.3822.123</p></footer>
</body></html>`
}

func TestExtractArticle(t *testing.T) {
	x := New()
	title, body, pub, err := x.Extract([]byte(page()), "https://stttt.binhduong.gov.vn/tin-tuc/tong-ket-2023.html")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range article {
		if !strings.Contains(body, s) {
			t.Errorf("body lacks %q", s)
		}
	}
	for _, s := range chrome {
		if strings.Contains(body, s) {
			t.Errorf("body has chrome %q", s)
		}
	}
	// Paragraphs stay on their own lines.
	if !strings.Contains(body, article[0]+"\n") {
		t.Errorf("paragraph break lost:\n%s", body)
	}
	if !strings.Contains(title, "2.345 trạm BTS") {
		t.Errorf("title = %q", title)
	}
	want := time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)
	if pub.IsZero() || pub.Year() != want.Year() || pub.Month() != want.Month() || pub.Day() != want.Day() {
		t.Errorf("published = %v", pub)
	}
	if t.Failed() {
		t.Logf("body:\n%s", body)
	}
}

// TestDecodeWithExtractor runs the real extractor behind etl.Decode.
func TestDecodeWithExtractor(t *testing.T) {
	txt, rej := etl.Decode(&etl.Document{ID: "p", Raw: []byte(page()), ContentType: "text/html"}, etl.DecodeOptions{HTML: New()})
	if rej != nil {
		t.Fatal(rej)
	}
	if txt.Format != "html" || txt.Published.IsZero() || !strings.Contains(txt.Body, article[1]) || strings.Contains(txt.Body, "1.234.567") {
		t.Errorf("got %+v", txt)
	}
}

// TestHostileHTML feeds the repository's hostile HTML files to the real
// extractor: it must return, without panicking.
func TestHostileHTML(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "bad", "*.htm*"))
	if len(files) == 0 {
		t.Skip("no hostile HTML files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			raw, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			txt, rej := etl.Decode(&etl.Document{ID: "x", Raw: raw, ContentType: "text/html"}, etl.DecodeOptions{HTML: New()})
			if (txt == nil) == (rej == nil) {
				t.Fatalf("want one result, got %v %v", txt, rej)
			}
		})
	}
}
