package etl

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// para is the canonical decoded form: NFC, tone on the first vowel of
// open oa/oe/uy syllables.
const para = "Báo cáo của Sở Thông tin và Truyền thông tỉnh Hòa Bình năm 2024\n" +
	"Toàn tỉnh có 1.234 trạm BTS; tỷ lệ hộ gia đình có Internet đạt 85,5%.\n" +
	"Bà Nguyễn Thị Thúy cho biết hạ tầng viễn thông đã khỏe mạnh, quả là thành quả quý.\n" +
	"Thuyết minh: hoàn thành chuyển đổi số, họa đồ số hóa, tòa soạn ngoài trụ sở."

// oldToNew rewrites para with the tone on the second vowel ("hoà").
var oldToNew = strings.NewReplacer(
	"Hòa", "Hoà", "Thúy", "Thuý", "khỏe", "khoẻ", "họa", "hoạ", "hóa", "hoá", "tòa", "toà",
)

func utf16Bytes(s string, bigEndian, bom bool) []byte {
	u := utf16.Encode([]rune(s))
	if bom {
		u = append([]uint16{0xfeff}, u...)
	}
	b := make([]byte, 0, 2*len(u))
	for _, c := range u {
		if bigEndian {
			b = append(b, byte(c>>8), byte(c))
		} else {
			b = append(b, byte(c), byte(c>>8))
		}
	}
	return b
}

// cp1258 encodes s the way Windows-1258 stores Vietnamese: base letters
// (with breve, circumflex, horn) precomposed, tone marks combining.
func cp1258(t testing.TB, s string) []byte {
	t.Helper()
	isTone := func(r rune) bool {
		return r == 0x300 || r == 0x301 || r == 0x303 || r == 0x309 || r == 0x323
	}
	var b strings.Builder
	for _, r := range s {
		var base, tone []rune
		for _, d := range norm.NFD.String(string(r)) {
			if isTone(d) {
				tone = append(tone, d)
			} else {
				base = append(base, d)
			}
		}
		b.WriteString(norm.NFC.String(string(base)))
		b.WriteString(string(tone))
	}
	out, err := charmap.Windows1258.NewEncoder().Bytes([]byte(b.String()))
	if err != nil {
		t.Fatalf("cp1258: %v", err)
	}
	return out
}

// mustCP1252 reads the UTF-8 bytes of s as Windows-1252 (undefined bytes
// as Latin-1, like Windows does) and returns the UTF-8 of that mojibake.
func mustCP1252(t testing.TB, s string) []byte {
	var b strings.Builder
	for _, c := range []byte(s) {
		r := charmap.Windows1252.DecodeByte(c)
		if r == utf8.RuneError {
			r = rune(c)
		}
		b.WriteRune(r)
	}
	return []byte(b.String())
}

func TestDecodeEncodingsAgree(t *testing.T) {
	crlf := strings.ReplaceAll(para, "\n", "\r\n")
	cases := []struct {
		name string
		raw  []byte
		enc  string
	}{
		{"utf-8", []byte(para), EncUTF8},
		{"utf-8 bom", append([]byte("\xef\xbb\xbf"), para...), EncUTF8BOM},
		{"utf-16le bom", utf16Bytes(para, false, true), EncUTF16LE},
		{"utf-16be bom", utf16Bytes(para, true, true), EncUTF16BE},
		{"utf-16le no bom", utf16Bytes(para, false, false), EncUTF16LE},
		{"utf-16be no bom", utf16Bytes(para, true, false), EncUTF16BE},
		{"windows-1258", cp1258(t, para), EncWindows1258},
		{"nfd", []byte(norm.NFD.String(para)), EncUTF8},
		{"new tone placement", []byte(oldToNew.Replace(para)), EncUTF8},
		{"new tones in windows-1258", cp1258(t, oldToNew.Replace(para)), EncWindows1258},
		{"double-encoded utf-8", []byte(string(mustCP1252(t, para))), EncUTF8Double},
		{"crlf nbsp zero-width", []byte(strings.ReplaceAll(strings.ReplaceAll(crlf, "Sở ", "Sở\u00a0"), "Bình", "Bì\u200bnh") + "\r\n  \r\n"), EncUTF8},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			txt, rej := Decode(&Document{ID: "d", Raw: c.raw}, DecodeOptions{})
			if rej != nil {
				t.Fatalf("rejected: %+v", rej)
			}
			if txt.Body != para {
				t.Errorf("body differs:\n got %q\nwant %q", txt.Body, para)
			}
			if txt.Encoding != c.enc {
				t.Errorf("encoding = %q, want %q", txt.Encoding, c.enc)
			}
			if txt.Format != "text" || txt.Title != strings.SplitN(para, "\n", 2)[0] {
				t.Errorf("format %q title %q", txt.Format, txt.Title)
			}
		})
	}
}

func TestDecodeMixedEncodings(t *testing.T) {
	raw := append([]byte("Dòng đầu bằng UTF-8.\n"), cp1258(t, "Dòng hai bằng Windows-1258: hoà bình.\n")...)
	txt, rej := Decode(&Document{Raw: raw}, DecodeOptions{})
	if rej != nil {
		t.Fatalf("rejected: %+v", rej)
	}
	want := "Dòng đầu bằng UTF-8.\nDòng hai bằng Windows-1258: hòa bình."
	if txt.Body != want || txt.Encoding != EncMixed {
		t.Errorf("got %q (%s)", txt.Body, txt.Encoding)
	}
}

func TestFixTones(t *testing.T) {
	for in, want := range map[string]string{
		"hoà":           "hòa",
		"thuý":          "thúy",
		"Thuỵ":          "Thụy",
		"HOÀ BÌNH":      "HÒA BÌNH",
		"khoẻ.":         "khỏe.",
		"toà án":        "tòa án",
		"oà":            "òa",
		"hòa":           "hòa", // already old style
		"quý":           "quý", // qu + y
		"Quý":           "Quý",
		"quả":           "quả",
		"hoàn thành":    "hoàn thành", // closed syllable
		"khuỷu tay":     "khuỷu tay",
		"ngoài":         "ngoài",
		"thuyết":        "thuyết",
		"hoạch":         "hoạch",
		"xoá, hoá, hoà": "xóa, hóa, hòa",
	} {
		if got := decFixTones(in); got != want {
			t.Errorf("decFixTones(%q) = %q, want %q", in, got, want)
		}
	}
}

type fakeHTML struct {
	title, body string
	published   time.Time
	err         error
	panics      bool
}

func (f fakeHTML) Extract(h []byte, uri string) (string, string, time.Time, error) {
	if f.panics {
		panic("boom")
	}
	return f.title, f.body, f.published, f.err
}

const page = `<!DOCTYPE html><html><head><title>Báo cáo &amp; số liệu</title>
<style>p{color:red}</style><script>var x = "<p>12345</p>";</script></head>
<body><div class="menu">Trang chủ</div><p>Số thuê bao&nbsp;di động: 1.234 nghìn.</p><p>Hoà Bình</p></body></html>`

func TestDecodeHTML(t *testing.T) {
	pub := time.Date(2024, 3, 15, 0, 0, 0, 0, time.UTC)
	t.Run("extractor", func(t *testing.T) {
		txt, rej := Decode(&Document{Raw: []byte(page)}, DecodeOptions{HTML: fakeHTML{title: "Tiêu đề", body: "Đoạn một.\n\n\n\nĐoạn   hai.", published: pub}})
		if rej != nil {
			t.Fatal(rej)
		}
		if txt.Format != "html" || txt.Title != "Tiêu đề" || txt.Body != "Đoạn một.\n\nĐoạn hai." || !txt.Published.Equal(pub) {
			t.Errorf("got %+v", txt)
		}
	})
	want := "Trang chủ\n\nSố thuê bao di động: 1.234 nghìn.\n\nHòa Bình"
	for name, x := range map[string]HTMLExtractor{
		"empty":  fakeHTML{},
		"error":  fakeHTML{body: "ignored", err: errors.New("no")},
		"panics": fakeHTML{panics: true},
	} {
		t.Run("fallback "+name, func(t *testing.T) {
			txt, rej := Decode(&Document{Raw: []byte(page), ContentType: "text/html"}, DecodeOptions{HTML: x})
			if rej != nil {
				t.Fatal(rej)
			}
			if txt.Body != want || txt.Title != "Báo cáo & số liệu" || txt.Format != "html" {
				t.Errorf("got body %q title %q", txt.Body, txt.Title)
			}
		})
	}
	t.Run("content type", func(t *testing.T) {
		txt, rej := Decode(&Document{Raw: []byte("Xin chào <b>bạn</b>"), ContentType: "text/html; charset=utf-8"}, DecodeOptions{HTML: fakeHTML{}})
		if rej != nil || txt.Body != "Xin chào bạn" {
			t.Errorf("got %+v %+v", txt, rej)
		}
	})
}

func TestDecodeTitle(t *testing.T) {
	long := strings.Repeat("ệ", 300)
	txt, rej := Decode(&Document{Raw: []byte("\n\n   \n  Tiêu đề  \nthân bài")}, DecodeOptions{})
	if rej != nil || txt.Title != "Tiêu đề" {
		t.Errorf("got %+v %+v", txt, rej)
	}
	txt, rej = Decode(&Document{Raw: []byte(long)}, DecodeOptions{})
	if rej != nil || txt.Title != strings.Repeat("ệ", 200) || txt.Body != long {
		t.Errorf("long title: %d runes", utf8.RuneCountInString(txt.Title))
	}
}

func TestDecodeRejects(t *testing.T) {
	html := DecodeOptions{HTML: fakeHTML{}}
	cases := []struct {
		name, reason string
		raw          []byte
		ct           string
		o            DecodeOptions
	}{
		{"nil", ReasonEmpty, nil, "", DecodeOptions{}},
		{"whitespace", ReasonEmpty, []byte(" \r\n\t\u00a0\u3000\u200b\n"), "", DecodeOptions{}},
		{"bom only", ReasonEmpty, []byte("\xef\xbb\xbf"), "", DecodeOptions{}},
		{"too large", ReasonTooLarge, []byte("Hòa Bình có 12 trạm"), "", DecodeOptions{MaxBytes: 8}},
		{"pdf", ReasonBinary, []byte("%PDF-1.4\nabc"), "", DecodeOptions{}},
		{"zip", ReasonBinary, []byte("PK\x03\x04\x14\x00"), "", DecodeOptions{}},
		{"gzip", ReasonBinary, []byte("\x1f\x8b\x08\x00"), "", DecodeOptions{}},
		{"png", ReasonBinary, []byte("\x89PNG\r\n\x1a\n\x00\x00"), "", DecodeOptions{}},
		{"nul", ReasonBinary, []byte("Hòa\x00\x00\x00\x00 Bình có nhiều trạm BTS, rất nhiều trạm"), "", DecodeOptions{}},
		{"controls", ReasonBinary, bytes.Repeat([]byte("\x01\x02a\x1b\x7f"), 50), "", DecodeOptions{}},
		{"latin-1 german", ReasonInvalidEncoding, []byte("Gr\xf6\xdfere \xc4pfel f\xfcr M\xfcller, s\xfc\xdf"), "", DecodeOptions{}},
		{"utf-16 lone surrogates", ReasonInvalidEncoding, append([]byte("\xff\xfe"), bytes.Repeat([]byte{0x00, 0xdc, 'a', 0}, 10)...), "", DecodeOptions{}},
		{"script only", ReasonHTMLNoContent, []byte("<html><script>var a=1;</script><style>p{}</style></html>"), "", html},
		{"html no extractor", ReasonUnsupported, []byte(page), "text/html", DecodeOptions{}},
		{"digits", ReasonNoText, []byte("123 456,7 — 8.9%"), "", DecodeOptions{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := &Document{ID: "doc1", URI: "file:///x", Raw: c.raw, ContentType: c.ct}
			txt, rej := Decode(doc, c.o)
			if rej == nil {
				t.Fatalf("not rejected: %+v", txt)
			}
			if rej.Reason != c.reason || rej.Stage != StageDecode || rej.Detail == "" || rej.Doc != "doc1" || rej.URI != "file:///x" {
				t.Errorf("got %+v, want reason %s", rej, c.reason)
			}
			checkSnippet(t, rej.Snippet)
		})
	}
	if txt, rej := Decode(nil, DecodeOptions{}); txt != nil || rej == nil || rej.Reason != ReasonEmpty {
		t.Errorf("nil document: %v %v", txt, rej)
	}
}

func checkSnippet(t testing.TB, s string) {
	t.Helper()
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > 200 {
		t.Errorf("bad snippet (%d runes): %q", utf8.RuneCountInString(s), s)
	}
	for _, r := range s {
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			t.Errorf("unprintable %U in snippet %q", r, s)
			return
		}
	}
}

// checkResult asserts the Decode contract: exactly one result, valid UTF-8.
func checkResult(t testing.TB, txt *Text, rej *Reject) {
	t.Helper()
	if (txt == nil) == (rej == nil) {
		t.Fatalf("want exactly one of Text and Reject, got %v and %v", txt, rej)
	}
	if rej != nil {
		if rej.Reason == "" || rej.Stage != StageDecode || !utf8.ValidString(rej.Detail) {
			t.Errorf("bad reject %+v", rej)
		}
		checkSnippet(t, rej.Snippet)
		return
	}
	if !utf8.ValidString(txt.Body) || !utf8.ValidString(txt.Title) {
		t.Errorf("invalid UTF-8 output")
	}
	if !norm.NFC.IsNormalString(txt.Body) {
		t.Errorf("body is not NFC")
	}
	if txt.Body == "" || strings.ContainsAny(txt.Body, "\r\u00a0\u200b\x00") {
		t.Errorf("body not normalised: %q", decTruncRunes(txt.Body, 100))
	}
	if utf8.RuneCountInString(txt.Title) > 200 {
		t.Errorf("title too long")
	}
}

// badWant is what some hostile inputs must give: a reject reason, or
// "text"/"html" for the format of a decoded Text.
var badWant = map[string]string{
	"binary_random.bin":               ReasonBinary,
	"nul_bytes.txt":                   ReasonBinary,
	"nul_single.txt":                  ReasonBinary,
	"invalid_utf8.txt":                ReasonInvalidEncoding,
	"truncated_utf16le.txt":           "text",
	"truncated_utf16be_surrogate.txt": "text",
	"utf16le_nobom.txt":               "text",
	"utf16be_nobom.txt":               "text",
	"utf16_bom_only.txt":              ReasonEmpty,
	"utf16_garbage.txt":               ReasonInvalidEncoding,
	"whitespace_only.txt":             ReasonEmpty,
	"empty.txt":                       ReasonEmpty,
	"bom_only.txt":                    ReasonEmpty,
	"bom_invalid_utf8.txt":            ReasonInvalidEncoding,
	"pdf_header.txt":                  ReasonBinary,
	"report.docx":                     ReasonBinary,
	"report.txt.gz":                   ReasonBinary,
	"image.png":                       ReasonBinary,
	"image.jpg":                       ReasonBinary,
	"image.gif":                       ReasonBinary,
	"program.elf":                     ReasonBinary,
	"legacy.doc":                      ReasonBinary,
	"rich.rtf":                        ReasonBinary,
	"sqlite.db":                       ReasonBinary,
	"binary_lowbytes.bin":             ReasonBinary,
	"control_chars.txt":               ReasonBinary,
	"nested_divs.html":                "html",
	"nested_tables.html":              "html",
	"nested_inline.html":              "html",
	"scripts_styles_only.html":        ReasonHTMLNoContent,
	"only_tags.html":                  ReasonHTMLNoContent,
	"huge_attribute.html":             "html",
	"unclosed_comment.html":           "html",
	"unterminated_tag.html":           "html",
	"entities.html":                   "html",
	"lone_lt.html":                    "html",
	"xhtml_decl.xhtml":                "html",
	"html_binary_mix.html":            ReasonInvalidEncoding,
	"mixed_encodings.txt":             "text",
	"windows1258.txt":                 "text",
	"latin1_german.txt":               ReasonInvalidEncoding,
	"shift_jis.txt":                   ReasonInvalidEncoding,
	"overlong_utf8.txt":               ReasonInvalidEncoding,
	"some_controls.txt":               "text",
	"rtl_emoji.txt":                   "text",
	"bidi_override.txt":               "text",
	"zero_width.txt":                  "text",
	"combining_flood.txt":             "text",
	"long_line.txt":                   "text",
	"only_digits.txt":                 ReasonNoText,
	"only_punct.txt":                  ReasonNoText,
	"crlf_mixed.txt":                  "text",
	"number_10k_digits.txt":           "text",
	"feed.xml":                        "text",
	"ansi_latin_mojibake.txt":         "text", // repaired double encoding
}

func TestBadInputs(t *testing.T) {
	dir := filepath.Join("..", "testdata", "bad")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if e.IsDir() || e.Name() == "README.md" {
			continue
		}
		n++
		t.Run(e.Name(), func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			txt, rej := Decode(&Document{ID: e.Name(), Raw: raw}, DecodeOptions{HTML: fakeHTML{}})
			checkResult(t, txt, rej)
			got := ""
			if rej != nil {
				got = rej.Reason
			} else {
				got = txt.Format
			}
			want, ok := badWant[e.Name()]
			if !ok {
				t.Errorf("no expectation for %s (got %s)", e.Name(), got)
			} else if got != want {
				t.Errorf("got %s, want %s (%+v)", got, want, rej)
			}
		})
	}
	if n < 30 {
		t.Errorf("only %d hostile inputs", n)
	}
}

// TestBadInputsGenerated runs the inputs too big to commit.
func TestBadInputsGenerated(t *testing.T) {
	if testing.Short() {
		t.Skip("big generated inputs")
	}
	dir := t.TempDir()
	gen := func(name string, size int, fill func(w *bytes.Buffer)) string {
		var b bytes.Buffer
		b.Grow(size)
		fill(&b)
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	line := "Số thuê bao Internet cáp quang đạt 1.234.567, tăng 12,5% so với cùng kỳ. "
	cases := []struct {
		name, want string
		o          DecodeOptions
		fill       func(*bytes.Buffer)
		size       int
	}{
		{"200mb.txt", ReasonTooLarge, DecodeOptions{}, func(b *bytes.Buffer) {
			for b.Len() < 200<<20 {
				b.WriteString(line + "\n")
			}
		}, 201 << 20},
		{"50mb_line.txt", "text", DecodeOptions{MaxBytes: 64 << 20}, func(b *bytes.Buffer) {
			for b.Len() < 50<<20 {
				b.WriteString(line)
			}
		}, 51 << 20},
		{"100k_digits.txt", "text", DecodeOptions{}, func(b *bytes.Buffer) {
			b.WriteString("Tổng số: ")
			for i := 0; i < 100000; i++ {
				b.WriteByte(byte('0' + i%10))
			}
			b.WriteString(" thuê bao.\n")
		}, 100100},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := gen(c.name, c.size, c.fill)
			raw, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			os.Remove(p)
			txt, rej := Decode(&Document{ID: c.name, Raw: raw}, c.o)
			checkResult(t, txt, rej)
			got := ""
			if rej != nil {
				got = rej.Reason
			} else {
				got = txt.Format
			}
			if got != c.want {
				t.Errorf("got %s, want %s", got, c.want)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(para), "")
	f.Add(utf16Bytes(para, false, true), "")
	f.Add(cp1258(f, para), "text/plain")
	f.Add([]byte(page), "text/html")
	f.Add([]byte("<p>a<b"), "")
	f.Add([]byte("\xff\xfe\x00"), "")
	f.Fuzz(func(t *testing.T, raw []byte, ct string) {
		txt, rej := Decode(&Document{Raw: raw, ContentType: ct}, DecodeOptions{HTML: fakeHTML{}})
		if (txt == nil) == (rej == nil) {
			t.Fatalf("want exactly one result, got %v %v", txt, rej)
		}
		if txt != nil && (!utf8.ValidString(txt.Body) || !utf8.ValidString(txt.Title)) {
			t.Fatalf("invalid UTF-8 output")
		}
		if rej != nil && (!utf8.ValidString(rej.Snippet) || utf8.RuneCountInString(rej.Snippet) > 200) {
			t.Fatalf("bad snippet %q", rej.Snippet)
		}
	})
}
