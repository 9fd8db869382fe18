package etl

import (
	"bytes"
	"fmt"
	"html"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/unicode/norm"
)

// HTMLExtractor finds the main content of an HTML page. It receives UTF-8
// HTML (Decode has already converted the bytes) and returns plain text with
// paragraphs separated by newlines.
type HTMLExtractor interface {
	Extract(html []byte, uri string) (title, body string, published time.Time, err error)
}

// DecodeOptions configures Decode.
type DecodeOptions struct {
	// MaxBytes caps the raw document size; 0 means DefaultMaxBytes.
	MaxBytes int64
	// HTML extracts the main content of pages; nil rejects HTML documents
	// as unsupported.
	HTML HTMLExtractor
}

// DefaultMaxBytes is the size cap used when DecodeOptions.MaxBytes is 0.
const DefaultMaxBytes = 32 << 20

// Decode reasons, the Reject.Reason values of stage decode.
const (
	ReasonEmpty           = "empty"
	ReasonTooLarge        = "too_large"
	ReasonBinary          = "binary"
	ReasonInvalidEncoding = "invalid_encoding"
	ReasonHTMLNoContent   = "html_no_content"
	ReasonNoText          = "no_text"
	ReasonUnsupported     = "unsupported"
)

// Encoding names reported in Text.Encoding.
const (
	EncUTF8        = "utf-8"
	EncUTF8BOM     = "utf-8-bom"
	EncUTF16LE     = "utf-16le"
	EncUTF16BE     = "utf-16be"
	EncWindows1258 = "windows-1258"
	// EncMixed is UTF-8 with some lines in Windows-1258.
	EncMixed = "utf-8+windows-1258"
	// EncUTF8Double is UTF-8 that was encoded twice (read as Windows-1252
	// or Latin-1 and saved as UTF-8 again): "HÃ²a" for "Hòa".
	EncUTF8Double = "utf-8-double-encoded"
)

const decMaxSnippet = 200

// Decode turns a document's bytes into NFC-normalised text, or says why it
// cannot. Exactly one of the results is non-nil. It never panics: the only
// foreign code it runs (the HTML extractor) is guarded.
func Decode(doc *Document, o DecodeOptions) (*Text, *Reject) {
	if doc == nil {
		return nil, &Reject{Stage: StageDecode, Reason: ReasonEmpty, Detail: "no document"}
	}
	d := docDecoder{doc: doc, opts: o}
	return d.run()
}

type docDecoder struct {
	doc  *Document
	opts DecodeOptions
}

func (d *docDecoder) reject(reason, detail, snip string) (*Text, *Reject) {
	return nil, &Reject{
		Doc:     d.doc.ID,
		URI:     d.doc.URI,
		Stage:   StageDecode,
		Reason:  reason,
		Detail:  detail,
		Snippet: snip,
	}
}

func (d *docDecoder) run() (*Text, *Reject) {
	raw := d.doc.Raw
	max := d.opts.MaxBytes
	if max <= 0 {
		max = DefaultMaxBytes
	}
	switch {
	case len(raw) == 0:
		return d.reject(ReasonEmpty, "the document has no bytes", "")
	case int64(len(raw)) > max:
		return d.reject(ReasonTooLarge,
			fmt.Sprintf("the document has %d bytes, over the %d-byte limit", len(raw), max),
			decSnippetBytes(raw))
	}
	if kind := decSniffBinary(raw); kind != "" {
		return d.reject(ReasonBinary, "the document is a "+kind+" file, not text", decSnippetBytes(raw))
	}

	s, enc, reason, detail := decDecodeBytes(raw)
	if reason != "" {
		return d.reject(reason, detail, decSnippetBytes(raw))
	}
	if share := decControlShare(s); share > 0.05 {
		return d.reject(ReasonBinary,
			fmt.Sprintf("%.0f%% of the characters are control characters", share*100),
			decSnippet(s))
	}

	if decIsHTML(d.doc.ContentType, s) {
		return d.html(s, enc)
	}
	body := decNormalize(s, false)
	if body == "" {
		return d.reject(ReasonEmpty, "the document holds only whitespace", "")
	}
	if !decHasLetter(body) {
		return d.reject(ReasonNoText, "the document has no letters", decSnippet(body))
	}
	return &Text{Body: body, Title: decFirstLine(body), Format: "text", Encoding: enc}, nil
}

// html hands a decoded page to the extractor, falling back to plain tag
// stripping when the extractor finds nothing or fails.
func (d *docDecoder) html(s, enc string) (*Text, *Reject) {
	if d.opts.HTML == nil {
		return d.reject(ReasonUnsupported, "the document is HTML and no HTML extractor is configured", decSnippet(s))
	}
	title, body, published, err := decSafeExtract(d.opts.HTML, s, d.doc.URI)
	if err != nil {
		body = "" // fall back below
	}
	body = decNormalize(body, true)
	if !decHasLetter(body) {
		t, b := decStripTags(s)
		body = decNormalize(b, true)
		if title == "" {
			title = t
		}
	}
	if !decHasLetter(body) {
		detail := "the page has no readable content"
		if err != nil {
			detail += " (extractor: " + err.Error() + ")"
		}
		return d.reject(ReasonHTMLNoContent, detail, decSnippet(s))
	}
	title = strings.TrimSpace(decNormalize(title, true))
	if i := strings.IndexByte(title, '\n'); i >= 0 {
		title = strings.TrimSpace(title[:i])
	}
	if title == "" {
		title = decFirstLine(body)
	}
	return &Text{
		Body:      body,
		Title:     decTruncRunes(title, decMaxSnippet),
		Published: published,
		Format:    "html",
		Encoding:  enc,
	}, nil
}

func decSafeExtract(x HTMLExtractor, s, uri string) (title, body string, published time.Time, err error) {
	defer func() {
		if r := recover(); r != nil {
			title, body, published, err = "", "", time.Time{}, fmt.Errorf("extractor panic: %v", r)
		}
	}()
	return x.Extract([]byte(s), uri)
}

// ---- binary detection ----

type decMagic struct {
	off  int
	sig  string
	kind string
}

var decMagics = []decMagic{
	{0, "%PDF-", "PDF"},
	{0, "PK\x03\x04", "ZIP (or DOCX/XLSX/ODT)"},
	{0, "PK\x05\x06", "ZIP"},
	{0, "PK\x07\x08", "ZIP"},
	{0, "\x1f\x8b", "GZIP"},
	{0, "\x89PNG\r\n\x1a\n", "PNG"},
	{0, "\xff\xd8\xff", "JPEG"},
	{0, "GIF87a", "GIF"},
	{0, "GIF89a", "GIF"},
	{0, "\x7fELF", "ELF"},
	{0, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "OLE2 (DOC/XLS)"},
	{0, "\xfd7zXZ\x00", "XZ"},
	{0, "7z\xbc\xaf\x27\x1c", "7-Zip"},
	{0, "Rar!\x1a\x07", "RAR"},
	{0, "\x28\xb5\x2f\xfd", "Zstandard"},
	{0, "SQLite format 3\x00", "SQLite"},
	{0, "\x00asm", "WebAssembly"},
	{0, "\xca\xfe\xba\xbe", "Java class/Mach-O"},
	{0, "\xcf\xfa\xed\xfe", "Mach-O"},
	{0, "\xce\xfa\xed\xfe", "Mach-O"},
	{0, "OggS", "Ogg"},
	{0, "wOFF", "WOFF font"},
	{0, "wOF2", "WOFF2 font"},
	{0, "{\\rtf", "RTF"},
	{4, "ftyp", "MP4/ISO media"},
	{8, "WEBP", "WebP"},
	{8, "WAVE", "WAV"},
	{8, "AVI ", "AVI"},
}

// decSniffBinary names the file type when raw starts with a known magic
// number, else returns "".
func decSniffBinary(raw []byte) string {
	for _, m := range decMagics {
		if len(raw) >= m.off+len(m.sig) && string(raw[m.off:m.off+len(m.sig)]) == m.sig {
			if m.off == 8 && string(raw[:4]) != "RIFF" {
				continue
			}
			return m.kind
		}
	}
	if len(raw) >= 10 && string(raw[:3]) == "BZh" && string(raw[4:10]) == "1AY&SY" {
		return "BZIP2"
	}
	return ""
}

// decControlShare is the share of control characters other than ordinary
// whitespace: high in binary data that slipped past the other checks.
func decControlShare(s string) float64 {
	var n, bad int
	for _, r := range s {
		n++
		switch r {
		case '\t', '\n', '\r', '\f', '\v', 0x1a: // 0x1a: DOS end-of-file
			continue
		}
		if r == utf8.RuneError || unicode.IsControl(r) {
			bad++
		}
	}
	if n == 0 {
		return 0
	}
	return float64(bad) / float64(n)
}

// ---- charset detection ----

// decDecodeBytes converts raw to a UTF-8 string and names the encoding, or
// returns a reject reason and detail.
func decDecodeBytes(raw []byte) (s, enc, reason, detail string) {
	switch {
	case bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")):
		raw = decTrimTruncatedUTF8(raw[3:])
		if !utf8.Valid(raw) {
			return "", "", ReasonInvalidEncoding, "the document has a UTF-8 byte-order mark but is not valid UTF-8"
		}
		return string(raw), EncUTF8BOM, "", ""
	case bytes.HasPrefix(raw, []byte("\xff\xfe")):
		return decDecodeUTF16(raw[2:], false)
	case bytes.HasPrefix(raw, []byte("\xfe\xff")):
		return decDecodeUTF16(raw[2:], true)
	}
	if bytes.IndexByte(raw, 0) >= 0 {
		switch decUtf16Guess(raw) {
		case 'l':
			return decDecodeUTF16(raw, false)
		case 'b':
			return decDecodeUTF16(raw, true)
		}
		return "", "", ReasonBinary, "the document contains NUL bytes"
	}
	raw = decTrimTruncatedUTF8(raw)
	if utf8.Valid(raw) {
		if fixed, ok := decRepairDoubleUTF8(raw); ok {
			return fixed, EncUTF8Double, "", ""
		}
		return string(raw), EncUTF8, "", ""
	}
	return decDecodeLegacy(raw)
}

// decTrimTruncatedUTF8 drops an incomplete multi-byte sequence at the very
// end, left by a file cut short.
func decTrimTruncatedUTF8(b []byte) []byte {
	for i := 1; i <= 3 && i <= len(b); i++ {
		c := b[len(b)-i]
		if c < 0x80 {
			return b
		}
		if c >= 0xc0 { // a lead byte: is its sequence complete?
			need := 2
			switch {
			case c >= 0xf0:
				need = 4
			case c >= 0xe0:
				need = 3
			}
			if i < need {
				return b[:len(b)-i]
			}
			return b
		}
	}
	return b
}

// decUtf16Guess looks for the NUL-byte pattern of mostly-ASCII UTF-16 text
// without a BOM: 'l' little-endian, 'b' big-endian, 0 neither.
func decUtf16Guess(raw []byte) byte {
	n := len(raw)
	if n > 8192 {
		n = 8192
	}
	pairs := n / 2
	if pairs == 0 {
		return 0
	}
	var even, odd int
	for i := 0; i+1 < n; i += 2 {
		if raw[i] == 0 {
			even++
		}
		if raw[i+1] == 0 {
			odd++
		}
	}
	p := float64(pairs)
	switch {
	case float64(odd) >= 0.2*p && float64(even) <= 0.02*p:
		return 'l'
	case float64(even) >= 0.2*p && float64(odd) <= 0.02*p:
		return 'b'
	}
	return 0
}

func decDecodeUTF16(b []byte, bigEndian bool) (s, enc, reason, detail string) {
	enc = EncUTF16LE
	if bigEndian {
		enc = EncUTF16BE
	}
	units := make([]uint16, len(b)/2) // an odd trailing byte is a truncation: dropped
	for i := range units {
		if bigEndian {
			units[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			units[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	// A surrogate cut off at the end is a truncation too.
	if n := len(units); n > 0 && units[n-1] >= 0xd800 && units[n-1] < 0xdc00 {
		units = units[:n-1]
	}
	runes := utf16.Decode(units)
	bad := 0
	for _, r := range runes {
		if r == utf8.RuneError {
			bad++
		}
	}
	if len(runes) > 0 && float64(bad) > 0.01*float64(len(runes)) {
		return "", "", ReasonInvalidEncoding,
			fmt.Sprintf("%d of %d characters are invalid %s", bad, len(runes), enc)
	}
	return string(runes), enc, "", ""
}

// decDecodeLegacy handles bytes that are not valid UTF-8: each invalid line
// is read as Windows-1258, the Vietnamese code page, and the result is
// kept only if it looks like Vietnamese. Valid UTF-8 lines stay as they
// are, so files assembled from both encodings decode too.
func decDecodeLegacy(raw []byte) (s, enc, reason, detail string) {
	dec := charmap.Windows1258.NewDecoder()
	var out strings.Builder
	out.Grow(len(raw) + len(raw)/4)
	var nonASCII, viet int
	utf8NonASCII := false
	for len(raw) > 0 {
		line := raw
		if i := bytes.IndexByte(raw, '\n'); i >= 0 {
			line = raw[:i+1]
		}
		raw = raw[len(line):]
		if utf8.Valid(line) {
			if !utf8NonASCII && !decIsASCII(line) {
				utf8NonASCII = true
			}
			out.Write(line)
			continue
		}
		conv, err := dec.Bytes(line)
		if err != nil {
			return "", "", ReasonInvalidEncoding, "the document is neither UTF-8 nor Windows-1258"
		}
		c := norm.NFC.String(string(conv))
		for _, r := range c {
			if r >= 0x80 {
				nonASCII++
				if decIsVietLetter(r) {
					viet++
				}
			}
		}
		out.WriteString(c)
	}
	if nonASCII == 0 || float64(viet) < 0.8*float64(nonASCII) {
		return "", "", ReasonInvalidEncoding,
			"the document is not valid UTF-8 and does not read as Vietnamese in Windows-1258"
	}
	enc = EncWindows1258
	if utf8NonASCII {
		enc = EncMixed
	}
	return out.String(), enc, "", ""
}

// decCP1252 maps the runes of Windows-1252 and Latin-1 back to their byte.
var decCP1252 = func() map[rune]byte {
	m := map[rune]byte{}
	for b := 0x80; b <= 0xff; b++ {
		m[rune(b)] = byte(b)
		if r := charmap.Windows1252.DecodeByte(byte(b)); r != utf8.RuneError {
			m[r] = byte(b)
		}
	}
	return m
}()

// decRepairDoubleUTF8 undoes a double UTF-8 encoding when every non-ASCII
// rune is a Windows-1252/Latin-1 character and the bytes they stand for are
// UTF-8 that reads as Vietnamese.
func decRepairDoubleUTF8(raw []byte) (string, bool) {
	var out []byte
	high := false
	for i := 0; i < len(raw); {
		if raw[i] < 0x80 {
			if out != nil {
				out = append(out, raw[i])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(raw[i:])
		b, ok := decCP1252[r]
		if !ok {
			return "", false
		}
		if out == nil {
			out = make([]byte, i, len(raw))
			copy(out, raw[:i])
		}
		out = append(out, b)
		high = true
		i += size
	}
	if !high || !utf8.Valid(out) {
		return "", false
	}
	var nonASCII, viet int
	for _, r := range norm.NFC.String(string(out)) {
		if r >= 0x80 {
			nonASCII++
			if decIsVietLetter(r) {
				viet++
			}
		}
	}
	if viet == 0 || float64(viet) < 0.8*float64(nonASCII) {
		return "", false
	}
	return string(out), true
}

func decIsASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// decIsVietLetter reports a letter with a Vietnamese diacritic (NFC).
func decIsVietLetter(r rune) bool {
	return r >= 0x80 && foldRune(r) != unicode.ToLower(r)
}

// ---- HTML ----

var decHtmlStarts = []string{
	"<!doctype html", "<html", "<head", "<body", "<meta", "<title", "<p>", "<p ",
	"<div", "<table", "<article", "<section", "<br", "<h1", "<h2", "<h3", "<span", "<a href",
}

// decIsHTML decides from the content type, else sniffs the start of the text.
func decIsHTML(contentType, s string) bool {
	ct := strings.ToLower(contentType)
	if strings.Contains(ct, "html") {
		return true
	}
	head := s
	if len(head) > 1024 {
		head = head[:1024]
	}
	head = strings.ToLower(strings.TrimLeft(head, " \t\r\n\ufeff"))
	if strings.HasPrefix(head, "<?xml") {
		return strings.Contains(head, "<html")
	}
	for strings.HasPrefix(head, "<!--") { // skip leading comments
		i := strings.Index(head, "-->")
		if i < 0 {
			return false
		}
		head = strings.TrimLeft(head[i+3:], " \t\r\n")
	}
	for _, p := range decHtmlStarts {
		if strings.HasPrefix(head, p) {
			return true
		}
	}
	return false
}

var decBlockTags = map[string]bool{
	"p": true, "div": true, "br": true, "li": true, "ul": true, "ol": true, "tr": true,
	"table": true, "h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"blockquote": true, "pre": true, "section": true, "article": true, "header": true,
	"footer": true, "nav": true, "aside": true, "main": true, "hr": true, "dl": true,
	"dt": true, "dd": true, "figure": true, "figcaption": true, "caption": true,
	"tbody": true, "thead": true, "form": true, "address": true,
}

var decSkipTags = map[string]bool{
	"script": true, "style": true, "noscript": true, "template": true, "svg": true,
	"iframe": true, "object": true,
}

// decStripTags is the fallback HTML-to-text conversion: a single linear scan
// that drops comments, scripts, styles and tags, turns block tags into line
// breaks and unescapes entities. It also returns the <title>.
func decStripTags(s string) (title, body string) {
	lower := decAsciiLower(s)
	var b strings.Builder
	b.Grow(len(s) / 2)
	i := 0
	for i < len(s) {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			b.WriteString(s[i:])
			break
		}
		b.WriteString(s[i : i+j])
		i += j
		rest := lower[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			k := strings.Index(rest[4:], "-->")
			if k < 0 {
				return title, html.UnescapeString(b.String())
			}
			i += 4 + k + 3
			continue
		case strings.HasPrefix(rest, "<!") || strings.HasPrefix(rest, "<?"):
			k := strings.IndexByte(rest, '>')
			if k < 0 {
				return title, html.UnescapeString(b.String())
			}
			i += k + 1
			continue
		}
		name, end := decScanTag(lower, i)
		if name == "" { // a lone '<'
			b.WriteByte('<')
			i++
			continue
		}
		if end < 0 { // unterminated tag: drop the rest
			break
		}
		closing := name[0] == '/'
		bare := strings.TrimPrefix(name, "/")
		i = end
		switch {
		case !closing && (decSkipTags[bare] || bare == "title"):
			k := strings.Index(lower[i:], "</"+bare)
			if k < 0 {
				k = len(s) - i
			}
			if bare == "title" && title == "" {
				title = strings.TrimSpace(html.UnescapeString(s[i : i+k]))
			}
			i += k
			if g := strings.IndexByte(lower[i:], '>'); g >= 0 {
				i += g + 1
			} else {
				i = len(s)
			}
		case decBlockTags[bare]:
			b.WriteByte('\n')
		case bare == "td" || bare == "th":
			b.WriteByte('\t')
		}
	}
	return title, html.UnescapeString(b.String())
}

// decScanTag reads the tag at s[i] == '<': its lower-case name ("/p" for a
// closing tag) and the index after its '>', or -1 if it never closes.
// Quoted attribute values may contain '>'.
func decScanTag(lower string, i int) (name string, end int) {
	k := i + 1
	if k < len(lower) && lower[k] == '/' {
		k++
	}
	start := k
	for k < len(lower) && (lower[k] >= 'a' && lower[k] <= 'z' || lower[k] >= '0' && lower[k] <= '9' || lower[k] == '-' || lower[k] == ':') {
		k++
	}
	if k == start || !(lower[start] >= 'a' && lower[start] <= 'z') {
		return "", 0
	}
	name = lower[i+1 : k]
	var quote byte
	for ; k < len(lower); k++ {
		c := lower[k]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '>':
			return name, k + 1
		}
	}
	return name, -1
}

// decAsciiLower lower-cases ASCII letters only, keeping byte offsets.
func decAsciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 32
		}
	}
	return string(b)
}

// ---- normalisation ----

// decNormalize maps line breaks to LF, Unicode spaces to ' ', removes
// invisible and control characters, composes to NFC and fixes tone-mark
// placement. For HTML it also collapses runs of spaces and blank lines.
func decNormalize(s string, collapse bool) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				continue
			}
			b.WriteByte('\n')
		case r == '\n' || r == '\f' || r == '\v' || r == 0x85 || r == 0x2028 || r == 0x2029:
			b.WriteByte('\n')
		case r == '\t':
			b.WriteByte('\t')
		case r == utf8.RuneError:
			// invalid or replacement character: dropped
		case decIsSpaceRune(r):
			b.WriteByte(' ')
		case decIsInvisible(r) || unicode.IsControl(r):
			// dropped
		default:
			b.WriteRune(r)
		}
	}
	out := decFixTones(norm.NFC.String(b.String()))
	return decTidyLines(out, collapse)
}

func decIsSpaceRune(r rune) bool {
	switch r {
	case 0xa0, 0x1680, 0x202f, 0x205f, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200a
}

func decIsInvisible(r rune) bool {
	switch {
	case r == 0xad, r == 0x180e, r == 0xfeff, r == 0x034f:
		return true
	case r >= 0x200b && r <= 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2060 && r <= 0x2064, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// decTidyLines trims trailing blanks of every line and blank lines at both
// ends; with collapse it also squeezes space runs and multiple blank lines.
func decTidyLines(s string, collapse bool) string {
	var b strings.Builder
	b.Grow(len(s))
	blank := 0
	started := false
	for len(s) > 0 {
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		if collapse {
			line = strings.Join(strings.Fields(line), " ")
		} else {
			line = strings.TrimRight(line, " \t")
		}
		if line == "" || strings.TrimSpace(line) == "" {
			if started {
				blank++
			}
			continue
		}
		if started {
			n := blank + 1
			if collapse && n > 2 {
				n = 2
			}
			b.WriteString(strings.Repeat("\n", n))
		}
		blank = 0
		started = true
		b.WriteString(line)
	}
	return b.String()
}

// Tone-mark placement. In open syllables ending in oa, oe or uy the tone
// may sit on either vowel ("hoà"/"hòa", "thuý"/"thúy"); we move it to the
// first so that both spellings match. Closed syllables ("hoàn") and "qu"
// ("quý", "quả") are left alone.
var (
	decToneFrom = map[rune][2]rune{} // toned a/e/y → {base, tone index}
	decToneTo   = map[rune][5]rune{} // o/u → toned forms
)

func init() {
	for base, set := range map[rune]string{
		'a': "àáảãạ", 'e': "èéẻẽẹ", 'y': "ỳýỷỹỵ",
		'A': "ÀÁẢÃẠ", 'E': "ÈÉẺẼẸ", 'Y': "ỲÝỶỸỴ",
	} {
		for i, r := range []rune(set) {
			decToneFrom[r] = [2]rune{base, rune(i)}
		}
	}
	for base, set := range map[rune]string{
		'o': "òóỏõọ", 'u': "ùúủũụ", 'O': "ÒÓỎÕỌ", 'U': "ÙÚỦŨỤ",
	} {
		var a [5]rune
		copy(a[:], []rune(set))
		decToneTo[base] = a
	}
}

func decFixTones(s string) string {
	var b strings.Builder
	last := 0       // s[:last] is already in b
	var p1, p2 rune // the two runes before the current one
	p1at := 0       // byte offset of p1
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if t, ok := decToneFrom[r]; ok {
			lf, lb := unicode.ToLower(p1), unicode.ToLower(t[0])
			if lf == 'o' && (lb == 'a' || lb == 'e') || lf == 'u' && lb == 'y' {
				next, _ := utf8.DecodeRuneInString(s[i+size:])
				pp := unicode.ToLower(p2)
				open := i+size == len(s) || !decIsWordRune(next)
				if open && pp != 'q' && !decIsVowelish(pp) { // not "quý", not a longer cluster
					if b.Cap() == 0 {
						b.Grow(len(s))
					}
					b.WriteString(s[last:p1at])
					b.WriteRune(decToneTo[p1][t[1]])
					b.WriteRune(t[0])
					last = i + size
				}
			}
		}
		p2, p1, p1at = p1, r, i
		i += size
	}
	if last == 0 {
		return s
	}
	b.WriteString(s[last:])
	return b.String()
}

func decIsWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) }

func decIsVowelish(r rune) bool {
	switch foldRune(r) {
	case 'a', 'e', 'i', 'o', 'u', 'y':
		return true
	}
	return false
}

// ---- small helpers ----

func decHasLetter(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// decFirstLine is the first non-empty line, trimmed to decMaxSnippet runes.
func decFirstLine(s string) string {
	for len(s) > 0 {
		line := s
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			line, s = s[:i], s[i+1:]
		} else {
			s = ""
		}
		if line = strings.TrimSpace(line); line != "" {
			return decTruncRunes(line, decMaxSnippet)
		}
	}
	return ""
}

func decTruncRunes(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}

// decSnippet renders the start of s as at most decMaxSnippet printable runes,
// whitespace collapsed and other unprintables shown as '.'.
func decSnippet(s string) string {
	var b strings.Builder
	n := 0
	space := false
	for _, r := range s {
		if n >= decMaxSnippet {
			break
		}
		if unicode.IsSpace(r) || decIsSpaceRune(r) {
			space = n > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			n++
			space = false
			if n >= decMaxSnippet {
				break
			}
		}
		if r == utf8.RuneError || !unicode.IsPrint(r) {
			r = '.'
		}
		b.WriteRune(r)
		n++
	}
	return b.String()
}

func decSnippetBytes(raw []byte) string {
	if len(raw) > 4*decMaxSnippet {
		raw = raw[:4*decMaxSnippet]
	}
	return decSnippet(string(raw))
}
