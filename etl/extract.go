package etl

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// ExtractorVersion changes whenever extraction rules change, so documents
// loaded by an older extractor are extracted again.
const ExtractorVersion = "2026.11.30-1"

// MaxNumbers bounds the numbers read from one document: a text with more is
// a table dump or garbage, not a report, and would only cost time.
const MaxNumbers = 20000

// boundary strengths between tokens
const (
	bNone     = 0
	bClause   = 1 // , ( ) : "
	bStrong   = 2 // ; –
	bSentence = 3 // . ! ? newline
)

// token is a word or a number of the text.
type token struct {
	s, e     int    // rune offsets
	w        string // folded word, or "#" for a number
	o        string // the word as written, lower-case (number: its digits)
	num      int    // index into numbers, or -1
	boundary int    // strength of the boundary before this token
}

// cue is a catalog phrase as folded words.
type cue struct {
	words  []string
	phrase string // " w1 w2 … " for substring tests
}

// cueRef is a cue of one rule, indexed by its first word.
type cueRef struct {
	rule  int
	words []string
}

type indicatorRules struct {
	ind                         *Indicator
	after, before, not, context []cue
	require                     []string
}

// Extractor turns decoded text into facts. It is safe for concurrent use.
type Extractor struct {
	rules []indicatorRules
	// afterHeads are words that begin some after-cue; number words ("hai")
	// are read only in front of them.
	afterHeads map[string]bool
	// cues indexed by first word, so classifying a number looks only at the
	// cues that can start at each nearby token
	afterIdx, beforeIdx, notIdx map[string][]cueRef
}

// NewExtractor compiles the catalog's cues.
func NewExtractor(ref *Reference) *Extractor {
	x := &Extractor{afterHeads: map[string]bool{}, afterIdx: map[string][]cueRef{}, beforeIdx: map[string][]cueRef{}, notIdx: map[string][]cueRef{}}
	for i := range ref.Indicators {
		in := &ref.Indicators[i]
		r := indicatorRules{ind: in, after: cues(in.After), before: cues(in.Before), not: cues(in.Not), context: cues(in.Context)}
		for _, q := range in.Require {
			prefix := ""
			if strings.HasPrefix(q, "~") {
				prefix = "~"
			}
			r.require = append(r.require, prefix+strings.Join(cueWords(q), " "))
		}
		ri := len(x.rules)
		for _, c := range r.after {
			x.afterHeads[c.words[0]] = true
			x.afterIdx[c.words[0]] = append(x.afterIdx[c.words[0]], cueRef{ri, c.words})
		}
		for _, c := range r.before {
			x.beforeIdx[c.words[0]] = append(x.beforeIdx[c.words[0]], cueRef{ri, c.words})
		}
		for _, c := range r.not {
			x.notIdx[c.words[0]] = append(x.notIdx[c.words[0]], cueRef{ri, c.words})
		}
		x.rules = append(x.rules, r)
	}
	return x
}

func cues(ss []string) []cue {
	var out []cue
	for _, s := range ss {
		if w := cueWords(s); len(w) > 0 {
			out = append(out, cue{words: w, phrase: " " + strings.Join(w, " ") + " "})
		}
	}
	return out
}

// cueWords folds a phrase into the words the tokenizer produces.
func cueWords(s string) []string {
	f := foldASCII([]rune(NFC(s)))
	var out []string
	i := 0
	for i < len(f) {
		c := f[i]
		switch {
		case isTokWord(c):
			j := i
			for j < len(f) && isTokWord(f[j]) {
				j++
			}
			out = append(out, f[i:j])
			i = j
		case c == '%' || c == '/':
			out = append(out, string(c))
			i++
		default:
			i++
		}
	}
	return out
}

func isDigitByte(c byte) bool { return c >= '0' && c <= '9' }

func isTokWord(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '&' }

// foldASCII folds text to lower-case ASCII, one byte per rune, so regular
// expressions over it report rune offsets.
func foldASCII(rs []rune) string {
	b := make([]byte, len(rs))
	for i, r := range rs {
		f := foldRune(r)
		switch {
		case f < 0x80:
			b[i] = byte(f)
		case f == '–' || f == '—' || f == '−':
			b[i] = '-'
		case f == '“' || f == '”' || f == '„' || f == '«' || f == '»':
			b[i] = '"'
		case f == '‘' || f == '’':
			b[i] = '\''
		case f == '…':
			b[i] = '.'
		case unicode.IsSpace(f):
			b[i] = ' '
		case unicode.IsLetter(f):
			b[i] = 'x'
		default:
			b[i] = '~'
		}
	}
	return string(b)
}

// doc is the working state of one extraction.
type doc struct {
	runeText
	f       string
	nums    []Number
	toks    []token
	periods []periodMention
	places  []placeMention
	main63  string
	plain   bool // the text has no diacritics: compare folded words
	// tokInPeriod marks the tokens inside period phrases (built on first use)
	tokInPeriod []bool
	headings    []heading // period-naming section headings (built on first use)
	period      Period
	pub         time.Time
	// recent windows of paddedWords (valid while toks is unchanged)
	words     [4]wordsEntry
	wordsNext int
	// per-rule scratch of classify, reused from number to number
	after, before []float64
	beforeCue     [][]string
	vetoed        []bool
}

// Extract finds the facts of one document. id is the document key put on
// every fact.
func (x *Extractor) Extract(id string, t *Text) *Extraction {
	d := &doc{runeText: newRuneText(t.Body)}
	d.f = foldASCII(d.rs)
	d.nums = scanNumbers(d.rs, d.f)
	out := &Extraction{}
	if len(d.nums) > MaxNumbers {
		out.Notes = append(out.Notes, Note{Reason: fmt.Sprintf("too_many_numbers: %d numbers (limit %d)", len(d.nums), MaxNumbers), Reject: true})
		return out
	}
	d.tokenize(x)
	d.periods = findPeriods(d.f)
	d.pub = t.Published
	if d.pub.IsZero() {
		d.pub = publicationDate(d.f)
	}
	d.period = docPeriod(d.f, d.periods, d.pub)
	d.places = findPlaces(d.rs, d.f)
	d.main63 = docProvince(d.places)
	out.Period = d.period
	if d.main63 != "" {
		out.ProvinceCode, out.Province = resolveProvince(d.main63, d.period)
	}

	readings, consumed := x.tableReadings(id, d, out)
	for k := range d.toks {
		tk := &d.toks[k]
		if tk.num < 0 || consumed[tk.s] {
			continue
		}
		num := &d.nums[tk.num]
		if reason := d.skipReason(k, num); reason != "" {
			out.Notes = append(out.Notes, Note{Text: d.str(num.Start, num.UnitEnd), SpanStart: num.Start, SpanEnd: num.UnitEnd,
				Reason: reason, Reject: num.Kind == NumMalformed && d.countedNounAfter(k, x)})
			continue
		}
		best, bestScore, why := x.classify(d, k, num)
		if best == nil {
			out.Notes = append(out.Notes, Note{Text: d.str(num.Start, num.UnitEnd), SpanStart: num.Start, SpanEnd: num.UnitEnd, Reason: why})
			continue
		}
		if reason := d.contextVeto(k); reason != "" {
			out.Notes = append(out.Notes, Note{Text: d.str(num.Start, num.UnitEnd), SpanStart: num.Start, SpanEnd: num.UnitEnd,
				Reason: reason + " (" + best.Code + ")"})
			continue
		}
		p := d.factPeriod(k)
		if p.IsZero() {
			out.Notes = append(out.Notes, Note{Text: d.str(num.Start, num.UnitEnd), SpanStart: num.Start, SpanEnd: num.UnitEnd, Reason: "no_period (" + best.Code + ")"})
			continue
		}
		if d.main63 == "" {
			out.Notes = append(out.Notes, Note{Text: d.str(num.Start, num.UnitEnd), SpanStart: num.Start, SpanEnd: num.UnitEnd, Reason: "no_province (" + best.Code + ")"})
			continue
		}
		code, name := resolveProvince(d.main63, p)
		value := num.Value
		den := num.Denominator
		if best.Unit == "percent" && num.Kind == NumPercent {
			den = 0
		}
		qs, q := d.qualifier(k)
		if num.Kind == NumPlain && strings.Contains(num.Raw, "-") {
			q = AtLeast
		}
		spanStart := num.Start
		if qs >= 0 {
			spanStart = qs
		}
		readings = append(readings, Fact{
			Doc: id, ProvinceCode: code, Province: name, Period: p, Indicator: best.Code, Unit: best.Unit,
			Value: value, Denominator: den, Qualifier: q, Evidence: d.evidence(k),
			SpanStart: spanStart, SpanEnd: num.UnitEnd, Score: bestScore,
		})
	}
	out.Facts, out.Candidates = pickFacts(readings)
	return out
}

// tableReadings classifies the rows of flattened year-column tables. It
// returns the readings and the offsets of the numbers it consumed.
func (x *Extractor) tableReadings(id string, d *doc, out *Extraction) ([]Fact, map[int]bool) {
	rows := findTables(&d.runeText)
	if len(rows) == 0 || d.main63 == "" {
		return nil, nil
	}
	consumed := map[int]bool{}
	var facts []Fact
	for _, row := range rows {
		if row.index >= 0 {
			consumed[row.index] = true // the row number is no value
		}
		for ci, c := range row.values {
			consumed[c.s] = true
			sent, at := rowSentence(row.label.text, c.text)
			sd := &doc{runeText: newRuneText(sent)}
			sd.f = foldASCII(sd.rs)
			sd.nums = scanNumbers(sd.rs, sd.f)
			sd.tokenize(x)
			k := slices.IndexFunc(sd.toks, func(t token) bool { return t.s == at && t.num >= 0 })
			if k < 0 {
				continue
			}
			num := &sd.nums[sd.toks[k].num]
			ind, score, why := x.classify(sd, k, num)
			if ind == nil {
				out.Notes = append(out.Notes, Note{Text: c.text, SpanStart: c.s, SpanEnd: c.e, Reason: "table: " + why})
				continue
			}
			p := YearPeriod(row.years[ci])
			code, name := resolveProvince(d.main63, p)
			facts = append(facts, Fact{Doc: id, ProvinceCode: code, Province: name, Period: p, Indicator: ind.Code, Unit: ind.Unit,
				Value: num.Value, Denominator: num.Denominator, Qualifier: Exact,
				Evidence: fmt.Sprintf("%s (%d): %s", row.label.text, row.years[ci], c.text), SpanStart: c.s, SpanEnd: c.e, Score: score})
		}
	}
	return facts, consumed
}

// pickFacts keeps one value per indicator × period: the best-scored, the
// earliest on ties (reports state the headline figure first).
func pickFacts(rs []Fact) (facts, cands []Fact) {
	type key struct {
		ind        string
		start, end time.Time
	}
	best := map[key]int{}
	for i, f := range rs {
		k := key{f.Indicator, f.Period.Start, f.Period.End}
		j, ok := best[k]
		if !ok || f.Score > rs[j].Score+1e-9 {
			best[k] = i
		}
	}
	for i, f := range rs {
		k := key{f.Indicator, f.Period.Start, f.Period.End}
		if best[k] == i {
			facts = append(facts, f)
		} else if !(rs[best[k]].Value == f.Value) {
			cands = append(cands, f)
		}
	}
	sort.SliceStable(facts, func(i, j int) bool { return facts[i].SpanStart < facts[j].SpanStart })
	return facts, cands
}

// tokenize splits the text into words and number tokens with the strength
// of the punctuation between them.
func (d *doc) tokenize(x *Extractor) {
	f := d.f
	n := len(f)
	ni := 0
	boundary := bSentence
	d.toks = make([]token, 0, n/3+16) // at most about one token per three bytes of text
	for i := 0; i < n; {
		if ni < len(d.nums) && d.nums[ni].Start == i {
			num := d.nums[ni]
			if num.Kind == NumCode {
				// "5G", "4.0": words for cue matching, never values
				w := strings.Map(func(r rune) rune {
					if r < 0x80 && isTokWord(byte(r)) {
						return r
					}
					return -1
				}, f[num.Start:num.UnitEnd])
				d.toks = append(d.toks, token{s: num.Start, e: num.UnitEnd, w: w, num: -1, boundary: boundary})
				boundary = bNone
				i = num.UnitEnd
				ni++
				continue
			}
			d.toks = append(d.toks, token{s: num.Start, e: num.UnitEnd, w: "#", num: ni, boundary: boundary})
			boundary = bNone
			i = num.UnitEnd
			ni++
			for ni < len(d.nums) && d.nums[ni].Start < i {
				ni++
			}
			continue
		}
		c := f[i]
		switch {
		case isTokWord(c):
			j := i
			for j < n && isTokWord(f[j]) && !(ni < len(d.nums) && d.nums[ni].Start == j) {
				j++
			}
			if j == i {
				j++
			}
			d.toks = append(d.toks, token{s: i, e: j, w: f[i:j], num: -1, boundary: boundary})
			boundary = bNone
			i = j
			continue
		case c == '%' || c == '/':
			d.toks = append(d.toks, token{s: i, e: i + 1, w: string(c), num: -1, boundary: boundary})
			boundary = bNone
		case c == '\n':
			// a line wrapped mid-sentence (text from PDFs) goes on in lower
			// case after a word; anything else ends the sentence
			if !d.wrappedLine(i) {
				boundary = bSentence
			}
		case c == '!' || c == '?':
			boundary = bSentence
		case c == '.':
			if i+1 >= n || f[i+1] == ' ' || f[i+1] == '\n' || f[i+1] == '.' {
				boundary = max(boundary, bSentence)
			}
		case c == ';' || c == '-' && i > 1 && f[i-1] == ' ' && i+2 < n && f[i+1] == ' ' && !(isDigitByte(f[i-2]) && isDigitByte(f[i+2])):
			boundary = max(boundary, bStrong)
		case c == ':':
			// "Số trạm BTS: 1.234 trạm" is one clause; "…phát triển mới: toàn
			// tỉnh có …" starts another
			if j := skipBlanks(f, i+1); j >= n || !isDigitByte(f[j]) {
				boundary = max(boundary, bClause)
			}
		case c == ',' || c == '(' || c == ')' || c == '"' || c == '[' || c == ']' || c == '*':
			boundary = max(boundary, bClause)
		}
		i++
	}
	d.plain = true
	for k := range d.toks {
		t := &d.toks[k]
		t.o = strings.ToLower(d.str(t.s, t.e))
		if t.num >= 0 {
			t.o = d.nums[t.num].Raw
		} else if d.plain && hasDiacritics(t.o) {
			d.plain = false
		}
	}
	// number words in front of a counted noun: "hai cuộc thanh tra",
	// "mười hai lớp tập huấn"
	// toks stays nil (d.toks is kept) until a run of words becomes a number.
	var toks []token
	for k := 0; k < len(d.toks); k++ {
		t := d.toks[k]
		if t.num >= 0 || !d.isNumberWord(t) {
			if toks != nil {
				toks = append(toks, t)
			}
			continue
		}
		j := k // the run of number words k..j
		for j+1 < len(d.toks) && d.toks[j+1].boundary == bNone && d.toks[j+1].num < 0 && d.isNumberWord(d.toks[j+1]) {
			j++
		}
		v, ok := parseNumberWords(d.wordsOf(k, j))
		next := j + 1
		if !ok || next >= len(d.toks) || d.toks[next].boundary != bNone || !x.afterHeads[d.toks[next].w] || idiomAfterNumberWord[d.toks[next].w] ||
			j == k && t.w == "nam" && d.toks[next].num >= 0 {
			if toks != nil {
				toks = append(toks, d.toks[k:j+1]...)
			}
			k = j
			continue
		}
		if toks == nil {
			toks = append(make([]token, 0, len(d.toks)), d.toks[:k]...)
		}
		d.nums = append(d.nums, Number{Start: t.s, End: d.toks[j].e, UnitEnd: d.toks[j].e, Raw: string(d.rs[t.s:d.toks[j].e]), Value: v, Kind: NumPlain, Scale: 1, Word: true})
		toks = append(toks, token{s: t.s, e: d.toks[j].e, w: "#", o: strings.ToLower(string(d.rs[t.s:d.toks[j].e])), num: len(d.nums) - 1, boundary: t.boundary})
		k = j
	}
	if toks != nil {
		d.toks = toks
	}
	d.words = [4]wordsEntry{}
}

// idiomAfterNumberWord: "một phần" (partly), "một số" (some), "một cửa"
// (one-stop) are phrases, not counts.
var idiomAfterNumberWord = map[string]bool{"phan": true, "so": true, "cua": true, "cach": true, "khi": true}

// numberWordValues are the written Vietnamese number words.
var numberWordValues = map[string]float64{
	"một": 1, "mốt": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "lăm": 5, "sáu": 6, "bảy": 7, "tám": 8, "chín": 9,
	"mười": 10, "mươi": -10, "trăm": -100, "nghìn": -1000, "ngàn": -1000, "linh": 0, "lẻ": 0,
}

var numberWordsFolded = func() map[string]string {
	m := map[string]string{}
	for w := range numberWordValues {
		if f := Fold(w); m[f] == "" {
			m[f] = w
		}
	}
	m["muoi"] = "mười" // both mười and mươi fold to muoi; read as ten
	return m
}()

func (d *doc) isNumberWord(t token) bool {
	if _, ok := numberWordValues[t.o]; ok {
		return true
	}
	return d.plain && numberWordsFolded[t.w] != ""
}

// wordsOf returns the written words of tokens a..b, un-folded for texts
// without diacritics.
func (d *doc) wordsOf(a, b int) []string {
	var out []string
	for i := a; i <= b; i++ {
		w := d.toks[i].o
		if _, ok := numberWordValues[w]; !ok && d.plain {
			w = numberWordsFolded[d.toks[i].w]
		}
		out = append(out, w)
	}
	return out
}

// parseNumberWords reads "mười hai" (12), "hai mươi lăm" (25), "một trăm
// linh năm" (105), "ba nghìn" (3000).
func parseNumberWords(ws []string) (float64, bool) {
	total, group, last := 0.0, 0.0, 0.0
	for i, w := range ws {
		v, ok := numberWordValues[w]
		if !ok {
			return 0, false
		}
		switch {
		case v > 0 && w != "mười":
			group += v
			last = v
		case w == "mười":
			group += 10
			last = 0
		case v == -10: // mươi
			if last == 0 {
				return 0, false
			}
			group += last * 9
			last = 0
		case v == -100: // trăm
			if i == 0 {
				return 0, false
			}
			group *= 100
			last = 0
		case v == -1000:
			if i == 0 {
				return 0, false
			}
			total += group * 1000
			group, last = 0, 0
		}
	}
	if total+group == 0 {
		return 0, false
	}
	return total + group, true
}

// wrappedLine reports whether the newline at offset i continues a sentence:
// the line before ends in a letter or digit and the next starts in lower case.
func (d *doc) wrappedLine(i int) bool {
	p := i - 1
	for p >= 0 && (d.rs[p] == ' ' || d.rs[p] == '\t' || d.rs[p] == '\r') {
		p--
	}
	q := i + 1
	for q < len(d.rs) && (d.rs[q] == ' ' || d.rs[q] == '\t') {
		q++
	}
	if p < 0 || q >= len(d.rs) {
		return false
	}
	prev, next := d.rs[p], d.rs[q]
	if q+1 < len(d.rs) && (d.rs[q+1] == ')' || d.rs[q+1] == '.') {
		return false // "a) …", "b. …": a list item starts
	}
	if unicode.IsLower(next) {
		return unicode.IsLetter(prev) || isDigit(prev) || prev == ','
	}
	// "… hiện có\n1.730 trạm": a number after a line that stops mid-phrase
	return isDigit(next) && unicode.IsLower(prev)
}

// words of reference numbers: a number right after these is an ID, a rank,
// a level or an ordinal, not a quantity. Keyed by the written word, since
// folding merges "mục" (section) with "mức" (level of an amount).
var refWords = wordSet("số luật điều khoản mục chương top tốp thứ hạng lần khóa khoá phiên kỳ ngày tháng năm quý giờ phút covid tuổi km phòng tầng vòng lô đường ql tl đt")

// refPairs are document types: the number after them is an ID ("Nghị quyết
// 17", "Quyết định 749") while "giải quyết 120 hồ sơ" counts.
var refPairs = wordSet("nghị_quyết quyết_định nghị_định thông_tư chỉ_thị công_văn kế_hoạch đề_án văn_bản phụ_lục")

var refPairsFolded = func() map[string]bool {
	m := map[string]bool{}
	for w := range refPairs {
		m[Fold(w)] = true
	}
	return m
}()

// calendarWords name a day, month or quarter only with a small number after them.
var calendarWords = wordSet("ngày tháng quý")

// time and age units: "3 năm liên tục", "60 giây"
var timeUnits = wordSet("năm tháng ngày giờ phút tuần quý tuổi")

// wordSet maps written words, and their folded forms for texts without
// diacritics, to true. "_" joins the words of a phrase.
func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		w = strings.ReplaceAll(w, "_", " ")
		m[w] = true
	}
	return m
}

// is reports whether token k's word is in set, comparing folded forms only
// for texts without diacritics.
func (d *doc) is(k int, set map[string]bool) bool {
	if k < 0 || k >= len(d.toks) {
		return false
	}
	t := d.toks[k]
	if set[t.o] {
		return true
	}
	if d.plain {
		for w := range set {
			if Fold(w) == t.w {
				return true
			}
		}
	}
	return false
}

// skipReason says why a number token cannot be a value, or "".
func (d *doc) skipReason(k int, num *Number) string {
	switch num.Kind {
	case NumYear:
		return "year"
	case NumDate:
		return "date"
	case NumTime:
		return "time"
	case NumDocRef:
		return "document_number"
	case NumCode:
		return "code"
	case NumMalformed:
		return "malformed_number: a '.' must group exactly three digits"
	}
	if !num.Word && num.Value == 0 && num.Kind != NumPercent {
		return "zero"
	}
	if k > 1 && d.toks[k].boundary == bNone && d.toks[k-1].boundary == bNone && d.toks[k-1].w == "do" && (d.toks[k-2].w == "muc" || d.toks[k-2].w == "cap") {
		return "reference_number" // "mức độ 3": a level
	}
	if k > 1 && d.toks[k].boundary == bNone && d.toks[k-1].boundary == bNone && (refPairs[d.toks[k-2].o+" "+d.toks[k-1].o] ||
		d.plain && refPairsFolded[d.toks[k-2].w+" "+d.toks[k-1].w]) {
		return "reference_number"
	}
	if k > 0 && d.toks[k].boundary == bNone && d.is(k-1, refWords) && !d.afterColon(k) &&
		!(d.is(k-1, calendarWords) && (num.Value > 31 || strings.ContainsAny(num.Raw, ".,"))) { // "6 tháng 9.236 hồ sơ"
		// "Nghị quyết số 17", "lần thứ 2", "Top 10", "ngày 15", "mức độ 3"
		if d.toks[k-1].w != "so" || d.refBeforeSo(k) {
			return "reference_number"
		}
	}
	if k+1 < len(d.toks) && d.toks[k+1].boundary == bNone && d.is(k+1, timeUnits) && num.Kind == NumPlain {
		// "02 năm liên tục", "30 ngày" — but not "5 năm 2020"
		return "duration"
	}
	return ""
}

// afterColon reports whether the number at token k follows "Label:"
// (possibly with a qualifier between: "Lượt học viên: trên 900 lượt").
func (d *doc) afterColon(k int) bool {
	i := d.toks[k].s - 1
	for q := k - 1; q >= 0 && i >= 0; q-- {
		for i >= 0 && (d.rs[i] == ' ' || d.rs[i] == '\t') {
			i--
		}
		if i >= 0 && d.rs[i] == ':' {
			return true
		}
		if !qualifierWords[d.toks[q].w] || d.toks[q].e != i+1 {
			return false
		}
		i = d.toks[q].s - 1
	}
	return false
}

var qualifierWords = map[string]bool{"hon": true, "tren": true, "gan": true, "khoang": true, "duoi": true, "uoc": true, "xap": true, "xi": true, "toi": true, "thieu": true, "da": true, "it": true, "nhat": true}

// refBeforeSo decides whether "số N" is a document number ("Quyết định số
// 17") rather than "tổng số N" (a total).
func (d *doc) refBeforeSo(k int) bool {
	for j := k - 2; j >= 0 && j >= k-4; j-- {
		switch d.toks[j].w {
		case "tong", "co", "voi", "dat", "la", "luong", "trong":
			return false
		case "quyet", "dinh", "thu", "tu", "nghi", "van", "ban", "cong", "ke", "hoach", "chi", "thi", "hieu", "luat", "dan":
			return true
		}
	}
	return false
}

// countedNounAfter reports whether a counted noun of some indicator follows
// token k (so a malformed "1.60 trạm BTS" is a data error worth a reject).
func (d *doc) countedNounAfter(k int, x *Extractor) bool {
	return k+1 < len(d.toks) && d.toks[k+1].boundary == bNone && x.afterHeads[d.toks[k+1].w]
}

// fillers may sit between a cue and its number without weakening the link.
var fillers = map[string]bool{
	"la": true, "dat": true, "co": true, "duoc": true, "voi": true, "len": true, "toi": true, "hien": true, "nay": true,
	"khoang": true, "hon": true, "tren": true, "gan": true, "xap": true, "xi": true, "uoc": true, "tinh": true, "tong": true,
	"cong": true, "so": true, "da": true, "cho": true, "gom": true, "toan": true, "bo": true, "cua": true,
	"phat": false, "nang": true, "tong so": true, "it": true, "nhat": true, "toi thieu": true, "duoi": true, "chung": true, "thieu": true,
	"muc": false, "cac": true, "nhung": true, "moi": false, "ty": true, "ti": true, "le": true,
	"dia": true, "ban": true, "thanh": true, "pho": true, "dang": true, "trong": true, "tai": true,
}

// classify scores every indicator for the number at token k and returns the
// best one with its score, or nil and the reason.
func (x *Extractor) classify(d *doc, k int, num *Number) (*Indicator, float64, string) {
	// the clause around k, its ";"-segment and the sentence (token bounds)
	cl, cr := d.bounds(k, bClause)
	// a "sentence" is capped at 60 tokens either side: a text without
	// full stops must not make classification quadratic
	sl, sr := d.bounds(k, bSentence)
	gl, gr := d.bounds(k, bStrong)
	sentence := d.paddedWords(sl, sr)
	segment := d.paddedWords(gl, gr)
	clause := d.wordsString(cl, cr)
	n := len(x.rules)
	if len(d.after) != n {
		d.after, d.before, d.beforeCue, d.vetoed = make([]float64, n), make([]float64, n), make([][]string, n), make([]bool, n)
	}
	after, before, beforeCue, vetoed := d.after, d.before, d.beforeCue, d.vetoed
	clear(after)
	clear(before)
	clear(beforeCue)
	clear(vetoed)

	// after-cues: right after the number (position 0), or one filler later
	for pos := 0; pos <= 1; pos++ {
		j := k + 1 + pos
		if j >= len(d.toks) || d.toks[j].boundary >= bClause {
			break // "45; điểm bưu điện …" names the next value
		}
		if pos > 0 && !fillers[d.toks[k+1].w] {
			break
		}
		for _, c := range x.afterIdx[d.toks[j].w] {
			if d.matchAt(j, c.words, sr) {
				sc := 3 + 0.6*float64(len(c.words))
				if pos > 0 {
					sc *= 0.7
				}
				after[c.rule] = math.Max(after[c.rule], sc)
			}
		}
	}
	// an after-cue later in the clause: "142/142 xã … có Tổ công nghệ số"
	if coverageHead(d, k, num) {
		for pos := 2; pos <= 8 && k+pos <= sr; pos++ {
			j := k + pos
			if d.toks[j].num >= 0 || d.toks[j].boundary >= bStrong {
				break
			}
			for _, c := range x.afterIdx[d.toks[j].w] {
				if after[c.rule] == 0 && d.matchAt(j, c.words, sr) {
					after[c.rule] = 1.5 + 0.3*float64(len(c.words))
				}
			}
		}
	}
	// before-cues: in the clause (full weight, decaying with distance) or
	// earlier in the sentence (less), scanning back from the number so the
	// nearest occurrence of each cue counts
	decay := 3.0
	if num.Kind == NumPercent {
		decay = 10 // "… mức độ 4 theo Nghị quyết … (đạt 32,4%)"
	}
	// "Label: value" lines: the label names the value, so its cues count
	// at no distance and its after-cues ("Lượt học viên: 900") as well
	kv := d.afterColon(k)
	labelStart := k
	if kv {
		for labelStart > sl && d.toks[labelStart].boundary < bStrong && !d.lineBreakBefore(labelStart) {
			labelStart--
		}
		for j := labelStart; j < k; j++ {
			for _, c := range x.afterIdx[d.toks[j].w] {
				if j+len(c.words) <= k && d.matchAt(j, c.words, k-1) {
					before[c.rule] = math.Max(before[c.rule], 2+0.6*float64(len(c.words)))
				}
			}
		}
	}
	dist := 0 // non-filler tokens between the cue's end and the number
	for j := k - 1; j >= sl && j >= k-40; j-- {
		for _, c := range x.beforeIdx[d.toks[j].w] {
			end := j + len(c.words) - 1
			if end >= k || !d.matchAt(j, c.words, k-1) {
				continue
			}
			cd := dist - d.nonFillers(j+1, end) // tokens of the cue itself don't count
			if kv && j >= labelStart {
				cd = 0
			}
			w := (2 + 0.6*float64(len(c.words))) / (1 + float64(max(cd, 0))/decay)
			if end < cl {
				switch num.Kind {
				case NumPercent:
					w *= 0.8 // "…, đạt 72,8%": a share refers back across commas
				case NumMoney, NumRate:
					w *= 0.5
				default:
					w *= 0.3
				}
			}
			// the unit noun echoes the cue: "trạm … lên 1.245 trạm"
			if k+1 <= cr && d.toks[k+1].w == c.words[0] && len(c.words) > 1 {
				w += 1.5
			}
			if w > before[c.rule] {
				before[c.rule], beforeCue[c.rule] = w, c.words
			}
		}
		if !fillers[d.toks[j].w] && !d.inPeriod(j) {
			dist++
		}
	}
	// vetoes near the number: the left window stops at "và" or a comma
	// ("862 … cá nhân và 204 …"), the right one at "và" or the next number
	lo := k
	for lo > max(cl, k-6) && d.toks[lo-1].w != "va" && d.toks[lo].boundary < bClause {
		lo--
	}
	hi := k
	for hi < min(cr, k+6) && d.toks[hi+1].w != "va" && d.toks[hi+1].num < 0 {
		hi++
	}
	for j := lo; j <= hi; j++ {
		if j == k {
			continue
		}
		for _, c := range x.notIdx[d.toks[j].w] {
			if !vetoed[c.rule] && d.matchAt(j, c.words, cr) {
				vetoed[c.rule] = true
			}
		}
	}

	var best *Indicator
	bestScore := 0.0
	why := "no_indicator_cue"
	headIsOther := !kv && k+1 <= cr && d.toks[k+1].num < 0 && !fillers[d.toks[k+1].w] && !neutralAfter[d.toks[k+1].w] && !coverageHead(d, k, num)
	for ri := range x.rules {
		r := &x.rules[ri]
		afterScore, beforeScore := after[ri], before[ri]
		if afterScore == 0 && beforeScore == 0 {
			continue
		}
		if !unitFits(r.ind.Unit, num) || r.ind.Unit == "percent" && num.Kind == NumRatio {
			continue
		}
		if v := num.Value; r.ind.Max > 0 && (v < r.ind.Min || v > r.ind.Max) {
			continue
		}
		if len(r.require) > 0 && !requireMet(r.require, sentence, clause) {
			continue
		}
		// a different counted noun right after the number ("02 tổ chức")
		// means the left cue describes something else
		if afterScore == 0 && headIsOther && !slices.Contains(beforeCue[ri], d.toks[k+1].w) {
			beforeScore *= 0.3
		}
		if vetoed[ri] {
			why = "vetoed (" + r.ind.Code + ")"
			continue
		}
		ctx := 0.0
		for _, c := range r.context {
			switch {
			case strings.Contains(segment, c.phrase):
				ctx += 0.75 // in the same ";"-segment as the number
			case strings.Contains(sentence, c.phrase):
				ctx += 0.25
			}
		}
		score := afterScore + beforeScore + math.Min(ctx, 1.5)
		if score < 2.0 {
			why = fmt.Sprintf("weak_cue (%s %.1f)", r.ind.Code, score)
			continue
		}
		if score > bestScore {
			best, bestScore = r.ind, score
		}
	}
	if best == nil {
		return nil, 0, why
	}
	return best, bestScore, ""
}

// bounds returns the token range around k up to boundaries of strength b
// (a clause, a ";"-segment, a sentence), at most sentenceCap tokens either
// side so that a text without full stops stays linear.
func (d *doc) bounds(k, b int) (lo, hi int) {
	lo, hi = k, k
	for lo > 0 && k-lo < sentenceCap && d.toks[lo].boundary < b {
		lo--
	}
	for hi+1 < len(d.toks) && hi-k < sentenceCap && d.toks[hi+1].boundary < b {
		hi++
	}
	return lo, hi
}

// sentenceCap bounds how far, in tokens, a sentence reaches around a number.
const sentenceCap = 60

// lineBreakBefore reports whether a newline precedes token k directly.
func (d *doc) lineBreakBefore(k int) bool {
	for i := d.toks[k].s - 1; i >= 0; i-- {
		switch d.rs[i] {
		case '\n':
			return true
		case ' ', '\t', '-', '+', '*', '•':
			continue
		}
		return false
	}
	return true
}

// nonFillers counts the non-filler tokens in [a, b].
func (d *doc) nonFillers(a, b int) int {
	n := 0
	for m := a; m <= b && m < len(d.toks); m++ {
		if !fillers[d.toks[m].w] && !d.inPeriod(m) {
			n++
		}
	}
	return n
}

// inPeriod reports whether token m is part of a period phrase ("năm
// 2019"), which sits between a cue and its number without weakening them.
func (d *doc) inPeriod(m int) bool {
	if d.tokInPeriod == nil {
		d.tokInPeriod = make([]bool, len(d.toks))
		for _, p := range d.periods {
			for i := d.tokenAt(p.start); i < len(d.toks) && d.toks[i].e <= p.end; i++ {
				d.tokInPeriod[i] = true
			}
		}
	}
	return d.tokInPeriod[m]
}

// neutralAfter are words that may follow a number without naming what is
// counted ("đạt 72,8% so với", "164,5 triệu đồng và").
var neutralAfter = map[string]bool{
	"so": true, "va": true, "trong": true, "tang": true, "giam": true, "nam": true, "tai": true, "tren": true, "o": true,
	"theo": true, "tu": true, "den": true, "vao": true, "nhu": true, "thi": true, "ma": true, "nen": true, "nhung": true,
	"tb": true, "thue": true, "bao": true, "tro": true, "ve": true, "/": true, "tong": true,
	"cuoc": true, "luot": true, "chiec": true, "cai": true, // unit classifiers: "03 cuộc"
}

// coverageHead is true for "142/142 xã" and "100% khu dân cư": a share of
// administrative units, whose indicator is named later in the clause.
func coverageHead(d *doc, k int, num *Number) bool {
	if num.Kind != NumRatio && num.Kind != NumPercent || k+1 >= len(d.toks) {
		return false
	}
	return coverageNouns[d.toks[k+1].w]
}

var coverageNouns = map[string]bool{"ap": true, "lang": true, "may": true, "xa": true, "phuong": true, "thi": true, "huyen": true, "don": true, "co": true, "quan": true, "khu": true, "thon": true, "ban": true, "to": true, "truong": true, "so": true, "nganh": true, "dia": true}

func unitFits(unit string, num *Number) bool {
	switch unit {
	case "percent":
		return num.Kind == NumPercent
	case "vnd":
		return num.Kind == NumMoney || num.Kind == NumPlain && num.Scale >= 1e6
	case "per_100_residents":
		return num.Kind == NumRate
	default: // count
		return num.Kind == NumPlain && num.Value == math.Trunc(num.Value) || num.Kind == NumRatio
	}
}

// requireMet checks an indicator's required words: in the sentence, or in
// the clause for words marked "~" ("~moi": new BTS sites need "mới" in the
// clause itself).
func requireMet(req []string, sentence, clause string) bool {
	for _, x := range req {
		if w, ok := strings.CutPrefix(x, "~"); ok {
			if strings.Contains(" "+clause+" ", " "+w+" ") {
				return true
			}
		} else if strings.Contains(sentence, x) {
			return true
		}
	}
	return false
}

// matchAt reports whether words match the tokens starting at j, all within
// the same clause and not past token limit.
func (d *doc) matchAt(j int, words []string, limit int) bool {
	if j < 0 || j+len(words)-1 > limit || j+len(words) > len(d.toks) {
		return false
	}
	for i, w := range words {
		t := d.toks[j+i]
		if t.w != w && !(t.num >= 0 && t.o == w) {
			return false
		}
		if i > 0 && t.boundary >= bStrong {
			return false
		}
	}
	return true
}

// wordsString is the tokens a..b as one string of folded words (numbers
// as written).
func (d *doc) wordsString(a, b int) string {
	p := d.paddedWords(a, b)
	return p[1 : len(p)-1]
}

// paddedWords is wordsString with a space either side, for whole-word
// substring tests. The numbers of a sentence ask for the same windows one
// after another, so the last few are cached.
func (d *doc) paddedWords(a, b int) string {
	k := [2]int{a, b}
	for _, c := range d.words {
		if c.s != "" && c.k == k {
			return c.s
		}
	}
	var sb strings.Builder
	sb.WriteByte(' ')
	for i := a; i <= b && i < len(d.toks); i++ {
		if i > a {
			sb.WriteByte(' ')
		}
		if d.toks[i].num >= 0 {
			sb.WriteString(d.toks[i].o)
		} else {
			sb.WriteString(d.toks[i].w)
		}
	}
	sb.WriteByte(' ')
	s := sb.String()
	d.words[d.wordsNext] = wordsEntry{k, s}
	d.wordsNext = (d.wordsNext + 1) % len(d.words)
	return s
}

// wordsEntry is one cached window of paddedWords.
type wordsEntry struct {
	k [2]int
	s string
}

var (
	planWords = [][]string{{"phan", "dau"}, {"ke", "hoach"}, {"muc", "tieu"}, {"chi", "tieu"}, {"du", "kien"}, {"dinh", "huong"}, {"se"}, {"de", "ra"}, {"dat", "ra"}, {"du", "bao"}, {"tam", "nhin"}, {"phuong", "huong"}}
	// strongPlanWords make a whole sentence a plan up to the number
	strongPlanWords = [][]string{{"xay", "dung", "ke", "hoach"}, {"phan", "dau"}, {"du", "kien"}, {"dinh", "huong"}, {"phuong", "huong"}, {"tam", "nhin"}, {"muc", "tieu"}}
	nationalWords   = [][]string{{"ca", "nuoc"}, {"toan", "quoc"}, {"cac", "tinh"}, {"63", "tinh"}, {"34", "tinh"}, {"toan", "vung"}, {"ca", "vung"},
		{"tay", "nguyen"}, {"dong", "bang", "song"}, {"trung", "du", "mien", "nui"}, {"bac", "trung", "bo"}, {"duyen", "hai"}, {"nam", "bo"}, {"khu", "vuc", "phia"}}
)

// contextVeto rejects a classified number whose clause is a plan or target,
// a national figure or another province's figure.
func (d *doc) contextVeto(k int) string {
	cl, cr := d.bounds(k, bClause)
	if n := d.toks[k].num; n >= 0 && d.nums[n].Kind == NumPercent {
		// "tăng 15%", "đạt 105% so với kế hoạch": a growth or plan ratio, not a share
		if k > 0 && d.toks[k].boundary == bNone && (d.toks[k-1].o == "tăng" || d.toks[k-1].o == "giảm" || d.plain && (d.toks[k-1].w == "tang" || d.toks[k-1].w == "giam")) {
			return "growth_rate"
		}
		if k+2 < len(d.toks) && d.toks[k+1].boundary == bNone && d.toks[k+1].w == "so" && d.toks[k+2].w == "voi" {
			return "growth_rate"
		}
	}
	for j := max(cl, k-8); j < k; j++ {
		for _, p := range planWords {
			if d.matchAt(j, p, k-1) && (len(p) > 1 || d.plain || d.toks[j].o == "sẽ") {
				return "plan_or_target" // "sẽ" only as written: "chia sẻ" folds alike
			}
		}
	}
	sl := k
	for sl > 0 && d.toks[sl].boundary < bStrong && k-sl < 12 {
		sl--
	}
	if d.achievedAside(k) {
		sl = k // "(đạt 32,4%)": a result noted beside a target
	}
	for j := sl; j < k; j++ {
		for _, p := range strongPlanWords {
			if d.matchAt(j, p, k-1) {
				return "plan_or_target"
			}
		}
	}
	for j := cl; j <= cr; j++ {
		for _, p := range nationalWords {
			if d.matchAt(j, p, cr) {
				return "national_figure"
			}
		}
	}
	// a future year in the clause: "đến năm 2025 đạt 100%"
	if !d.period.IsZero() {
		for _, m := range d.periods[d.periodAt(d.toks[cl].s):] {
			if m.start > d.toks[cr].e {
				break
			}
			if m.start >= d.toks[cl].s && m.end <= d.toks[cr].e && !m.yearless && m.period.Start.After(d.period.End) {
				return "future_period"
			}
		}
	}
	if d.main63 != "" {
		mainNow, _ := resolveProvince(d.main63, d.period)
		for _, pm := range d.places[d.placeAt(d.toks[cl].s):] {
			if pm.start > d.toks[cr].e {
				break
			}
			if pm.start < d.toks[cl].s || pm.end > d.toks[cr].e || pm.kind == "city" || pm.kind == "domain" {
				continue // city names are too often people's names to veto a value
			}
			if c, _ := resolveProvince(pm.code, d.period); c != mainNow {
				return "other_province"
			}
		}
	}
	return ""
}

// achievedAside reports "(đạt X)": a bracketed note of what was achieved.
func (d *doc) achievedAside(k int) bool {
	if k == 0 || d.toks[k-1].w != "dat" {
		return false
	}
	i := d.toks[k-1].s - 1
	for i >= 0 && d.rs[i] == ' ' {
		i--
	}
	return i >= 0 && d.rs[i] == '('
}

// factPeriod resolves the period of the value at token k: a period named
// right after it ("3.210 trạm năm 2020"), an earlier period named just
// before it for comparison, a period phrase leading its sentence, or the
// document's period.
func (d *doc) factPeriod(k int) Period {
	numStart, numEnd := d.toks[k].s, d.toks[k].e
	sl, _ := d.bounds(k, bSentence)
	sentStart := d.toks[sl].s
	cl, _ := d.bounds(k, bClause)
	clauseStart := d.toks[cl].s
	// right after the value and its noun, in the same clause
	for i := d.periodAt(numEnd); i < len(d.periods); i++ {
		m := &d.periods[i]
		if m.start-numEnd >= 30 {
			break
		}
		if m.yearless || m.plan || m.since || m.period.Grain == GrainRange {
			continue
		}
		if m.start-numEnd < 30 && d.tokensBetween(numEnd, m.start) <= 2 && !d.boundaryBetween(numEnd, m.start, bClause) {
			return d.anchor(m)
		}
		break
	}
	var near *periodMention
	for i := d.periodAt(sentStart); i < len(d.periods); i++ {
		m := &d.periods[i]
		if m.start >= numStart {
			break
		}
		if m.end > numStart {
			continue
		}
		if closesBetween(d.rs, m.end, numStart) {
			near = nil // "(năm 2016 là 651 trạm), … 53 vị trí": the bracket is over
			continue
		}
		near = m // the last one before the number in the sentence
	}
	if near == nil {
		// a section heading ("Kết quả tháng 3/2024:") governs its lines
		if h := d.headingPeriod(numStart); !h.IsZero() {
			return h
		}
		return d.period
	}
	if near.plan || near.since {
		return d.period
	}
	if near.asOf && !d.period.IsZero() && d.anchor(near).End.Equal(d.period.End) {
		return d.period // a stock at the end of the reported period
	}
	p := d.anchor(near)
	if p.IsZero() {
		return Period{}
	}
	if near.compare {
		// "cùng kỳ năm 2019 là 1.200": only the value right after it
		if !d.boundaryBetween(near.end, numStart, bStrong) && (near.start >= clauseStart || d.tokensBetween(near.end, numStart) <= 3) {
			if p.Grain == GrainYear && d.period.Grain != GrainYear && !d.period.IsZero() {
				return d.period.withYear(p.End.Year())
			}
			return p
		}
		return d.period
	}
	if p.Grain == GrainYear && !d.period.IsZero() && d.period.Grain != GrainYear && d.period.Grain != GrainRange && p.End.Year() == d.period.End.Year() {
		return d.period // "năm 2020" inside a half-year review of 2020
	}
	if !d.pub.IsZero() && p.Start.After(d.pub) {
		return d.period
	}
	return p
}

// headingPeriod returns the period named by the section heading whose
// block contains offset i: a short line ending in ":" or without a full
// stop, that names a period, followed by lines up to the next blank line.
func (d *doc) headingPeriod(i int) Period {
	if d.headings == nil {
		d.headings = []heading{}
		start := 0
		for _, line := range strings.SplitAfter(d.body, "\n") {
			n := len([]rune(line))
			text := strings.TrimSpace(line)
			first, _ := utf8.DecodeRuneInString(text)
			isHeading := n > 0 && n <= 120 && text != "" && (strings.HasSuffix(text, ":") || !strings.ContainsAny(text, ".;")) &&
				(unicode.IsUpper(first) || unicode.IsDigit(first)) && // not a wrapped continuation
				!(start > 0 && d.wrappedLine(start-1))
			if isHeading {
				for j := d.periodAt(start); j < len(d.periods) && d.periods[j].end <= start+n; j++ {
					m := &d.periods[j]
					if !m.plan && !m.since && !m.compare && !m.aside {
						d.headings = append(d.headings, heading{start: start, end: start + n, m: m})
					}
				}
			}
			start += n
		}
	}
	var best *heading
	for k := range d.headings {
		h := &d.headings[k]
		if h.end > i {
			break
		}
		best = h
	}
	if best == nil || d.blankLineBetween(best.end, i) {
		return Period{}
	}
	return d.anchor(best.m)
}

type heading struct {
	start, end int
	m          *periodMention
}

// blankLineBetween reports whether an empty line separates offsets a and z.
func (d *doc) blankLineBetween(a, z int) bool {
	nl := false
	for k := a; k < z && k < len(d.rs); k++ {
		switch r := d.rs[k]; {
		case r == '\n':
			if nl {
				return true
			}
			nl = true
		case r != ' ' && r != '\t' && r != '\r':
			nl = false
		}
	}
	return false
}

// anchor gives a yearless mention the document's year.
func (d *doc) anchor(m *periodMention) Period {
	if !m.yearless {
		return m.period
	}
	if d.period.IsZero() {
		return Period{}
	}
	return m.period.withYear(d.period.End.Year() + m.relative)
}

// boundaryBetween reports whether a boundary of at least strength b lies
// between offsets a and z.
func (d *doc) boundaryBetween(a, z, b int) bool {
	for _, t := range d.toks[d.tokenAt(a+1):] {
		if t.s > z {
			break
		}
		if t.s > a && t.boundary >= b {
			return true
		}
	}
	return false
}

// periodAt is the index of the first period mention starting at or after i.
func (d *doc) periodAt(i int) int {
	return sort.Search(len(d.periods), func(k int) bool { return d.periods[k].start >= i })
}

// placeAt is the index of the first place mention starting at or after i.
func (d *doc) placeAt(i int) int {
	return sort.Search(len(d.places), func(k int) bool { return d.places[k].start >= i })
}

// tokenAt is the index of the first token starting at or after offset i.
func (d *doc) tokenAt(i int) int {
	return sort.Search(len(d.toks), func(k int) bool { return d.toks[k].s >= i })
}

// closesBetween reports whether a bracket opened before a closes between
// offsets a and z.
func closesBetween(rs []rune, a, z int) bool {
	depth := 0
	for i := a; i < z && i < len(rs); i++ {
		switch rs[i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth < 0 {
				return true
			}
		}
	}
	return false
}

// tokensBetween counts the non-filler tokens between two offsets.
func (d *doc) tokensBetween(a, b int) int {
	n := 0
	for _, t := range d.toks[d.tokenAt(a):] {
		if t.e > b {
			break
		}
		if !fillers[t.w] {
			n++
		}
	}
	return n
}

// qualifier reads hơn/trên/gần/khoảng/... right before token k; it returns
// the qualifier's start offset (or -1) and the qualifier.
func (d *doc) qualifier(k int) (int, Qualifier) {
	if k == 0 || d.toks[k].boundary != bNone {
		return -1, Exact
	}
	p1 := d.toks[k-1]
	two := ""
	if k >= 2 && d.toks[k-1].boundary == bNone {
		two = d.toks[k-2].w + " " + p1.w
	}
	switch two {
	case "xap xi", "uoc tinh", "uoc dat", "gan nhu":
		return d.toks[k-2].s, Approx
	case "toi thieu", "it nhat":
		return d.toks[k-2].s, AtLeast
	case "toi da", "khong qua":
		return d.toks[k-2].s, AtMost
	case "nhieu hon", "cao hon":
		return d.toks[k-2].s, MoreThan
	}
	switch p1.w {
	case "hon", "tren", "ngoai":
		return p1.s, MoreThan
	case "gan", "khoang", "chung", "uoc", "xap":
		return p1.s, Approx
	case "duoi":
		return p1.s, LessThan
	}
	// "1.000 trạm trở lên"
	if k+3 < len(d.toks) {
		for j := k + 1; j < k+6 && j+1 < len(d.toks); j++ {
			if d.toks[j].boundary != bNone {
				break
			}
			if d.toks[j].w == "tro" && d.toks[j+1].w == "len" {
				return -1, AtLeast
			}
		}
	}
	return -1, Exact
}

// evidence returns the sentence around token k, trimmed to its clause
// neighbourhood when the sentence is very long.
// oneLine is strings.Join(strings.Fields(s), " "), without allocating when
// s is already one line with single spaces (most sentences).
func oneLine(s string) string {
	prevSpace := true // a leading space needs the slow path
	for _, r := range s {
		if r == ' ' {
			if prevSpace {
				return strings.Join(strings.Fields(s), " ")
			}
			prevSpace = true
			continue
		}
		if unicode.IsSpace(r) {
			return strings.Join(strings.Fields(s), " ")
		}
		prevSpace = false
	}
	if prevSpace && s != "" { // a trailing space
		return strings.Join(strings.Fields(s), " ")
	}
	return s
}

func (d *doc) evidence(k int) string {
	sl, sr := d.bounds(k, bSentence)
	s, e := d.toks[sl].s, d.toks[sr].e
	if e-s > 320 {
		cl, cr := k, k
		for cl > sl && d.toks[cl].boundary < bStrong && d.toks[k].s-d.toks[cl-1].s < 200 {
			cl--
		}
		for cr < sr && d.toks[cr+1].boundary < bStrong && d.toks[cr+1].e-d.toks[k].e < 120 {
			cr++
		}
		s, e = d.toks[cl].s, d.toks[cr].e
	}
	// include a closing bracket or percent that belongs to the span
	for e < len(d.rs) && (d.rs[e] == ')' || d.rs[e] == '%') {
		e++
	}
	// one line for display; the span offsets stay exact
	return oneLine(d.str(s, e))
}
