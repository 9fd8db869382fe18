// Package gen generates a synthetic corpus of Vietnamese provincial ICT
// reports with ground truth, for benchmarks and large-scale accuracy tests.
//
// The reports imitate the real ones (testdata/reports, testdata/eval): page
// chrome (site name, menus, tickers, counters), a title and a date line, an
// introduction, topic paragraphs that state indicator values in the
// phrasings real reports use (Vietnamese number formats, qualifiers such as
// hơn/khoảng/gần, scale words nghìn/triệu/tỷ, prior-period comparisons) and
// distractors a careful reader ignores (decree numbers, national figures,
// targets, awards, malformed numbers). Some are HTML pages, a few are written
// without diacritics or in other encodings, and a few are broken files.
//
// Every document depends only on the seed and its index, so a corpus is
// reproducible and can be generated in parallel or one document at a time.
// The truth holds exactly the facts a careful reader would extract, in the
// scorer's format (see TruthColumns).
package gen

import (
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"

	"github.com/chiso-vn/chiso/etl"
)

// Options configure a corpus.
type Options struct {
	Docs int
	Seed uint64
	// HTMLShare is the share of documents written as HTML pages
	// (default 0.1); BrokenShare the share of broken files (default 0.005).
	// A negative value means none.
	HTMLShare   float64
	BrokenShare float64
}

func (o Options) withDefaults() Options {
	if o.HTMLShare == 0 {
		o.HTMLShare = 0.1
	}
	if o.BrokenShare == 0 {
		o.BrokenShare = 0.005
	}
	return o
}

// Fact is one row of the truth.
type Fact struct {
	Doc          string
	ProvinceCode string
	Start, End   time.Time
	Indicator    string
	Value        float64
	Qualifier    etl.Qualifier
	Required     bool
	Evidence     string
}

// Gold is the fact as a row of the scorer's gold format.
func (f Fact) Gold() etl.GoldFact {
	return etl.GoldFact{Doc: f.Doc, ProvinceCode: f.ProvinceCode, PeriodStart: f.Start.Format("2006-01-02"), PeriodEnd: f.End.Format("2006-01-02"),
		Indicator: f.Indicator, Value: f.Value, Qualifier: string(f.Qualifier), Required: f.Required, Evidence: f.Evidence}
}

// Golds converts a document's truth.
func Golds(fs []Fact) []etl.GoldFact {
	out := make([]etl.GoldFact, len(fs))
	for i, f := range fs {
		out[i] = f.Gold()
	}
	return out
}

// Doc is one generated report.
type Doc struct {
	ID     string // file name without extension: the scorer's "doc"
	Path   string // path relative to the corpus directory
	Body   []byte // the file's bytes
	Format string // "text", "html" or "broken"
	Facts  []Fact
}

// Generator makes documents; it is safe for concurrent use.
type Generator struct {
	o     Options
	ref   *etl.Reference
	provs []prov // the 63 pre-merger provinces
	post  []prov // those whose name survives the 2025 merger
}

type prov struct {
	code63 string
	name   string
	city   bool
	slug   string
}

// New prepares a generator.
func New(o Options) *Generator {
	g := &Generator{o: o.withDefaults(), ref: etl.Ref()}
	same := map[string]bool{}
	for _, m := range g.ref.Merges {
		if m.OldName == m.NewName {
			same[m.OldCode] = true
		}
	}
	for _, p := range g.ref.Provinces63 {
		pv := prov{code63: p.Code, name: p.Name, city: strings.HasPrefix(p.Type, "thanh_pho"),
			slug: strings.ReplaceAll(strings.ReplaceAll(strings.ToLower(stripDiacritics(p.Name)), " ", ""), "-", "")}
		g.provs = append(g.provs, pv)
		if same[p.Code] {
			g.post = append(g.post, pv)
		}
	}
	return g
}

// Options returns the generator's options with defaults applied.
func (g *Generator) Options() Options { return g.o }

// rng returns the random source of document i: documents are independent.
func (g *Generator) rng(i int) *rand.Rand {
	return rand.New(rand.NewPCG(g.o.Seed^0x9e3779b97f4a7c15, uint64(i)*0x2545f4914f6cdd1d+1))
}

// period is a document's reporting period.
type period struct {
	kind       string // year, half, nine, quarter, month
	year, n    int    // n: quarter or month number
	start, end time.Time
}

func date(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func endOfMonth(y, m int) time.Time { return date(y, m+1, 1).AddDate(0, 0, -1) }

func mkPeriod(kind string, y, n int) period {
	p := period{kind: kind, year: y, n: n}
	switch kind {
	case "year":
		p.start, p.end = date(y, 1, 1), date(y, 12, 31)
	case "half":
		p.start, p.end = date(y, 1, 1), date(y, 6, 30)
	case "nine":
		p.start, p.end = date(y, 1, 1), date(y, 9, 30)
	case "quarter":
		p.start, p.end = date(y, 3*n-2, 1), endOfMonth(y, 3*n)
	case "month":
		p.start, p.end = date(y, n, 1), endOfMonth(y, n)
	}
	return p
}

var roman = []string{"", "I", "II", "III", "IV"}

// phrase is how the body names the period ("năm 2019", "quý I/2022").
func (p period) phrase() string {
	switch p.kind {
	case "half":
		return fmt.Sprintf("6 tháng đầu năm %d", p.year)
	case "nine":
		return fmt.Sprintf("9 tháng năm %d", p.year)
	case "quarter":
		return fmt.Sprintf("quý %s/%d", roman[p.n], p.year)
	case "month":
		return fmt.Sprintf("tháng %d/%d", p.n, p.year)
	}
	return fmt.Sprintf("năm %d", p.year)
}

// within is the short in-sentence reference to the document period.
func (p period) within() string {
	switch p.kind {
	case "half":
		return "trong 6 tháng"
	case "nine":
		return "trong 9 tháng"
	case "quarter":
		return "trong quý"
	case "month":
		return "trong tháng"
	}
	return "trong năm"
}

func (p period) slug() string {
	switch p.kind {
	case "half":
		return fmt.Sprintf("6thang%d", p.year)
	case "nine":
		return fmt.Sprintf("9thang%d", p.year)
	case "quarter":
		return fmt.Sprintf("quy%d_%d", p.n, p.year)
	case "month":
		return fmt.Sprintf("thang%d_%d", p.n, p.year)
	}
	return fmt.Sprintf("nam%d", p.year)
}

// prior is the same period one year earlier.
func (p period) prior() period { return mkPeriod(p.kind, p.year-1, p.n) }

// docState is the working state of one document.
type docState struct {
	g      *Generator
	r      *rand.Rand
	id     string
	p      period
	pv     prov
	code   string // province code valid at the period end
	sokhcn bool   // written after the ICT department merged into Science & Technology
	facts  []Fact
	used   map[string]bool // indicators stated for the document period
}

func (s *docState) pick(xs []string) string { return xs[s.r.IntN(len(xs))] }

func (s *docState) chance(p float64) bool { return s.r.Float64() < p }

// provName is how the province is named in running text.
func (s *docState) provName() string {
	if s.pv.city {
		if s.pv.code63 == "79" {
			return s.pick([]string{"Thành phố Hồ Chí Minh", "TP Hồ Chí Minh"})
		}
		return "thành phố " + s.pv.name
	}
	return "tỉnh " + s.pv.name
}

func (s *docState) agency() string {
	if s.sokhcn {
		return "Sở Khoa học và Công nghệ"
	}
	return "Sở Thông tin và Truyền thông"
}

func (s *docState) agencyShort() string {
	if s.sokhcn {
		return "Sở KH&CN"
	}
	return "Sở TT&TT"
}

// add records a truth row for the document period (or p when given).
func (s *docState) add(ind string, q qty, evidence string, p *period) {
	pp := s.p
	if p != nil {
		pp = *p
	}
	code, _ := s.g.ref.ProvinceAt(s.pv.code63, pp.end)
	s.facts = append(s.facts, Fact{Doc: s.id, ProvinceCode: code, Start: pp.start, End: pp.end, Indicator: ind,
		Value: q.value, Qualifier: q.qual, Required: true, Evidence: evidence})
	if p == nil {
		s.used[ind] = true
	}
}

// Doc returns document i of the corpus.
func (g *Generator) Doc(i int) Doc {
	r := g.rng(i)
	s := &docState{g: g, r: r, used: map[string]bool{}}
	// Period: years 2015–2025, most reports annual.
	y := 2015 + r.IntN(11)
	switch x := r.Float64(); {
	case x < 0.5:
		s.p = mkPeriod("year", y, 0)
	case x < 0.65:
		s.p = mkPeriod("half", y, 0)
	case x < 0.77:
		s.p = mkPeriod("nine", y, 0)
	case x < 0.89:
		s.p = mkPeriod("quarter", y, 1+r.IntN(4))
	default:
		s.p = mkPeriod("month", y, 1+r.IntN(12))
	}
	// Provinces cycle so every one is covered evenly; after the merger
	// only provinces whose name survived publish under that name.
	if !s.p.end.Before(etl.Merger) {
		s.pv = g.post[(i+r.IntN(7))%len(g.post)]
	} else {
		s.pv = g.provs[(i*17+r.IntN(3))%len(g.provs)]
	}
	s.code, _ = g.ref.ProvinceAt(s.pv.code63, s.p.end)
	s.sokhcn = !s.p.end.Before(date(2025, 3, 1))
	s.id = fmt.Sprintf("g%07d_%s_%s", i, s.pv.slug, s.p.slug())
	shard := fmt.Sprintf("%04d", i/1000)

	// Broken files carry no truth.
	if r.Float64() < g.o.BrokenShare {
		body, ext := broken(r)
		return Doc{ID: s.id, Path: shard + "/" + s.id + ext, Body: body, Format: "broken"}
	}
	a := s.article()
	html := r.Float64() < g.o.HTMLShare
	plain := !html && r.Float64() < 0.03 // written without diacritics
	if plain {
		for k := range s.facts {
			s.facts[k].Evidence = stripDiacritics(s.facts[k].Evidence)
		}
	}
	var body []byte
	format, ext := "text", ".txt"
	if html {
		body = []byte(a.html())
		format, ext = "html", ".html"
	} else {
		txt := a.text()
		if plain {
			txt = stripDiacritics(txt)
		}
		body = encodeVariant(r, txt)
	}
	return Doc{ID: s.id, Path: shard + "/" + s.id + ext, Body: body, Format: format, Facts: s.facts}
}

// article is a report before it is rendered as text or HTML.
type article struct {
	site, menu, ticker string
	title, dateline    string
	paras              []string
	byline, footer     string
}

func (a *article) text() string {
	var b strings.Builder
	for _, l := range []string{a.site, a.menu, a.ticker} {
		if l != "" {
			b.WriteString(l + "\n")
		}
	}
	b.WriteString("\n" + a.title + "\n" + a.dateline + "\n\n")
	for _, p := range a.paras {
		b.WriteString(p + "\n\n")
	}
	b.WriteString(a.byline + "\n")
	if a.footer != "" {
		b.WriteString(a.footer + "\n")
	}
	return b.String()
}

func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

func (a *article) html() string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + esc(a.title) + "</title>\n")
	b.WriteString("<style>body{font-family:Arial} .menu li{display:inline}</style>\n</head>\n<body>\n")
	b.WriteString("<header><div class=\"logo\">" + esc(a.site) + "</div>\n<nav><ul class=\"menu\">")
	for _, m := range strings.Split(a.menu, " | ") {
		b.WriteString("<li><a href=\"#\">" + esc(m) + "</a></li>")
	}
	b.WriteString("</ul></nav></header>\n")
	if a.ticker != "" {
		b.WriteString("<div class=\"ticker\"><ul>")
		for _, t := range strings.Split(a.ticker, " | ") {
			b.WriteString("<li><a href=\"#\">" + esc(t) + "</a></li>")
		}
		b.WriteString("</ul></div>\n")
	}
	b.WriteString("<main><article>\n<h1 class=\"title\">" + esc(a.title) + "</h1>\n<div class=\"date\">" + esc(a.dateline) + "</div>\n")
	for _, p := range a.paras {
		b.WriteString("<p>" + esc(p) + "</p>\n")
	}
	b.WriteString("<p class=\"author\"><strong>" + esc(a.byline) + "</strong></p>\n</article></main>\n")
	b.WriteString("<footer><p>Bản quyền thuộc " + esc(a.site) + ". Ghi rõ nguồn khi phát hành lại thông tin từ website này.</p>")
	if a.footer != "" {
		b.WriteString("<p>" + esc(a.footer) + "</p>")
	}
	b.WriteString("</footer>\n<script>var _gaq=_gaq||[];_gaq.push(['_trackPageview']);</script>\n</body>\n</html>\n")
	return b.String()
}

// article composes the report and its truth.
func (s *docState) article() *article {
	r := s.r
	a := &article{}
	pn := s.pv.name
	upper := strings.ToUpper(s.agency() + " " + s.provName())
	a.site = s.pick([]string{upper, "CỔNG THÔNG TIN ĐIỆN TỬ " + strings.ToUpper(s.provName()), "Báo " + pn + " điện tử", "Báo " + pn})
	a.menu = s.pick([]string{
		"Trang chủ | Giới thiệu | Tin tức - Sự kiện | Văn bản | Dịch vụ công | Liên hệ",
		"Thời sự | Kinh tế | Xã hội | Chuyển đổi số | Văn hóa | Thể thao",
		"Trang chủ | Tin hoạt động | Chuyển đổi số | Bưu chính - Viễn thông | Thống kê",
	})
	if s.chance(0.6) {
		a.ticker = s.tickers()
	}
	a.title = s.title()
	a.dateline = s.dateline()
	a.paras = append(a.paras, s.intro())
	type topic func() string
	topics := []topic{s.telecom, s.postal, s.egov, s.security, s.enforcement, s.press, s.training}
	r.Shuffle(len(topics), func(i, j int) { topics[i], topics[j] = topics[j], topics[i] })
	n := 3 + r.IntN(4)
	for _, t := range topics[:n] {
		if p := t(); p != "" {
			a.paras = append(a.paras, p)
		}
	}
	a.paras = append(a.paras, s.outlook())
	if s.chance(0.5) {
		a.paras = append(a.paras, s.awards())
	}
	a.byline = s.pick([]string{"Thu Phương - Trung tâm CNTT&TT", "Minh Tuấn", "Thanh Thủy", "Văn phòng Sở", "Hoàng Anh", "Thu Hà", "Ngọc Lan (tổng hợp)"})
	if s.chance(0.6) {
		a.footer = fmt.Sprintf("Lượt truy cập: %s | Đang online: %d", etl.GroupThousands(int64(100000+r.IntN(9000000))), 20+r.IntN(400))
	}
	return a
}

func (s *docState) tickers() string {
	r := s.r
	pn := s.pv.name
	all := []string{
		fmt.Sprintf("%s đón hơn %s triệu lượt khách du lịch", pn, dec1(10+r.IntN(40))),
		fmt.Sprintf("Huyện miền núi hỗ trợ %d hộ nghèo làm nhà", 100+r.IntN(400)),
		fmt.Sprintf("Thu ngân sách trên địa bàn đạt %s tỷ đồng", etl.GroupThousands(int64(1000+r.IntN(9000)))),
		fmt.Sprintf("Giá vàng hôm nay giảm %s đồng/lượng", etl.GroupThousands(int64(100000+100000*r.IntN(5)))),
		fmt.Sprintf("Khởi công %d cây cầu dân sinh", 2+r.IntN(6)),
		fmt.Sprintf("Xuất khẩu nông sản tăng %d%%", 5+r.IntN(20)),
	}
	r.Shuffle(len(all), func(i, j int) { all[i], all[j] = all[j], all[i] })
	return strings.Join(all[:3], " | ")
}

func (s *docState) title() string {
	p, pn := s.p, s.pv.name
	switch p.kind {
	case "year":
		return s.pick([]string{
			fmt.Sprintf("Ngành Thông tin và Truyền thông %s triển khai nhiệm vụ năm %d", pn, p.year+1),
			fmt.Sprintf("%s tổng kết công tác năm %d", s.agencyShort()+" "+pn, p.year),
			fmt.Sprintf("Kết quả công tác năm %d của ngành TT&TT %s", p.year, pn),
			fmt.Sprintf("Hạ tầng số tỉnh %s năm %d: bước phát triển vững chắc", pn, p.year),
		})
	case "half":
		return fmt.Sprintf("%s: Kết quả công tác 6 tháng đầu năm %d", pn, p.year)
	case "nine":
		return fmt.Sprintf("Ngành TT&TT %s: Kết quả 9 tháng năm %d", pn, p.year)
	case "quarter":
		return fmt.Sprintf("%s: Chuyển đổi số có nhiều chuyển biến trong quý %s/%d", pn, roman[p.n], p.year)
	}
	return fmt.Sprintf("Kết quả công tác chuyển đổi số, bưu chính, viễn thông tháng %d/%d", p.n, p.year)
}

var weekdays = []string{"Chủ Nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy"}

// published is a few days to weeks after the period ends.
func (s *docState) published() time.Time { return s.p.end.AddDate(0, 0, 3+s.r.IntN(20)) }

func (s *docState) dateline() string {
	d := s.published()
	hm := fmt.Sprintf("%02d:%02d", 7+s.r.IntN(11), s.r.IntN(60))
	switch s.r.IntN(3) {
	case 0:
		return fmt.Sprintf("%s, %02d/%02d/%d - %s", weekdays[d.Weekday()], d.Day(), d.Month(), d.Year(), hm)
	case 1:
		return fmt.Sprintf("Đăng ngày: %02d/%02d/%d", d.Day(), d.Month(), d.Year())
	}
	return fmt.Sprintf("%02d/%02d/%d | %s", d.Day(), d.Month(), d.Year(), hm)
}

func (s *docState) intro() string {
	d := s.published().AddDate(0, 0, -2)
	p := s.p
	var next string
	switch p.kind {
	case "year":
		next = fmt.Sprintf("triển khai nhiệm vụ năm %d", p.year+1)
	case "half":
		next = "triển khai nhiệm vụ 6 tháng cuối năm"
	case "nine":
		next = "triển khai nhiệm vụ quý IV"
	case "quarter":
		next = "triển khai nhiệm vụ quý tiếp theo"
	default:
		next = "triển khai nhiệm vụ tháng tới"
	}
	what := s.pick([]string{"hội nghị tổng kết công tác", "họp giao ban đánh giá kết quả công tác", "hội nghị sơ kết công tác"})
	if p.kind == "year" {
		what = s.pick([]string{"hội nghị tổng kết công tác", "hội nghị tổng kết, đánh giá kết quả công tác"})
	}
	t := fmt.Sprintf("%s %d/%d, %s %s tổ chức %s %s, %s.", s.pick([]string{"Sáng", "Chiều", "Ngày"}), d.Day(), int(d.Month()),
		s.agency(), s.provName(), what, p.phrase(), next)
	if s.chance(0.5) {
		t += s.pick([]string{
			" Dự hội nghị có lãnh đạo UBND tỉnh, lãnh đạo các sở, ngành và các doanh nghiệp bưu chính, viễn thông trên địa bàn.",
			" Tham dự có đại diện các cơ quan, đơn vị và doanh nghiệp hoạt động trong lĩnh vực.",
		})
	}
	if s.sokhcn && s.chance(0.5) {
		t += " Từ ngày 01/3/2025, Sở Khoa học và Công nghệ đã tiếp nhận chức năng, nhiệm vụ quản lý nhà nước về bưu chính, viễn thông, công nghệ thông tin và chuyển đổi số từ Sở Thông tin và Truyền thông trước đây."
	}
	return t
}

// lead opens a topic paragraph with the document period.
func (s *docState) lead(topicLeads ...string) string {
	l := s.pick(topicLeads)
	if s.chance(0.5) {
		return "Theo báo cáo, " + s.p.phrase() + ", " + l
	}
	return capFirst(s.p.phrase()) + ", " + l
}

func (s *docState) outlook() string {
	r := s.r
	p := s.p
	target := p.year + 1
	out := []string{
		fmt.Sprintf("Phát biểu chỉ đạo, lãnh đạo UBND tỉnh đề nghị ngành tiếp tục tham mưu triển khai Nghị quyết số %d/NQ-CP ngày %02d/%d/%d của Chính phủ; phấn đấu năm %d có 100%% thôn, bản được phủ sóng di động, %d%% dịch vụ công được cung cấp trực tuyến mức độ 4.",
			10+r.IntN(80), 1+r.IntN(28), 1+r.IntN(12), p.year-1-r.IntN(3), target, 30+10*r.IntN(6)),
		fmt.Sprintf("Theo số liệu của Bộ TT&TT, cả nước hiện có khoảng %d triệu thuê bao di động, %s vẫn thuộc nhóm địa phương có mật độ thấp.", 110+r.IntN(30), s.pv.name),
		fmt.Sprintf("Thời gian tới, ngành sẽ triển khai Đề án chuyển đổi số theo Quyết định số %s/QĐ-UBND với tổng mức đầu tư %d tỷ đồng.", etl.GroupThousands(int64(100+r.IntN(2900))), 20+r.IntN(200)),
		fmt.Sprintf("Cũng trong %s, toàn quốc đã có %s DVC được tích hợp lên Cổng Dịch vụ công quốc gia.", p.phrase(), etl.GroupThousands(int64(2000+r.IntN(5000)))),
	}
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	out = out[:1+r.IntN(2)]
	if s.chance(0.05) {
		// a target stated as a share: rare in real reports, hard for readers
		out = append(out, fmt.Sprintf("Theo Kế hoạch số %d/KH-UBND, đến hết năm %d, %s phấn đấu 100%% hồ sơ công việc cấp tỉnh được xử lý trên môi trường mạng và %d%% DVC mức độ 4 phát sinh hồ sơ.", 10+r.IntN(200), target, s.pv.name, 40+10*r.IntN(5)))
	}
	return strings.Join(out, " ")
}

func (s *docState) awards() string {
	return fmt.Sprintf("Dịp này, %s trao Bằng khen của Chủ tịch UBND tỉnh cho %s tập thể và %s cá nhân có thành tích xuất sắc.",
		s.agencyShort(), pad2(1+s.r.IntN(20)), pad2(1+s.r.IntN(20)))
}

// sentence joins clauses and ends the sentence.
func sentence(parts ...string) string {
	var nz []string
	for _, p := range parts {
		if p != "" {
			nz = append(nz, p)
		}
	}
	if len(nz) == 0 {
		return ""
	}
	return capFirst(strings.Join(nz, "; ")) + "."
}

func capFirst(s string) string {
	for i, r := range s {
		return strings.ToUpper(string(r)) + s[i+len(string(r)):]
	}
	return s
}

// ----- numbers -----

// qty is a value as written and as read.
type qty struct {
	text  string
	value float64
	qual  etl.Qualifier
}

func pad2(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// dec1 writes tenths with a decimal comma: 953 → "95,3", 950 → "95".
func dec1(tenths int) string {
	if tenths%10 == 0 {
		return etl.GroupThousands(int64(tenths / 10))
	}
	return etl.GroupThousands(int64(tenths/10)) + "," + strconv.Itoa(tenths%10)
}

// count is a small count: "12", often zero-padded ("05") below ten.
func (s *docState) count(lo, hi int) qty {
	n := lo + s.r.IntN(hi-lo+1)
	t := strconv.Itoa(n)
	if n >= 1000 {
		t = etl.GroupThousands(int64(n))
	} else if n < 10 && s.chance(0.7) {
		t = pad2(n)
	}
	return qty{text: t, value: float64(n), qual: etl.Exact}
}

var qualWords = []struct {
	w string
	q etl.Qualifier
}{
	{"hơn", etl.MoreThan}, {"trên", etl.MoreThan}, {"gần", etl.Approx}, {"khoảng", etl.Approx}, {"xấp xỉ", etl.Approx},
}

// qualify prefixes a qualifier word with probability p.
func (s *docState) qualify(q qty, p float64) qty {
	if !s.chance(p) {
		return q
	}
	w := qualWords[s.r.IntN(len(qualWords))]
	q.text = w.w + " " + q.text
	q.qual = w.q
	return q
}

// big is a large count written exactly ("735.400"), rounded with a scale
// word ("412 nghìn", "1,02 triệu") or rounded to thousands; unit follows.
func (s *docState) big(lo, hi int) qty {
	n := lo + s.r.IntN(hi-lo+1)
	switch x := s.r.Float64(); {
	case x < 0.5:
		return qty{text: etl.GroupThousands(int64(n)), value: float64(n), qual: etl.Exact}
	case x < 0.7:
		n = n / 1000 * 1000
		return qty{text: etl.GroupThousands(int64(n)), value: float64(n), qual: etl.Exact}
	case x < 0.85 && n >= 1_000_000:
		h := n / 10000 // hundredths of a million
		t := strconv.Itoa(h/100) + "," + fmt.Sprintf("%02d", h%100)
		t = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(t, "0"), ",0"), ",")
		return qty{text: t + " triệu", value: float64(h) * 10000, qual: etl.Exact}
	case n >= 1000 && n < 1_000_000:
		k := n / 1000
		return qty{text: etl.GroupThousands(int64(k)) + " nghìn", value: float64(k) * 1000, qual: etl.Exact}
	}
	return qty{text: etl.GroupThousands(int64(n)), value: float64(n), qual: etl.Exact}
}

// pct is a percentage with one decimal: "95,3%".
func (s *docState) pct(lo, hi int) qty {
	t := lo*10 + s.r.IntN((hi-lo)*10+1)
	return qty{text: dec1(t) + "%", value: float64(t) / 10, qual: etl.Exact}
}

// rate is a per-100-residents density without its unit.
func (s *docState) rate(lo, hi int) qty {
	t := lo*10 + s.r.IntN((hi-lo)*10+1)
	return qty{text: dec1(t), value: float64(t) / 10, qual: etl.Exact}
}

// billions is an amount in tỷ đồng: "1.050 tỷ đồng", "42,3 tỷ đồng".
func (s *docState) billions(lo, hi int) qty {
	t := lo*10 + s.r.IntN((hi-lo)*10+1)
	if t >= 1000 || s.chance(0.4) {
		t = t / 10 * 10
	}
	unit := s.pick([]string{"tỷ đồng", "tỷ đồng", "tỷ đồng", "tỉ đồng"})
	return qty{text: dec1(t) + " " + unit, value: float64(t) * 1e8, qual: etl.Exact}
}

// millions is a fine: "67,5 triệu đồng" or "45.500.000 đồng".
func (s *docState) millions(lo, hi int) qty {
	t := lo*10 + s.r.IntN((hi-lo)*10+1)
	v := float64(t) * 1e5
	switch s.r.IntN(3) {
	case 0:
		return qty{text: etl.GroupThousands(int64(t)*100000) + " " + s.pick([]string{"đồng", "VNĐ", "đồng"}), value: v, qual: etl.Exact}
	default:
		return qty{text: dec1(t) + " triệu đồng", value: v, qual: etl.Exact}
	}
}

// ----- topics -----

func (s *docState) fill(tmpl string, qs ...qty) string {
	for k, q := range qs {
		tmpl = strings.Replace(tmpl, "{"+strconv.Itoa(k)+"}", q.text, 1)
	}
	return tmpl
}

// stock/flow fragments: each returns the clause and records its truth.
func (s *docState) clause(ind string, tmpl string, q qty) string {
	c := s.fill(tmpl, q)
	s.add(ind, q, c, nil)
	return c
}

func (s *docState) telecom() string {
	r := s.r
	var parts []string
	lead := s.lead("hạ tầng viễn thông trên địa bàn tỉnh tiếp tục được các doanh nghiệp đầu tư nâng cấp", "hạ tầng viễn thông của tỉnh tiếp tục được quan tâm đầu tư")
	bts := s.count(600, 4800)
	var b string
	if s.chance(0.5) {
		b = s.clause("bts_sites_added", s.pick([]string{"các doanh nghiệp đã phát triển mới {0} vị trí trạm BTS", "các doanh nghiệp đã xây dựng mới {0} trạm BTS"}), s.count(8, 160)) + ", "
		b += s.clause("bts_stations", s.pick([]string{"nâng tổng số trạm thu phát sóng di động trên địa bàn tỉnh lên {0} trạm", "nâng tổng số lên {0} trạm BTS"}), bts)
	} else {
		b = s.clause("bts_stations", s.pick([]string{"toàn tỉnh hiện có {0} trạm BTS", "tổng số trạm BTS trên địa bàn là {0} trạm", "trên địa bàn tỉnh hiện có {0} trạm BTS"}), bts)
	}
	has5G := false
	if s.p.year >= 2022 && s.chance(0.5) {
		b += ", " + s.clause("bts_5g_stations", s.pick([]string{"trong đó {0} trạm 5G", "trong đó có {0} trạm 5G"}), s.count(10, 450))
		has5G = true
	}
	// A comparison with the same period a year earlier; reports do this
	// mostly in annual reviews.
	if !has5G && (s.p.kind == "year" && s.chance(0.4) || s.chance(0.1)) {
		pp := s.p.prior()
		pq := qty{value: float64(int(bts.value) - 20 - r.IntN(150)), qual: etl.Exact}
		pq.text = etl.GroupThousands(int64(pq.value))
		var c string
		if s.p.kind == "year" {
			c = fmt.Sprintf("(năm %d là %s trạm)", pp.year, pq.text)
		} else {
			c = fmt.Sprintf("(cùng kỳ năm %d là %s trạm)", pp.year, pq.text)
		}
		s.add("bts_stations", pq, c, &pp)
		b += " " + c
	}
	parts = append(parts, b)
	if s.chance(0.1) {
		// a typo real reports contain: "1.60" is no number a reader can use
		parts = append(parts, fmt.Sprintf("đồng thời nâng cấp 1.%d trạm BTS lên công nghệ 4G", 10+r.IntN(89)))
	}
	if s.chance(0.6) {
		parts = append(parts, s.clause("mobile_broadband_coverage_pct", s.pick([]string{
			"{0} thôn, bản trên địa bàn tỉnh đã được phủ sóng mạng băng rộng di động",
			"tỷ lệ thôn, bản được phủ sóng băng rộng di động đạt {0}",
		}), s.pct(80, 99)))
	}
	var sub []string
	if s.chance(0.7) {
		ph := s.qualify(s.big(300_000, 3_500_000), 0.3)
		c := s.clause("phone_subscribers", s.pick([]string{"tổng số thuê bao điện thoại toàn tỉnh đạt {0} thuê bao", "toàn tỉnh có {0} thuê bao điện thoại"}), ph)
		if s.chance(0.6) {
			c += ", " + s.clause("phone_density_per_100", s.pick([]string{"mật độ {0} TB/100 dân", "mật độ {0} thuê bao/100 dân"}), s.rate(70, 140))
		}
		sub = append(sub, c)
	}
	if s.chance(0.7) {
		c := s.clause("internet_subscribers", "thuê bao Internet đạt {0} thuê bao", s.qualify(s.big(50_000, 2_500_000), 0.3))
		if s.chance(0.3) {
			c += ", " + s.clause("internet_density_per_100", "mật độ thuê bao Internet đạt {0} TB/100 dân", s.rate(20, 95))
		}
		sub = append(sub, c)
	}
	parts = append(parts, sub...)
	out := lead + ". " + sentence(parts...)
	var money []string
	if s.chance(0.6) {
		q := s.billions(150, 4000)
		tmpl := "doanh thu bưu chính, viễn thông " + s.p.phrase() + " đạt {0}"
		if s.chance(0.3) {
			tmpl = "doanh thu bưu chính, viễn thông " + s.p.phrase() + " ước đạt {0}"
			q.qual = etl.Approx
		}
		money = append(money, s.clause("telecom_postal_revenue_vnd", tmpl, q)+s.pick([]string{"", fmt.Sprintf(", tăng %s%% so với cùng kỳ", dec1(10+r.IntN(150)))}))
		if s.chance(0.5) {
			money = append(money, s.clause("budget_contribution_vnd", s.pick([]string{"nộp ngân sách {0}", "nộp ngân sách nhà nước {0}"}), s.billions(10, 300)))
		}
		out += " " + capFirst(strings.Join(money, ", ")) + "."
	}
	if s.chance(0.3) {
		out += fmt.Sprintf(" Hiện còn khoảng %d thôn, bản vùng lõm sóng tại các xã biên giới.", 10+r.IntN(150))
	}
	return out
}

func (s *docState) postal() string {
	var parts []string
	if s.chance(0.8) {
		c := s.clause("post_offices", s.pick([]string{"mạng lưới bưu chính được duy trì ổn định với {0} bưu cục", "toàn tỉnh có {0} bưu cục", "mạng lưới có {0} bưu cục"}), s.count(20, 160))
		if s.chance(0.7) {
			c += " và " + s.clause("commune_cultural_post_offices", "{0} điểm bưu điện văn hóa xã", s.count(30, 350))
		}
		if s.chance(0.3) {
			c += ", bảo đảm 100% xã có báo đến trong ngày"
		}
		parts = append(parts, c)
	}
	if s.chance(0.8) {
		q := s.qualify(s.big(3_000, 150_000), 0.3)
		parts = append(parts, s.clause("public_postal_dossiers", s.pick([]string{
			"việc tiếp nhận, trả kết quả hồ sơ thủ tục hành chính qua dịch vụ bưu chính công ích đạt {0} hồ sơ",
			"dịch vụ bưu chính công ích đã tiếp nhận và trả kết quả {0} hồ sơ TTHC",
		}), q))
		if s.p.kind == "month" && s.p.n >= 3 && s.p.n <= 11 && s.chance(0.5) {
			ytd := period{kind: "ytd", year: s.p.year, start: date(s.p.year, 1, 1), end: s.p.end}
			cq := qty{value: q.value*float64(s.p.n) + float64(s.r.IntN(900)), qual: etl.Exact}
			cq.text = etl.GroupThousands(int64(cq.value))
			c := fmt.Sprintf("lũy kế %d tháng đầu năm đạt %s hồ sơ", s.p.n, cq.text)
			s.add("public_postal_dossiers", cq, c, &ytd)
			parts[len(parts)-1] += ", " + c
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return s.pick([]string{"Về bưu chính, ", "Lĩnh vực bưu chính: ", ""}) + sentence(parts...)
}

func (s *docState) egov() string {
	var sents []string
	if s.p.year <= 2023 && s.chance(0.6) {
		l3, l4 := s.count(50, 1500), s.count(30, 1200)
		c := "Cổng dịch vụ công của tỉnh tiếp tục duy trì cung cấp " + s.clause("online_public_services_level3", "{0} dịch vụ công (DVC) trực tuyến mức độ 3", l3) +
			" và " + s.clause("online_public_services_level4", "{0} DVC trực tuyến mức độ 4", l4)
		if s.chance(0.5) {
			c += "; " + s.clause("online_public_services_level4_pct", "tỷ lệ DVC trực tuyến mức độ 4 đạt {0} tổng số TTHC", s.pct(20, 98))
		}
		sents = append(sents, c+".")
	}
	if s.chance(0.6) {
		acc := s.count(1500, 25000)
		c := "Hệ thống quản lý văn bản và điều hành hiện có " + s.clause("user_accounts", "{0} tài khoản người dùng", acc)
		if s.chance(0.5) {
			act := qty{value: float64(int(acc.value) * (70 + s.r.IntN(25)) / 100), qual: etl.Exact}
			act.text = etl.GroupThousands(int64(act.value))
			c += ", trong đó " + s.clause("user_accounts_active", "{0} tài khoản thường xuyên hoạt động", act)
			if s.chance(0.6) {
				c += ", " + s.clause("user_accounts_active_pct", "đạt {0}", s.pct(70, 95))
			}
		}
		sents = append(sents, c+".")
	}
	if s.p.year >= 2019 && s.chance(0.5) {
		c := capFirst(s.p.within()) + ", " + s.agencyShort() + " đã phối hợp " + s.clause("digital_certificates_personal", "cấp mới {0} chứng thư số cá nhân", s.count(20, 2500))
		if s.chance(0.6) {
			c += ", " + s.clause("digital_certificates_org", "{0} chứng thư số cho tổ chức", s.count(5, 300))
		}
		if s.chance(0.4) {
			c += " và " + s.clause("pki_sims", "{0} SIM PKI", s.count(5, 150)) + " cho lãnh đạo các cơ quan, đơn vị"
		}
		sents = append(sents, c+".")
	}
	if s.p.year >= 2019 && s.chance(0.5) {
		y := 10 + s.r.IntN(20)
		x := y - s.r.IntN(4)
		q := qty{text: fmt.Sprintf("%d/%d", x, y), value: float64(x), qual: etl.Exact}
		sents = append(sents, "Nền tảng tích hợp, chia sẻ dữ liệu cấp tỉnh ("+s.clause("lgsp_connected_systems", "LGSP) đã kết nối {0} cơ sở dữ liệu", q)+", hệ thống thông tin dùng chung.")
	}
	if s.chance(0.5) {
		sents = append(sents, "Hệ thống hội nghị truyền hình trực tuyến được "+s.clause("video_conference_endpoints", s.pick([]string{"mở rộng tới {0} điểm cầu cấp xã", "kết nối {0} điểm cầu"}), s.count(40, 600))+".")
	}
	if s.p.year >= 2022 && s.chance(0.5) {
		n := 60 + s.r.IntN(500)
		q := qty{text: fmt.Sprintf("%d/%d", n, n), value: float64(n), qual: etl.Exact}
		c := s.clause("community_digital_teams", "{0} xã, phường, thị trấn thành lập Tổ công nghệ số cộng đồng", q)
		c += " với " + s.clause("community_digital_team_members", "{0} thành viên", s.count(400, 7000))
		sents = append(sents, "Hiện toàn tỉnh có "+c+".")
	}
	if len(sents) == 0 {
		return ""
	}
	return s.lead("công tác chuyển đổi số, xây dựng chính quyền số tiếp tục được đẩy mạnh", "ứng dụng công nghệ thông tin trong cơ quan nhà nước có nhiều chuyển biến") + ". " + strings.Join(sents, " ")
}

func (s *docState) security() string {
	var parts []string
	if s.chance(0.6) {
		parts = append(parts, s.clause("security_advisories", s.pick([]string{"phát hành {0} văn bản cảnh báo lỗ hổng, mã độc", "ban hành {0} văn bản hướng dẫn, cảnh báo an toàn thông tin"}), s.count(3, 60)))
	}
	if s.chance(0.6) {
		parts = append(parts, s.clause("security_incidents_handled", "phối hợp ứng cứu {0} sự cố an toàn thông tin", s.count(1, 25)))
	}
	if s.p.year >= 2020 && s.chance(0.6) {
		parts = append(parts, s.clause("edr_monitored_computers", s.pick([]string{"hệ thống EDR đang giám sát {0} máy tính của các cơ quan nhà nước", "hệ thống phòng chống mã độc tập trung đang giám sát {0} máy tính"}), s.qualify(s.count(800, 30000), 0.25)))
	}
	if s.p.year >= 2020 && s.chance(0.5) {
		parts = append(parts, s.clause("malware_alerts", "ghi nhận {0} cảnh báo mã độc", s.qualify(s.count(500, 90000), 0.3)))
		if s.chance(0.6) {
			parts[len(parts)-1] += ", " + s.clause("malware_infected_computers_handled", "xử lý {0} máy tính bị nhiễm mã độc", s.count(3, 500))
		}
	}
	if s.chance(0.2) {
		parts = append(parts, s.clause("phishing_sites_fixed", "khắc phục {0} lỗ hổng lừa đảo (phishing)", s.count(1, 20)))
	}
	if len(parts) == 0 {
		return ""
	}
	return "Về an toàn thông tin, " + s.pick([]string{"Trung tâm Công nghệ thông tin và Truyền thông đã ", s.agencyShort() + " đã "}) + strings.Join(parts, "; ") + "."
}

func (s *docState) enforcement() string {
	var parts []string
	ins, chk := s.count(1, 5), s.count(2, 20)
	c := "Thanh tra Sở đã tiến hành " + s.clause("inspections", "{0} cuộc thanh tra", ins)
	if s.chance(0.7) {
		c += ", " + s.clause("compliance_checks", "{0} cuộc kiểm tra", chk)
	}
	parts = append(parts, c)
	if s.chance(0.6) {
		c := s.clause("violations_found", "phát hiện {0} trường hợp vi phạm", s.count(2, 60))
		if s.chance(0.7) {
			c += ", " + s.clause("sanction_decisions", "ban hành {0} quyết định xử phạt vi phạm hành chính", s.count(1, 40))
			if s.chance(0.8) {
				c += " với " + s.clause("fines_vnd", "tổng số tiền phạt {0}", s.millions(10, 600))
			}
		}
		parts = append(parts, c)
	}
	if s.p.year >= 2018 && s.chance(0.5) {
		parts = append(parts, s.clause("fake_news_cases", "xử lý {0} trường hợp đăng tin sai sự thật trên mạng xã hội", s.count(1, 60)))
	}
	if s.chance(0.3) {
		parts = append(parts, s.clause("websites_sanctioned", "xử phạt {0} trang thông tin điện tử tổng hợp", s.count(1, 6)))
	}
	if s.chance(0.3) {
		parts = append(parts, s.clause("domains_revoked", "thu hồi {0} tên miền vi phạm", s.count(1, 9)))
	}
	if s.p.year >= 2019 && s.chance(0.25) {
		parts = append(parts, s.clause("fanpages_blocked", "gỡ bỏ {0} Fanpage giả mạo", s.count(1, 30)))
	}
	return s.pick([]string{"Công tác thanh tra, kiểm tra: ", "Về công tác thanh tra, kiểm tra, ", ""}) + sentence(parts...)
}

func (s *docState) press() string {
	var parts []string
	if s.chance(0.7) {
		parts = append(parts, s.clause("publishing_licenses", "cấp {0} giấy phép xuất bản tài liệu không kinh doanh", s.count(5, 90)))
	}
	if s.chance(0.5) {
		parts = append(parts, s.clause("bulletin_licenses", "{0} giấy phép xuất bản bản tin", s.count(1, 9)))
	}
	if s.chance(0.5) {
		parts = append(parts, s.clause("legal_deposit_publications", "tiếp nhận {0} xuất bản phẩm lưu chiểu", s.count(10, 120)))
	}
	if s.chance(0.4) {
		parts = append(parts, s.clause("local_radio_stations_built", "xây dựng mới {0} đài truyền thanh cơ sở", s.count(1, 30)))
	}
	if len(parts) == 0 {
		return ""
	}
	return "Trong lĩnh vực báo chí, xuất bản, " + s.agencyShort() + " đã " + strings.Join(parts, "; ") + "."
}

func (s *docState) training() string {
	c := s.p.within() + ", Sở tổ chức " + s.clause("training_courses", "{0} lớp tập huấn", s.count(2, 40))
	if s.chance(0.8) {
		c += " " + s.clause("trainees", s.pick([]string{"cho {0} lượt học viên", "cho {0} học viên"}), s.qualify(s.count(60, 4000), 0.25))
	}
	c += s.pick([]string{" về ứng dụng CNTT và an toàn thông tin", " về kỹ năng số", " là cán bộ, công chức cấp xã"})
	return capFirst(c) + "."
}

// ----- variants -----

// broken returns the bytes of a file no decoder can read.
func broken(r *rand.Rand) ([]byte, string) {
	switch r.IntN(4) {
	case 0:
		return nil, ".txt" // empty
	case 1:
		b := make([]byte, 512+r.IntN(2048))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b, ".txt" // binary garbage
	case 2:
		return []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n\x00\x00\x00"), ".txt"
	}
	return []byte("<html><head><script>var x=1;</script></head><body><div><div><div></div></div></div></body></html>"), ".html"
}

// encodeVariant writes text as UTF-8, sometimes with a BOM, CRLF line
// endings or as UTF-16LE with a BOM, as real sources do.
func encodeVariant(r *rand.Rand, s string) []byte {
	switch x := r.Float64(); {
	case x < 0.03:
		return append([]byte("\xef\xbb\xbf"), s...)
	case x < 0.05:
		return []byte(strings.ReplaceAll(s, "\n", "\r\n"))
	case x < 0.06:
		u := []byte{0xff, 0xfe}
		for _, c := range s {
			if c > 0xffff {
				c = '?'
			}
			u = append(u, byte(c), byte(c>>8))
		}
		return u
	}
	return []byte(s)
}

var stripper = func() map[rune]rune {
	m := map[rune]rune{'đ': 'd', 'Đ': 'D'}
	for base, set := range map[rune]string{
		'a': "àáảãạăằắẳẵặâầấẩẫậ", 'e': "èéẻẽẹêềếểễệ", 'i': "ìíỉĩị", 'o': "òóỏõọôồốổỗộơờớởỡợ",
		'u': "ùúủũụưừứửữự", 'y': "ỳýỷỹỵ",
	} {
		for _, c := range set {
			m[c] = base
		}
		for _, c := range strings.ToUpper(set) {
			m[c] = base - 'a' + 'A'
		}
	}
	return m
}()

// stripDiacritics writes NFC Vietnamese without diacritics, keeping case.
func stripDiacritics(s string) string {
	return strings.Map(func(r rune) rune {
		if b, ok := stripper[r]; ok {
			return b
		}
		return r
	}, s)
}
