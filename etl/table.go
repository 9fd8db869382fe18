package etl

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Statistical tables reach us flattened: a header of years, then for each
// row a label line followed by one value per year ("Số trạm BTS (trạm)",
// "1.402", "1.518", "1.647"), or rows of cells separated by "|". Each row's
// label is classified like a sentence and each value gets its column's year.

var (
	reYearCell  = regexp.MustCompile(`^(?:năm\s+)?((?:19|20)\d\d)$`)
	reValueCell = regexp.MustCompile(`^[\d.,]+\s*%?$`)
	reParen     = regexp.MustCompile(`\(([^()]*)\)\s*$`)
)

type line struct {
	s, e int // rune offsets of the trimmed line
	text string
}

func splitLines(t *runeText) []line {
	rs := t.rs
	var out []line
	start := 0
	for i := 0; i <= len(rs); i++ {
		if i == len(rs) || rs[i] == '\n' {
			s, e := start, i
			for s < e && (rs[s] == ' ' || rs[s] == '\t' || rs[s] == '\r') {
				s++
			}
			for e > s && (rs[e-1] == ' ' || rs[e-1] == '\t' || rs[e-1] == '\r') {
				e--
			}
			out = append(out, line{s, e, t.str(s, e)})
			start = i + 1
		}
	}
	return out
}

// cell is a table value with its place in the text.
type cell struct {
	s, e int
	text string
}

// tableRow is one labelled row of a flattened table.
type tableRow struct {
	label  line
	years  []int
	values []cell
	index  int // offset of a leading row number ("3 Trạm BTS …"), or -1
}

// findTables returns the rows of the year-column tables of a text. The
// header is a "|" line of years or one year per line; each row is a "|"
// line or a label line followed by one value line per year.
func findTables(t *runeText) []tableRow {
	lines := splitLines(t)
	rows := spaceTableRows(lines)
	for i := 0; i < len(lines); i++ {
		if l := lines[i].text; l == "" || !strings.Contains(l, "|") && (len(l) > 12 || !isDigitByte(l[0]) && l[0] != 'N' && l[0] != 'n') {
			continue // neither a "|" header nor a year line
		}
		years := pipeYears(lines[i].text)
		j := i + 1
		if len(years) < 2 {
			years = nil
			j = i
			for j < len(lines) {
				m := reYearCell.FindStringSubmatch(strings.ToLower(lines[j].text))
				if m == nil {
					break
				}
				years = append(years, atoi(m[1]))
				j++
			}
			if len(years) < 2 || !increasing(years) {
				continue
			}
		}
		for j < len(lines) {
			if label, vals, ok := pipeRow(lines[j], t.rs, len(years)); ok {
				rows = append(rows, tableRow{label: label, years: years, values: vals, index: -1})
				j++
				continue
			}
			label := lines[j]
			if label.text == "" || reValueCell.MatchString(label.text) || j+len(years) >= len(lines) {
				break
			}
			var vals []cell
			for c := 1; c <= len(years); c++ {
				l := lines[j+c]
				if !reValueCell.MatchString(l.text) {
					vals = nil
					break
				}
				vals = append(vals, cell{l.s, l.e, l.text})
			}
			if vals == nil {
				break
			}
			rows = append(rows, tableRow{label: label, years: years, values: vals, index: -1})
			j += len(years) + 1
		}
		i = j - 1
	}
	return rows
}

func increasing(ys []int) bool {
	for i := 1; i < len(ys); i++ {
		if ys[i] <= ys[i-1] {
			return false
		}
	}
	return true
}

func pipeYears(s string) []int {
	if !strings.Contains(s, "|") {
		return nil
	}
	var ys []int
	for i, c := range strings.Split(s, "|") {
		c = strings.TrimSpace(strings.ToLower(c))
		if m := reYearCell.FindStringSubmatch(c); m != nil {
			ys = append(ys, atoi(m[1]))
		} else if i > 0 || c == "" {
			return nil
		}
	}
	if !increasing(ys) {
		return nil
	}
	return ys
}

func pipeRow(l line, rs []rune, n int) (line, []cell, bool) {
	parts := strings.Split(l.text, "|")
	if len(parts) != n+1 {
		return line{}, nil, false
	}
	// walk the runes to find each cell's offsets
	var cells []cell
	pos := l.s
	var label line
	for i, p := range parts {
		pr := []rune(p)
		lead := len(pr) - len([]rune(strings.TrimLeft(p, " \t")))
		t := strings.TrimSpace(p)
		c := cell{pos + lead, pos + lead + len([]rune(t)), t}
		if i == 0 {
			label = line{c.s, c.e, t}
		} else {
			if !reValueCell.MatchString(t) {
				return line{}, nil, false
			}
			cells = append(cells, c)
		}
		pos += len(pr) + 1
	}
	if label.text == "" || reValueCell.MatchString(label.text) {
		return line{}, nil, false
	}
	return label, cells, true
}

// rowSentence turns a row label and one value into a sentence the
// classifier reads like prose: "Doanh thu bưu chính, viễn thông (tỷ
// đồng)" + "1.410" → "Doanh thu bưu chính, viễn thông đạt 1.410 tỷ đồng".
// It returns the sentence and the rune offset of the value in it.
func rowSentence(label, value string) (string, int) {
	unit := ""
	if m := reParen.FindStringSubmatchIndex(label); m != nil {
		unit = strings.TrimSpace(label[m[2]:m[3]])
		label = strings.TrimSpace(label[:m[0]])
	}
	head := label + " đạt "
	at := len([]rune(head))
	switch {
	case unit == "%" || strings.HasSuffix(value, "%"):
		return head + strings.TrimSuffix(value, "%") + "%", at
	case unit != "":
		return head + value + " " + unit, at
	}
	return head + value, at
}

// Space-separated tables, as PDF converters emit them:
//
//	TT Chỉ tiêu Đơn vị Năm 2021 Năm 2022 Tăng/giảm (%)
//	3 Trạm BTS Trạm 1.584 1.662 4,9
var (
	reSpaceHeaderYear = regexp.MustCompile(`(?i)(?:năm\s+)?((?:19|20)\d\d)\b`)
	reLeadIndex       = regexp.MustCompile(`^\d{1,2}\.?\s+`)
)

// unitWords are the unit columns of such tables, moved after the value so
// the row reads like prose ("Trạm BTS đạt 1.584 trạm").
var unitWords = []string{"TB/100 dân", "thuê bao/100 dân", "tỷ đồng", "triệu đồng", "nghìn thuê bao", "thuê bao", "bưu cục", "điểm", "trạm",
	"hồ sơ", "tài khoản", "dịch vụ", "cuộc", "lớp", "lượt", "người", "thành viên", "quyết định", "giấy phép", "%"}

// spaceTableRows reads the rows of space-separated year tables.
func spaceTableRows(lines []line) []tableRow {
	var rows []tableRow
	for i := 0; i < len(lines); i++ {
		h := lines[i].text
		if strings.Contains(h, "|") || utf8.RuneCountInString(h) > 160 {
			continue
		}
		// the cheap test first: most lines name no "năm"/"chỉ tiêu"
		if low := strings.ToLower(h); !strings.Contains(low, "năm") && !strings.Contains(low, "chỉ tiêu") {
			continue
		}
		ms := reSpaceHeaderYear.FindAllStringSubmatchIndex(h, -1)
		if len(ms) < 2 {
			continue
		}
		var years []int
		for _, m := range ms {
			years = append(years, atoi(h[m[2]:m[3]]))
		}
		if !increasing(years) {
			continue
		}
		extra := strings.TrimSpace(h[ms[len(ms)-1][1]:]) != "" // a change column after the years
		j := i + 1
		for ; j < len(lines); j++ {
			l := lines[j]
			fields := strings.Fields(l.text)
			want := len(years)
			if extra {
				want++
			}
			if len(fields) < want+1 {
				break
			}
			vals := fields[len(fields)-want:]
			ok := true
			for _, v := range vals {
				if _, good := ParseNumber(v); !good && v != "-" {
					ok = false
				}
			}
			if !ok {
				break
			}
			labelText := strings.Join(fields[:len(fields)-want], " ")
			labelText = reLeadIndex.ReplaceAllString(labelText, "")
			if labelText == "" || !strings.ContainsFunc(labelText, func(r rune) bool { return r > '9' }) {
				break
			}
			// cells: find each value's offsets in the line, from the right
			rs := []rune(l.text)
			var cells []cell
			pos := len(rs)
			for k := len(vals) - 1; k >= 0; k-- {
				idx := strings.LastIndex(string(rs[:pos]), vals[k])
				if idx < 0 {
					ok = false
					break
				}
				ri := len([]rune(string(rs[:pos])[:idx]))
				cells = append([]cell{{l.s + ri, l.s + ri + len([]rune(vals[k])), vals[k]}}, cells...)
				pos = ri
			}
			if !ok {
				break
			}
			if extra {
				cells = cells[:len(years)]
			}
			var keep []cell
			var ys []int
			for k, c := range cells {
				if c.text != "-" {
					keep, ys = append(keep, c), append(ys, years[k])
				}
			}
			index := -1
			if reLeadIndex.MatchString(l.text) {
				index = l.s
			}
			rows = append(rows, tableRow{label: line{l.s, l.s, unitLast(labelText)}, years: ys, values: keep, index: index})
		}
		i = j - 1
	}
	return rows
}

// unitLast moves a trailing unit column into brackets, the form rowSentence
// reads: "Trạm BTS Trạm" → "Trạm BTS (Trạm)".
func unitLast(label string) string {
	low := strings.ToLower(label)
	for _, u := range unitWords {
		if strings.HasSuffix(low, " "+strings.ToLower(u)) {
			n := len(label) - len(u)
			return strings.TrimSpace(label[:n]) + " (" + label[n:] + ")"
		}
	}
	return label
}
