package etl

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// periodMention is a reporting-period phrase found in the folded text.
type periodMention struct {
	start, end int
	period     Period
	plan       bool // inside a plan/target context ("phương hướng ... năm 2022")
	compare    bool // "cùng kỳ", "so với": an earlier period given for comparison
	since      bool // "từ năm 2019": a starting point, not a reporting period
	yearless   bool // "6 tháng đầu năm" with the year left implicit
	relative   int  // "năm qua"/"năm nay" = 0, "năm trước" = -1; valid when yearless
	aside      bool // inside brackets
	asOf       bool // "tính đến 30/6/2020": a stock date
}

var reAsideCompare = regexp.MustCompile(`^\s*(la|dat|:|co)\b`)

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

func monthEnd(y, m int) time.Time { return day(y, m+1, 1).AddDate(0, 0, -1) }

// YearPeriod is the calendar year y.
func YearPeriod(y int) Period { return Period{day(y, 1, 1), day(y, 12, 31), GrainYear} }

// shiftYears moves a period by dy years, keeping its span ("cùng kỳ").
func (p Period) shiftYears(dy int) Period {
	return Period{p.Start.AddDate(dy, 0, 0), monthEnd(p.End.Year()+dy, int(p.End.Month())), p.Grain}
}

// withYear re-anchors a yearless period on year y.
func (p Period) withYear(y int) Period { return p.shiftYears(y - p.Start.Year()) }

var (
	// Each pattern starts with a literal word so the regexp engine can skip
	// to candidates with a substring search; what must precede the literal
	// is checked by hand (see before).
	reHalf     = regexp.MustCompile(`thang\s+(dau|cuoi)\s+nam(?:\s+(\d{4}))?`)      // after "6"/"06"/"sáu"
	reMonthsN  = regexp.MustCompile(`thang(?:\s+dau\s+nam|\s+nam)?(?:\s+(\d{4}))?`) // after a count of months
	reQuarter  = regexp.MustCompile(`quy\s+(iv|iii|ii|i|1|2|3|4)(?:\s*/\s*|\s+nam\s+|\s+)(\d{4})`)
	reQuarterY = regexp.MustCompile(`quy\s+(iv|iii|ii|i|1|2|3|4)\b`)
	reMonth    = regexp.MustCompile(`thang\s+(\d{1,2})(?:\s*/\s*|\s+nam\s+)(\d{4})`)
	reMonthY   = regexp.MustCompile(`thang\s+(\d{1,2})\b`) // after "trong", "kết quả", …
	reMonths   = regexp.MustCompile(`tu (?:ngay \d{1,2}/)?(?:thang )?(\d{1,2})(?:/(\d{4}))? (?:den|toi) (?:het |cuoi )?(?:ngay \d{1,2}/)?(?:thang )?(\d{1,2})(?:\s*/\s*(\d{4})|\s+nam\s+(\d{4}))?`)
	reYear     = regexp.MustCompile(`nam\s+(\d{4})\b`)
	reRanges   = []*regexp.Regexp{
		regexp.MustCompile(`giai doan\s+(\d{4})\s*(?:-|den|toi)\s*(?:nam\s+)?(\d{4})`),
		regexp.MustCompile(`thoi ky\s+(\d{4})\s*(?:-|den|toi)\s*(?:nam\s+)?(\d{4})`),
		regexp.MustCompile(`tu nam\s+(\d{4})\s*(?:-|den|toi)\s*(?:nam\s+)?(\d{4})`),
	}
	reTerm = regexp.MustCompile(`nhiem ky\s+(\d{4})\s*(?:-|den|toi)\s*(?:nam\s+)?(\d{4})`)
	// reAsOfAt is tried only where "den"/"toi" occur (see allAt): a leading
	// alternation gives the regexp engine no literal to skip to.
	reAsOfAt    = regexp.MustCompile(`^(?:den|toi)\s+(?:het\s+)?(?:ngay\s+)?(\d{1,2})\s*/\s*(\d{1,2})(?:\s*/\s*(\d{4}))?`)
	reRelYear   = regexp.MustCompile(`nam (qua|nay|truoc|ngoai)\b`)
	reInYear    = regexp.MustCompile(`trong nam\b`)
	reMonthLead = regexp.MustCompile(`(trong|ket qua|bao cao|so ket|tinh hinh|hoat dong|cong tac)( cong tac)? $`)
	// words that make a following period a plan or a target
	rePlanBefore   = regexp.MustCompile(`((phuong huong|ke hoach|muc tieu|phan dau|dinh huong|chi tieu|du kien|nhiem vu trong tam|trien khai cong tac|tam nhin|de ra|dat ra)[^.;\n]{0,40}|\b(den|toi|truoc)\s*)$`)
	reTaskBefore   = regexp.MustCompile(`nhiem vu[^.;\n]{0,25}$`)
	reReviewBefore = regexp.MustCompile(`(ket qua|thuc hien|hoan thanh|danh gia)[^.;\n]{0,30}nhiem vu[^.;\n]{0,25}$`)
)

// lastWords returns the last n words of s, single-spaced.
func lastWords(s string, n int) string {
	fs := strings.Fields(s)
	if len(fs) > n {
		fs = fs[len(fs)-n:]
	}
	return strings.Join(fs, " ")
}

func endsWithAny(s string, words ...string) bool {
	for _, w := range words {
		if s == w || strings.HasSuffix(s, " "+w) {
			return true
		}
	}
	return false
}

// hasPlanWord is a cheap filter before rePlanBefore.
func hasPlanWord(s string) bool {
	for _, w := range []string{"phuong huong", "ke hoach", "muc tieu", "phan dau", "dinh huong", "chi tieu", "du kien", "nhiem vu trong tam", "trien khai cong tac", "tam nhin", "de ra", "dat ra", "den", "toi", "truoc"} {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func romanQuarter(s string) int {
	switch s {
	case "i", "1":
		return 1
	case "ii", "2":
		return 2
	case "iii", "3":
		return 3
	case "iv", "4":
		return 4
	}
	return 0
}

// findPeriods lists the period phrases of a folded ASCII text, in order.
func findPeriods(f string) []periodMention {
	var ms []periodMention
	taken := make([]bool, len(f)+1)
	planAt := findPhrases(f, planSentencePhrases) // once, not per mention
	add := func(s, e int, p Period, yearless bool) bool {
		for k := s; k < e; k++ {
			if taken[k] {
				return false
			}
		}
		if w := lastWords(f[max(0, s-12):s], 2); strings.HasPrefix(w, "ngay ") && allDigits(strings.TrimPrefix(w, "ngay ")) {
			// "ngày 25 tháng 12 năm 2023" is a date, not a reporting period
			for k := s; k < e; k++ {
				taken[k] = true
			}
			return false
		}
		for k := s; k < e; k++ {
			taken[k] = true
		}
		m := periodMention{start: s, end: e, period: p, yearless: yearless}
		lo := s - 60
		if lo < 0 {
			lo = 0
		}
		before := f[lo:s]
		last := lastWords(before, 3)
		m.plan = planSentence(f, s, planAt) || hasPlanWord(before) && rePlanBefore.MatchString(before) ||
			strings.Contains(before, "nhiem vu") && reTaskBefore.MatchString(before) && !reReviewBefore.MatchString(before)
		last4 := lastWords(before, 4)
		m.compare = endsWithAny(last, "cung ky", "so voi") || strings.Contains(last4, "so voi") || strings.Contains(last4, "cung ky")
		m.since = endsWithAny(last, "tu", "ke tu", "truoc", "sau")
		m.aside = strings.LastIndex(before, "(") > strings.LastIndex(before, ")")
		if m.aside && reAsideCompare.MatchString(f[e:min(len(f), e+12)]) {
			m.compare = true // "(năm 2019 là 1.159 trạm)"
		}
		ms = append(ms, m)
		return true
	}
	// wordStart: the match begins a word (the patterns dropped their \b)
	wordStart := func(i int) bool { return i == 0 || !isASCIIWord(f[i-1]) }
	// wordBefore is the folded word right before offset i
	wordBefore := func(i int) (string, int) {
		e := i
		for e > 0 && f[e-1] == ' ' {
			e--
		}
		s := e
		for s > 0 && isASCIIWord(f[s-1]) {
			s--
		}
		return f[s:e], s
	}
	all := func(re *regexp.Regexp) [][]int {
		var out [][]int
		for _, x := range re.FindAllStringSubmatchIndex(f, -1) {
			if wordStart(x[0]) {
				out = append(out, x)
			}
		}
		return out
	}
	// terms of office ("nhiệm kỳ 2020 - 2025") are no reporting period, but
	// their years must not be read as years either
	for _, x := range all(reTerm) {
		for k := x[0]; k < x[1]; k++ {
			taken[k] = true
		}
	}
	for _, re := range reRanges {
		for _, x := range all(re) {
			a, b := atoi(f[x[2]:x[3]]), atoi(f[x[4]:x[5]])
			if a >= 1945 && b > a && b-a <= 15 {
				add(x[0], x[1], Period{day(a, 1, 1), day(b, 12, 31), GrainRange}, false)
			}
		}
	}
	for _, x := range all(reHalf) {
		w, ws := wordBefore(x[0])
		if w != "6" && w != "06" && w != "sau" {
			continue
		}
		first := f[x[2]:x[3]] == "dau"
		y, yearless := 2000, true
		if x[4] >= 0 {
			y, yearless = atoi(f[x[4]:x[5]]), false
		}
		p := Period{day(y, 1, 1), day(y, 6, 30), GrainHalf}
		if !first {
			p = Period{day(y, 7, 1), day(y, 12, 31), GrainHalf}
		}
		add(ws, x[1], p, yearless)
	}
	for _, x := range all(reQuarter) {
		q, y := romanQuarter(f[x[2]:x[3]]), atoi(f[x[4]:x[5]])
		if q > 0 {
			add(x[0], x[1], Period{day(y, 3*q-2, 1), monthEnd(y, 3*q), GrainQuarter}, false)
		}
	}
	for _, x := range all(reQuarterY) {
		q := romanQuarter(f[x[2]:x[3]])
		if q > 0 {
			add(x[0], x[1], Period{day(2000, 3*q-2, 1), monthEnd(2000, 3*q), GrainQuarter}, true)
		}
	}
	for _, x := range all(reMonthsN) {
		w, ws := wordBefore(x[0])
		if w == "mot" {
			if w2, ws2 := wordBefore(ws); w2 == "muoi" {
				w, ws = "muoi mot", ws2
			}
		}
		var n int
		switch w {
		case "chin":
			n = 9
		case "ba":
			n = 3
		case "muoi mot":
			n = 11
		default:
			if len(w) > 2 || !allDigits(w) {
				continue
			}
			n = atoi(w)
		}
		if n < 2 || n > 11 {
			continue
		}
		g := GrainYTD
		if n == 6 {
			g = GrainHalf // "6 tháng" alone; "6 tháng đầu/cuối năm" are read by reHalf
		}
		y, yearless := 2000, true
		if x[2] >= 0 {
			y, yearless = atoi(f[x[2]:x[3]]), false
		}
		// require "đầu năm", a year, or a clear "N tháng" at a clause start
		if yearless && !strings.Contains(strings.Join(strings.Fields(f[x[0]:x[1]]), " "), "dau nam") && !clauseStart(f, ws) {
			continue
		}
		add(ws, x[1], Period{day(y, 1, 1), monthEnd(y, n), g}, yearless)
	}
	for _, x := range all(reMonths) {
		m1, m2 := atoi(f[x[2]:x[3]]), atoi(f[x[6]:x[7]])
		if m1 < 1 || m2 > 12 || m1 >= m2 {
			continue
		}
		y, yearless := 2000, true
		for _, g := range []int{4, 8, 10} {
			if x[g] >= 0 {
				y, yearless = atoi(f[x[g]:x[g+1]]), false
			}
		}
		g := GrainMonths
		if m1 == 1 {
			g = GrainYTD
		}
		add(x[0], x[1], Period{day(y, m1, 1), monthEnd(y, m2), g}, yearless)
	}
	for _, x := range all(reMonth) {
		m, y := atoi(f[x[2]:x[3]]), atoi(f[x[4]:x[5]])
		if m >= 1 && m <= 12 {
			add(x[0], x[1], Period{day(y, m, 1), monthEnd(y, m), GrainMonth}, false)
		}
	}
	for _, x := range all(reMonthY) {
		m := atoi(f[x[2]:x[3]])
		lead := f[max(0, x[0]-30):x[0]]
		if m >= 1 && m <= 12 && reMonthLead.MatchString(lead) && !strings.HasPrefix(f[x[3]:], "/") && !strings.HasPrefix(strings.TrimLeft(f[x[3]:], " "), "nam") {
			add(x[0], x[3], Period{day(2000, m, 1), monthEnd(2000, m), GrainMonth}, true)
		}
	}
	for _, x := range allAt(f, reAsOfAt, 100, "den", "toi") {
		if !wordStart(x[0]) {
			continue
		}
		d, m := atoi(f[x[2]:x[3]]), atoi(f[x[4]:x[5]])
		if d < 1 || d > 31 || m < 1 || m > 12 {
			continue
		}
		y, yearless := 2000, true
		if x[6] >= 0 {
			y, yearless = atoi(f[x[6]:x[7]]), false
		}
		end := day(y, m, d)
		if d != monthEnd(y, m).Day() {
			continue // a day inside a month: no reporting period
		}
		p := Period{day(y, 1, 1), end, GrainYTD}
		switch m {
		case 3:
			p.Grain = GrainQuarter
		case 6:
			p.Grain = GrainHalf
		case 12:
			p.Grain = GrainYear
		}
		if add(x[0], x[1], p, yearless) {
			ms[len(ms)-1].asOf = true
		}
	}
	for _, x := range all(reYear) {
		y := atoi(f[x[2]:x[3]])
		if y >= 1945 && y <= 2100 {
			add(x[0], x[1], YearPeriod(y), false)
		}
	}
	for _, x := range all(reRelYear) {
		rel := 0
		if w := f[x[2]:x[3]]; w == "truoc" || w == "ngoai" {
			rel = -1
		}
		if add(x[0], x[1], YearPeriod(2000), true) {
			ms[len(ms)-1].relative = rel
		}
	}
	for _, x := range all(reInYear) {
		add(x[0], x[1], YearPeriod(2000), true)
	}
	sortMentions(ms)
	return ms
}

// clauseStart reports whether offset i begins a clause (after punctuation
// or one of a few lead-in words).
func clauseStart(f string, i int) bool {
	k := i - 1
	for k >= 0 && f[k] == ' ' {
		k--
	}
	if k < 0 {
		return true
	}
	switch f[k] {
	case '.', ',', ';', ':', '\n', '(', '-':
		return true
	}
	return hasSuffixWord(f[:k+1], "trong") || hasSuffixWord(f[:k+1], "sau") || hasSuffixWord(f[:k+1], "luy ke") || hasSuffixWord(f[:k+1], "trong vong")
}

func hasSuffixWord(s, w string) bool {
	if len(s) < len(w) || s[len(s)-len(w):] != w {
		return false
	}
	return len(s) == len(w) || !isASCIIWord(s[len(s)-len(w)-1])
}

// planSentencePhrases make the rest of a sentence a plan or a request.
var planSentencePhrases = []string{"de nghi", "kien nghi", "phuong huong", "phan dau", "dinh huong", "tam nhin", "se tiep tuc", "can tiep tuc", "du kien", "ke hoach nam", "nhiem vu nam"}

// findPhrases returns the [start, end) offsets of whole-word occurrences of
// the phrases in f, sorted by start (substring search, no regexp).
func findPhrases(f string, phrases []string) [][]int {
	var out [][]int
	for _, p := range phrases {
		for from := 0; ; {
			i := strings.Index(f[from:], p)
			if i < 0 {
				break
			}
			s, e := from+i, from+i+len(p)
			if (s == 0 || !isASCIIWord(f[s-1])) && (e == len(f) || !isASCIIWord(f[e])) {
				out = append(out, []int{s, e})
			}
			from = s + 1
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// planSentence reports whether the sentence leading up to offset i states a
// plan, a request or a target rather than results; planAt are the offsets
// of planSentencePhrases in f.
func planSentence(f string, i int, planAt [][]int) bool {
	s := strings.LastIndexAny(f[:i], ".\n!?") + 1
	for k := sort.Search(len(planAt), func(j int) bool { return planAt[j][0] >= s }); k < len(planAt) && planAt[k][0] < i; k++ {
		if planAt[k][1] <= i {
			return true
		}
	}
	return false
}

func sortMentions(ms []periodMention) {
	for i := 1; i < len(ms); i++ {
		for j := i; j > 0 && ms[j].start < ms[j-1].start; j-- {
			ms[j], ms[j-1] = ms[j-1], ms[j]
		}
	}
}

var reReviewLead = regexp.MustCompile(`(tong ket|ket qua|danh gia|nhin lai|bao cao)[^.\n]*$`)

var (
	rePubISO      = regexp.MustCompile(`\b(20\d\d)-(\d\d)(?:-(\d\d))?\b`)
	rePubDMY      = regexp.MustCompile(`\b(\d{1,2})/(\d{1,2})/(20\d\d)\b`)
	rePubLong     = regexp.MustCompile(`ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(20\d\d)`)
	reCitedBefore = regexp.MustCompile(`(quyet dinh|nghi quyet|nghi dinh|thong tu|cong van|ke hoach|chi thi|bao cao|so)\s[^.\n]{0,40}$`)
	rePubDate     = regexp.MustCompile(`\bdate\s+(20\d\d)-(\d\d)`)
)

// publicationDate guesses the page's date from its head: a dateline
// ("date 2021-01", "09:04 25/12/2020", "Thứ ba, 30/06/2020").
// allAt is FindAllStringSubmatchIndex for an anchored pattern that can
// only start with one of the literal prefixes: it runs re at each
// occurrence of a prefix, on a window of at most width bytes, left to right
// without overlaps. Much faster than letting the engine try every offset.
func allAt(f string, re *regexp.Regexp, width int, prefixes ...string) [][]int {
	var at []int
	for _, p := range prefixes {
		for i := 0; ; {
			j := strings.Index(f[i:], p)
			if j < 0 {
				break
			}
			at = append(at, i+j)
			i += j + 1
		}
	}
	if len(at) == 0 {
		return nil
	}
	slices.Sort(at)
	var out [][]int
	end := 0
	for _, i := range at {
		if i < end {
			continue
		}
		x := re.FindStringSubmatchIndex(f[i:min(len(f), i+width)])
		if x == nil {
			continue
		}
		for k := range x {
			if x[k] >= 0 {
				x[k] += i
			}
		}
		out = append(out, x)
		end = x[1]
	}
	return out
}

func publicationDate(f string) time.Time {
	head := f
	if len(head) > 400 {
		head = head[:400]
	}
	// The literal checks spare most texts the regexps, which have no
	// literal prefix to skip to.
	if strings.Contains(head, "date") {
		if x := rePubDate.FindStringSubmatch(head); x != nil {
			return day(atoi(x[1]), atoi(x[2]), 1)
		}
	}
	if x := rePubLong.FindStringSubmatch(head); x != nil {
		// "Cần Thơ, ngày 12 tháng 01 năm 2026": an official dateline
		d, m, y := atoi(x[1]), atoi(x[2]), atoi(x[3])
		if d >= 1 && d <= 31 && m >= 1 && m <= 12 {
			return day(y, m, d)
		}
	}
	if strings.Contains(head, "/") {
		for _, x := range rePubDMY.FindAllStringSubmatchIndex(head, -1) {
			if reCitedBefore.MatchString(head[max(0, x[0]-60):x[0]]) {
				continue // "Quyết định số 612/QĐ-STTTT ngày 26/12/2017": a cited document's date
			}
			d, m, y := atoi(head[x[2]:x[3]]), atoi(head[x[4]:x[5]]), atoi(head[x[6]:x[7]])
			if d >= 1 && d <= 31 && m >= 1 && m <= 12 {
				return day(y, m, d)
			}
		}
	}
	if strings.Contains(head, "-") {
		if x := rePubISO.FindStringSubmatch(head); x != nil {
			m := atoi(x[2])
			if m >= 1 && m <= 12 {
				d := 1
				if x[3] != "" {
					d = atoi(x[3])
				}
				return day(atoi(x[1]), m, d)
			}
		}
	}
	return time.Time{}
}

// docPeriod picks the document's main reporting period by weighted vote:
// phrases in the lead count more, plans and comparisons do not count, and
// sub-year periods named in the lead win over the bare year.
func docPeriod(f string, ms []periodMention, pub time.Time) Period {
	type vote struct {
		p Period
		w float64
	}
	maxYear := 0
	if !pub.IsZero() {
		maxYear = pub.Year()
	}
	// the year the text talks about most, for yearless phrases
	years := map[int]float64{}
	for _, m := range ms {
		if m.yearless || m.plan || m.since || m.compare {
			continue
		}
		y := m.period.End.Year()
		if maxYear > 0 && y > maxYear {
			continue
		}
		if m.period.Grain == GrainRange {
			continue
		}
		w := 1.0
		if m.start < 500 {
			w += 1.5
		}
		if m.aside {
			w *= 0.3
		}
		if clauseStart(f, m.start) {
			w += 1 // "Năm 2021, công tác …" leads a paragraph of results
		}
		years[y] += w
	}
	if !pub.IsZero() {
		// the dateline's year, for reports that name their period without one
		// ("Kết quả công tác 6 tháng đầu năm")
		y := pub.Year()
		if pub.Month() <= 1 {
			y-- // a January dateline closes the previous year
		}
		years[y] += 1.5
	}
	bestYear, bw := 0, 0.0
	for y, w := range years {
		// ties go to the earlier year: reviews look back, plans look ahead
		if w > bw || w == bw && y < bestYear {
			bestYear, bw = y, w
		}
	}
	if bestYear == 0 {
		if !pub.IsZero() {
			// a year-end review is usually published in its year or early next year
			bestYear = pub.Year()
			if pub.Month() <= 2 {
				bestYear--
			}
		} else {
			return Period{}
		}
	}
	votes := map[[2]time.Time]*vote{}
	for _, m := range ms {
		if m.plan || m.since || m.compare || m.period.Grain == GrainRange {
			continue
		}
		p := m.period
		if m.yearless {
			p = p.withYear(bestYear + m.relative)
		}
		if p.End.Year() != bestYear {
			continue
		}
		w := 1.0
		if m.start < 500 {
			w += 1.5
			if p.Grain != GrainYear && !m.aside {
				w += 4 // "Sơ kết 6 tháng đầu năm 2020" in the headline decides
			}
		}
		if m.aside {
			w *= 0.3 // "(riêng 6 tháng cuối năm: …)" is a part, not the report
		}
		k := [2]time.Time{p.Start, p.End}
		if votes[k] == nil {
			votes[k] = &vote{p: p}
		}
		votes[k].w += w
	}
	// "Tổng kết 5 năm … giai đoạn 2021 - 2025" in the lead: the report covers the range
	for _, m := range ms {
		if m.period.Grain == GrainRange && m.start < 400 && !m.plan && !m.aside && reReviewLead.MatchString(f[max(0, m.start-80):m.start]) {
			k := [2]time.Time{m.period.Start, m.period.End}
			if votes[k] == nil {
				votes[k] = &vote{p: m.period}
			}
			votes[k].w += 8
		}
	}
	var best *vote
	for _, v := range votes {
		// ties go to the earlier period: a report looks back on it and
		// ahead to the next
		if best == nil || v.w > best.w || v.w == best.w && v.p.End.Before(best.p.End) {
			best = v
		}
	}
	if best == nil {
		return YearPeriod(bestYear)
	}
	return best.p
}
