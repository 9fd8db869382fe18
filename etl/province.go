package etl

import (
	"sort"
	"strings"
	"sync"
	"time"
	"unicode"
)

// placeName is one gazetteer entry: a name that points at a pre-merger
// province (its own name, an alias, a city, a dateline abbreviation or a
// gov.vn domain slug).
type placeName struct {
	folded string // folded words, single-spaced
	lower  string // lower-case NFC, to check diacritics when the text has them
	code   string // 63-era code
	kind   string // province, alias, city, abbrev, domain
}

var (
	gazOnce sync.Once
	gaz     []placeName
)

// gazetteer returns the place names, longest first so "Thừa Thiên Huế"
// wins over "Huế".
func gazetteer() []placeName {
	gazOnce.Do(func() {
		r := Ref()
		seen := map[string]bool{}
		addName := func(name, code, kind string) {
			f := strings.Join(strings.Fields(Fold(name)), " ")
			key := f
			if kind == "domain" {
				key = "domain:" + f
			}
			if f == "" || seen[key] {
				return
			}
			seen[key] = true
			gaz = append(gaz, placeName{folded: f, lower: strings.ToLower(strings.Join(strings.Fields(NFC(name)), " ")), code: code, kind: kind})
		}
		for _, p := range r.Provinces63 {
			addName(p.Name, p.Code, "province")
		}
		if rows, err := readCSV("places.csv"); err == nil {
			for _, row := range rows {
				if r.Province63(row["province_code"]) != nil {
					addName(row["name"], row["province_code"], row["kind"])
				}
			}
		}
		// post-merger names that are not pre-merger names
		addName("Huế", "46", "alias")
		sort.SliceStable(gaz, func(i, j int) bool { return len(gaz[i].folded) > len(gaz[j].folded) })
	})
	return gaz
}

// placeMention is a place name found in a text.
type placeMention struct {
	start, end int // rune offsets
	code       string
	kind       string
	prefixed   bool // "tỉnh X", "TP X", "Sở ... X"
	chrome     bool // in an all-capitals line or a "|" menu line
}

// findPlaces lists the mentions of provinces and their places. rs is the
// NFC text, f its folded ASCII form (one byte per rune). It walks the word
// starts once and tries the names that begin with that word, longest first.
func findPlaces(rs []rune, f string) []placeMention {
	byWord := gazetteerByFirstWord()
	var out []placeMention
	for p := 0; p < len(f); p++ {
		if !isASCIILetter(f[p]) || p > 0 && isASCIIWord(f[p-1]) {
			continue
		}
		q := p
		for q < len(f) && isASCIIWord(f[q]) {
			q++
		}
		for _, g := range byWord[f[p:q]] {
			s, e := p, p+len(g.folded)
			if !strings.HasPrefix(f[s:], g.folded) || !placeMatches(rs, f, g, s, e) {
				continue
			}
			out = append(out, placeMention{start: s, end: e, code: g.code, kind: g.kind, prefixed: prefixedPlace(f, s), chrome: chromeLine(rs, s)})
			p = e - 1
			break
		}
	}
	return out
}

// placeMatches checks the boundaries, capitals and diacritics of a
// candidate name match at [s, e).
func placeMatches(rs []rune, f string, g placeName, s, e int) bool {
	if g.kind == "domain" {
		// caobang.gov.vn, www.lamdong.gov.vn, sotttt.hatinh.gov.vn
		return strings.HasPrefix(f[e:], ".gov.vn") || strings.HasPrefix(f[e:], ".vn")
	}
	if e < len(f) && isASCIIWord(f[e]) {
		return false
	}
	if g.kind == "abbrev" {
		return unicode.IsUpper(rs[s])
	}
	if !titleCase(rs[s:e]) {
		return false
	}
	// "Huệ" is not "Huế": when the text has diacritics they must agree
	span := string(rs[s:e])
	return !hasDiacritics(span) || strings.ToLower(span) == g.lower
}

var (
	byWordOnce sync.Once
	byWord     map[string][]placeName
)

// gazetteerByFirstWord indexes the gazetteer by the first folded word of
// each name, longest names first.
func gazetteerByFirstWord() map[string][]placeName {
	byWordOnce.Do(func() {
		byWord = map[string][]placeName{}
		for _, g := range gazetteer() { // already longest first
			w := g.folded
			if i := strings.IndexFunc(w, func(r rune) bool { return !isASCIIWord(byte(r)) || r > 0x7f }); i > 0 {
				w = w[:i]
			}
			byWord[w] = append(byWord[w], g)
		}
	})
	return byWord
}

func hasDiacritics(s string) bool {
	for _, r := range s {
		if r >= 0x80 && unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// chromeLine reports whether offset i sits in an all-capitals line or a
// menu/ticker line with "|" separators.
func chromeLine(rs []rune, i int) bool {
	s, e := i, i
	for s > 0 && rs[s-1] != '\n' {
		s--
	}
	for e < len(rs) && rs[e] != '\n' {
		e++
	}
	line := rs[s:e]
	upper, lower := 0, 0
	for _, r := range line {
		if r == '|' {
			return true
		}
		if unicode.IsUpper(r) {
			upper++
		} else if unicode.IsLower(r) {
			lower++
		}
	}
	return upper > 8 && lower*4 < upper
}

func isASCIILetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }
func isASCIIWord(b byte) bool   { return isASCIILetter(b) || b >= '0' && b <= '9' }

// titleCase requires each word of a name to start with a capital letter
// (or be all capitals), so "hòa bình" (peace) is not Hòa Bình province.
func titleCase(rs []rune) bool {
	atStart := true
	for _, r := range rs {
		if r == ' ' || r == '-' || r == '.' {
			atStart = true
			continue
		}
		if atStart && unicode.IsLetter(r) && !unicode.IsUpper(r) {
			return false
		}
		atStart = false
	}
	return true
}

func prefixedPlace(f string, s int) bool {
	head := f[:s]
	head = strings.TrimRight(head, " ")
	for _, p := range []string{"tinh", "thanh pho", "tp", "tp.", "thi xa", "dia ban", "so tt&tt", "so tttt", "so thong tin va truyen thong", "so khoa hoc va cong nghe", "so khcn", "ubnd tinh", "so", "tai"} {
		if strings.HasSuffix(head, p) {
			return true
		}
	}
	return false
}

// docProvince picks the province a document reports on by weighted vote
// over its place mentions.
func docProvince(ms []placeMention) string {
	w := map[string]float64{}
	for _, m := range ms {
		v := 1.0
		switch m.kind {
		case "domain", "abbrev":
			v = 3
		case "city":
			v = 0.8
		}
		if m.prefixed {
			v += 1
		}
		if m.chrome {
			v *= 0.3 // a masthead in capitals or a menu line names the publisher, not the subject
		}
		if m.start < 400 {
			v *= 2
		}
		w[m.code] += v
	}
	best, bw := "", 0.0
	for c, v := range w {
		if v > bw || v == bw && c < best {
			best, bw = c, v
		}
	}
	return best
}

// resolveProvince maps a pre-merger code to the code and name valid at the
// end of the period.
func resolveProvince(code63 string, p Period) (string, string) {
	end := p.End
	if end.IsZero() {
		end = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return Ref().ProvinceAt(code63, end)
}
