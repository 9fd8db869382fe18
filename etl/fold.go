package etl

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// NFC normalises text to composed form, so "hoà" typed with combining marks
// and "hoà" typed precomposed compare equal.
func NFC(s string) string { return norm.NFC.String(s) }

// foldRune maps a precomposed Vietnamese letter to its lower-case base
// letter without diacritics (đ → d). One rune in, one rune out, so offsets
// into folded text are offsets into the original.
func foldRune(r rune) rune {
	r = unicode.ToLower(r)
	if r < 0x80 {
		return r
	}
	if r == 'đ' {
		return 'd'
	}
	if b, ok := foldTable[r]; ok {
		return b
	}
	return r
}

var foldTable = func() map[rune]rune {
	m := map[rune]rune{}
	for base, set := range map[rune]string{
		'a': "àáảãạăằắẳẵặâầấẩẫậ",
		'e': "èéẻẽẹêềếểễệ",
		'i': "ìíỉĩị",
		'o': "òóỏõọôồốổỗộơờớởỡợ",
		'u': "ùúủũụưừứửữự",
		'y': "ỳýỷỹỵ",
	} {
		for _, r := range set {
			m[r] = base
		}
	}
	return m
}()

// Fold lower-cases s and strips Vietnamese diacritics, rune for rune. Cue
// matching works on folded text so that "hòa"/"hoà" and unaccented text
// match alike. The input should be NFC.
func Fold(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		b.WriteRune(foldRune(r))
	}
	return b.String()
}

// FoldRunes folds a rune slice in place-safe copy.
func FoldRunes(rs []rune) []rune {
	out := make([]rune, len(rs))
	for i, r := range rs {
		out[i] = foldRune(r)
	}
	return out
}

// runeText is a text addressed by rune offsets, as spans are, that hands
// out substrings of the original string instead of converting runes back
// to a string each time.
type runeText struct {
	rs   []rune
	body string  // the text; if it was not valid UTF-8, string(rs)
	bo   []int32 // byte offset of each rune, and len(body) at the end
}

func newRuneText(s string) runeText {
	if !utf8.ValidString(s) {
		s = string([]rune(s)) // one U+FFFD per invalid byte, as []rune does
	}
	t := runeText{rs: make([]rune, 0, len(s)), body: s, bo: make([]int32, 0, len(s)+1)}
	for i, r := range s {
		t.rs = append(t.rs, r)
		t.bo = append(t.bo, int32(i))
	}
	t.bo = append(t.bo, int32(len(s)))
	return t
}

// str is string(t.rs[s:e]) without the conversion.
func (t *runeText) str(s, e int) string { return t.body[t.bo[s]:t.bo[e]] }
