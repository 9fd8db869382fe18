package etl

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// NumKind says what a number token denotes once its surroundings are read.
type NumKind int

const (
	NumPlain     NumKind = iota // a count or an amount
	NumPercent                  // 72,8%
	NumMoney                    // 164,5 triệu đồng, 60.000.000đ
	NumRate                     // 105 TB/100 dân
	NumRatio                    // 142/142 xã: Value is x, Denominator y
	NumYear                     // 2020 in "năm 2020"
	NumDate                     // 29/12, 07/3/2019
	NumTime                     // 09:04
	NumDocRef                   // 17/NQ-CP, 03/2014/TT-BTTTT
	NumCode                     // 3G, 4.0, 20200630-Nam-6.jpg
	NumMalformed                // 1.60: a dot group that is not 3 digits
)

var numKindNames = [...]string{"plain", "percent", "money", "rate", "ratio", "year", "date", "time", "docref", "code", "malformed"}

func (k NumKind) String() string { return numKindNames[k] }

// Number is a number token found in text, with the words that scale it.
// Offsets are rune offsets into the text the scanner was given.
type Number struct {
	Start, End  int    // the digits (and any slash part)
	UnitEnd     int    // end of scale word, currency and %, ≥ End
	Raw         string // the digits as written
	Value       float64
	Denominator float64
	Kind        NumKind
	Scale       float64 // 1, 1e3, 1e6, 1e9
	Word        bool    // written as words ("hai", "mười")
}

// ParseNumber reads a Vietnamese-formatted number: "." groups thousands in
// exact groups of three, "," is the decimal mark. It reports ok=false for
// malformed groupings such as "1.60" rather than guessing.
func ParseNumber(s string) (v float64, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	intPart, frac, hasFrac := strings.Cut(s, ",")
	if hasFrac && (frac == "" || !allDigits(frac)) {
		return 0, false
	}
	groups := strings.Split(intPart, ".")
	if len(groups) > 1 {
		if len(groups[0]) == 0 || len(groups[0]) > 3 {
			return 0, false
		}
		for _, g := range groups[1:] {
			if len(g) != 3 {
				return 0, false
			}
		}
	}
	digits := strings.Join(groups, "")
	if digits == "" || !allDigits(digits) {
		return 0, false
	}
	if len(digits) > 18 {
		return 0, false // beyond any indicator and beyond float precision
	}
	if hasFrac {
		digits += "." + frac
	}
	f, err := strconv.ParseFloat(digits, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, false
	}
	return f, true
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// scale words after a number, folded, longest first.
var scaleWords = []struct {
	words []string
	mult  float64
}{
	{[]string{"nghin", "ty"}, 1e12},
	{[]string{"ngan", "ty"}, 1e12},
	{[]string{"nghin"}, 1e3},
	{[]string{"ngan"}, 1e3},
	{[]string{"trieu"}, 1e6},
	{[]string{"ty"}, 1e9},
	{[]string{"ti"}, 1e9},
}

// currency words after a number (folded).
var currencyWords = [][]string{{"dong"}, {"vnd"}, {"d"}, {"vnđ"}}

// scanNumbers finds the number tokens of a text. rs is the NFC text and
// fs its folded form (same length).
func scanNumbers(rs []rune, fs string) []Number {
	var out []Number
	n := len(rs)
	for i := 0; i < n; i++ {
		if !isDigit(rs[i]) {
			continue
		}
		if i > 0 && (unicode.IsLetter(rs[i-1]) || isDigit(rs[i-1])) {
			// glued to a word ("X10", "Covid19"): a code, skip its digits
			for i < n && (isDigit(rs[i]) || unicode.IsLetter(rs[i])) {
				i++
			}
			continue
		}
		start := i
		j := i
		for j < n {
			if isDigit(rs[j]) {
				j++
				continue
			}
			if (rs[j] == '.' || rs[j] == ',' || rs[j] == '/' || rs[j] == ':' || rs[j] == '-') && j+1 < n && isDigit(rs[j+1]) {
				j++
				continue
			}
			break
		}
		num := Number{Start: start, End: j, UnitEnd: j, Raw: string(rs[start:j]), Scale: 1}
		classifyToken(&num, rs, fs)
		out = append(out, num)
		i = num.UnitEnd - 1
		if i < j-1 {
			i = j - 1
		}
	}
	return out
}

// classifyToken decides what a digit token is from its shape and the
// characters around it, and reads scale words, currency and percent.
func classifyToken(num *Number, rs []rune, fs string) {
	raw := num.Raw
	n := len(rs)
	j := num.End
	prev := rune(0)
	if num.Start > 0 {
		prev = rs[num.Start-1]
	}
	// letters glued after the digits: 3G, 5G, 4.0x, "đ" currency is allowed
	if j < n && unicode.IsLetter(rs[j]) {
		if (rs[j] == 'đ' || rs[j] == 'Đ') && (j+1 >= n || !unicode.IsLetter(rs[j+1])) {
			// 60.000.000đ
		} else {
			num.Kind = NumCode
			k := j
			for k < n && (unicode.IsLetter(rs[k]) || isDigit(rs[k])) {
				k++
			}
			num.UnitEnd = k
			return
		}
	}
	switch {
	case strings.Contains(raw, ":"):
		num.Kind = NumTime
		return
	case prev == '/' || prev == '-' && num.Start > 1 && unicode.IsLetter(rs[num.Start-2]):
		// "I/2021", "TB/100", "QĐ-123": the tail of a code or a rate
		num.Kind = NumCode
		return
	}
	if j < n && rs[j] == '/' {
		// a slash followed by letters: document number ("17/NQ-CP", "749/QĐ-TTg")
		if j+1 < n && unicode.IsLetter(rs[j+1]) {
			num.Kind = NumDocRef
			k := j + 1
			for k < n && (unicode.IsLetter(rs[k]) || isDigit(rs[k]) || rs[k] == '-' || rs[k] == '/') {
				k++
			}
			num.UnitEnd = k
			return
		}
	}
	if strings.Contains(raw, "/") {
		parts := strings.Split(raw, "/")
		if j < n && rs[j] == '/' || len(parts) > 3 {
			num.Kind = NumDocRef
			return
		}
		if len(parts) == 3 {
			if strings.Contains(raw, ".") || strings.Contains(raw, ",") {
				num.Kind = NumCode
				return
			}
			// 07/3/2019 or 03/2014/TT-BTTTT (handled above)
			num.Kind = NumDate
			return
		}
		a, okA := ParseNumber(parts[0])
		b, okB := ParseNumber(parts[1])
		if !okA || !okB {
			num.Kind = NumMalformed
			return
		}
		dateLike := a >= 1 && a <= 31 && b >= 1 && b <= 12 && !strings.ContainsAny(raw, ".,")
		monthYear := a >= 1 && a <= 12 && b >= 1900 && b <= 2100 && len(parts[1]) == 4
		switch {
		case monthYear:
			num.Kind = NumDate
		case dateLike && (a > b || precededByDateWord(fs, num.Start)):
			num.Kind = NumDate
		case a <= b:
			num.Kind = NumRatio
			num.Value = a
			num.Denominator = b
		case dateLike:
			num.Kind = NumDate
		default:
			num.Kind = NumCode
		}
		if num.Kind == NumRatio {
			readUnits(num, rs, fs)
		}
		return
	}
	if strings.Contains(raw, "-") {
		// 2021-2025, 10-15: a year range or a numeric range
		parts := strings.Split(raw, "-")
		if len(parts) == 2 && isYear(parts[0]) && isYear(parts[1]) {
			num.Kind = NumYear
			return
		}
		if len(parts) == 2 {
			if v, ok := ParseNumber(parts[0]); ok {
				if _, ok2 := ParseNumber(parts[1]); ok2 {
					// a range: keep the lower bound, the qualifier says at_least
					num.Value = v
					num.Kind = NumPlain
					num.End = num.Start + len([]rune(parts[0]))
					num.UnitEnd = num.End
					return
				}
			}
		}
		num.Kind = NumDate
		return
	}
	v, ok := ParseNumber(raw)
	if !ok {
		if versionLike(raw) {
			num.Kind = NumCode
		} else {
			num.Kind = NumMalformed
		}
		return
	}
	num.Value = v
	if isYear(raw) && !followedByUnitWord(fs, j) {
		num.Kind = NumYear
		return
	}
	readUnits(num, rs, fs)
}

// versionLike matches "4.0", "2.0", "1.0.2": version numbers, not data.
func versionLike(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) < 2 || strings.Contains(s, ",") {
		return false
	}
	for _, p := range parts {
		if len(p) > 2 || !allDigits(p) {
			return false
		}
	}
	return len(parts[len(parts)-1]) == 1
}

func isYear(s string) bool {
	if len(s) != 4 || !allDigits(s) {
		return false
	}
	y, _ := strconv.Atoi(s)
	return y >= 1945 && y <= 2100
}

// followedByUnitWord is true when a 4-digit number is followed by a counted
// noun, so "2021 hồ sơ" is a value while "năm 2021" stays a year.
func followedByUnitWord(fs string, j int) bool {
	w := nextWords(fs, j, 2)
	if len(w) == 0 {
		return false
	}
	switch w[0] {
	case "ho", "tram", "thue", "tai", "luot", "nguoi", "may", "diem", "buu", "cuoc", "truong", "chung", "hoc", "ty", "trieu", "nghin", "ngan", "dong", "don", "van", "ban", "xa", "doanh", "co", "he", "thanh", "to", "bai", "tin", "trang", "camera", "sim", "%":
		return true
	}
	return false
}

func precededByDateWord(fs string, start int) bool {
	w := prevWords(fs, start, 2)
	for _, x := range w {
		switch x {
		case "ngay", "sang", "chieu", "toi", "den", "tu", "dem", "truoc", "sau", "luc":
			return true
		}
	}
	return false
}

// readUnits consumes scale words, currency, percent and "/100 dân" after a
// number and sets Kind and Value.
func readUnits(num *Number, rs []rune, fs string) {
	n := len(rs)
	j := num.End
	if num.Kind == NumRatio {
		// "17/17 cơ sở dữ liệu": value x; a trailing % makes it a plain percent
		if k := skipSpaces(rs, j); k < n && rs[k] == '%' {
			num.Kind = NumPercent
			num.UnitEnd = k + 1
		}
		return
	}
	k := skipSpaces(rs, j)
	if k < n && rs[k] == '%' {
		num.Kind = NumPercent
		num.UnitEnd = k + 1
		return
	}
	if w := nextWords(fs, j, 2); len(w) >= 2 && w[0] == "phan" && w[1] == "tram" {
		num.Kind = NumPercent
		num.UnitEnd = wordEnd(fs, j, 2)
		return
	}
	mult := 1.0
	end := j
	for _, sw := range scaleWords {
		w := nextWords(fs, j, len(sw.words)+1)
		if len(w) < len(sw.words) || !equalWords(w[:len(sw.words)], sw.words) {
			continue
		}
		// "tỷ lệ" is "rate", not a billion
		if sw.words[len(sw.words)-1] == "ty" || sw.words[len(sw.words)-1] == "ti" {
			if len(w) > len(sw.words) && w[len(sw.words)] == "le" {
				continue
			}
		}
		mult = sw.mult
		end = wordEnd(fs, j, len(sw.words))
		break
	}
	num.Scale = mult
	num.Value *= mult
	num.UnitEnd = end
	// glued "đ" (60.000.000đ)
	if end == num.End && end < n && (rs[end] == 'đ' || rs[end] == 'Đ') {
		num.Kind = NumMoney
		num.UnitEnd = end + 1
		return
	}
	w := nextWords(fs, end, 1)
	if len(w) == 1 {
		for _, cw := range currencyWords {
			if w[0] == cw[0] {
				num.Kind = NumMoney
				num.UnitEnd = wordEnd(fs, end, 1)
				return
			}
		}
	}
	// "105 TB/100 dân", "12 thuê bao/100 dân"
	if rateAt(rs, fs, end) > 0 {
		num.Kind = NumRate
		num.Denominator = 100
		num.UnitEnd = rateAt(rs, fs, end)
	}
}

// rateAt returns the end offset of a "… /100 dân" rate suffix that starts
// within two words of i, or 0.
func rateAt(rs []rune, fs string, i int) int {
	n := len(rs)
	limit := i + 24
	if limit > n {
		limit = n
	}
	for k := i; k < limit; k++ {
		if rs[k] == '.' || rs[k] == ',' || rs[k] == ';' || rs[k] == '\n' {
			return 0
		}
		if rs[k] == '/' {
			m := skipSpaces(rs, k+1)
			if m+3 <= n && string(rs[m:m+3]) == "100" {
				w := nextWords(fs, m+3, 1)
				if len(w) == 1 && (w[0] == "dan" || w[0] == "nguoi" || w[0] == "ho") {
					return wordEnd(fs, m+3, 1)
				}
			}
			return 0
		}
	}
	return 0
}

func equalWords(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func skipSpaces(rs []rune, i int) int {
	for i < len(rs) && (rs[i] == ' ' || rs[i] == '\t') {
		i++
	}
	return i
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || isDigit(r) || r == '&' }

// skipBlanks is skipSpaces on the folded text.
func skipBlanks(fs string, i int) int {
	for i < len(fs) && (fs[i] == ' ' || fs[i] == '\t') {
		i++
	}
	return i
}

// nextWords returns up to k folded words starting at i, stopping at
// punctuation other than spaces. "%" counts as a word.
func nextWords(fs string, i, k int) []string {
	out := make([]string, 0, k)
	n := len(fs)
	for len(out) < k {
		i = skipBlanks(fs, i)
		if i >= n {
			break
		}
		if fs[i] == '%' {
			out = append(out, "%")
			i++
			continue
		}
		if !isWordRune(rune(fs[i])) {
			break
		}
		s := i
		for i < n && isWordRune(rune(fs[i])) {
			i++
		}
		out = append(out, fs[s:i])
	}
	return out
}

// wordEnd returns the offset after k words starting at i.
func wordEnd(fs string, i, k int) int {
	n := len(fs)
	for c := 0; c < k; c++ {
		i = skipBlanks(fs, i)
		if i < n && fs[i] == '%' {
			i++
			continue
		}
		for i < n && isWordRune(rune(fs[i])) {
			i++
		}
	}
	return i
}

// prevWords returns up to k folded words ending before i, nearest first,
// stopping at punctuation.
func prevWords(fs string, i, k int) []string {
	out := make([]string, 0, k)
	for len(out) < k {
		for i > 0 && (fs[i-1] == ' ' || fs[i-1] == '\t') {
			i--
		}
		if i == 0 || !isWordRune(rune(fs[i-1])) {
			break
		}
		e := i
		for i > 0 && isWordRune(rune(fs[i-1])) {
			i--
		}
		out = append(out, fs[i:e])
	}
	return out
}

// GroupThousands writes n the Vietnamese way, "." between groups of three
// digits (1556993 → "1.556.993"): the inverse of ParseNumber for integers.
func GroupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	var b strings.Builder
	for i, c := range s {
		if i > 0 && c != '-' && s[i-1] != '-' && (len(s)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(c)
	}
	return b.String()
}
