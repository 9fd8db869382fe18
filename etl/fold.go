package etl

import (
	"strings"
	"unicode"

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
