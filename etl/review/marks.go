package review

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/chiso-vn/chiso/etl"
)

// Mark classes, in priority order: when spans overlap, the merged mark takes
// the class of its most important member.
const (
	ClassFact      = "fact"      // a loaded fact
	ClassCandidate = "candidate" // an alternative reading that lost to a fact
	ClassReject    = "reject"    // a number refused as a data-quality problem
	ClassDrop      = "drop"      // a number the extractor saw and did not use
)

var classRank = map[string]int{ClassFact: 0, ClassCandidate: 1, ClassReject: 2, ClassDrop: 3}

// Segment is a run of the document text, marked or not.
type Segment struct {
	Text string
	Mark *Mark
}

// Mark is a highlighted span of the text.
type Mark struct {
	Class string
	// ID is the anchor of the mark; Anchors are the anchors of further
	// members merged into it (rendered as empty targets before it).
	ID      string
	Anchors []string
	// Title is the hover text: one line per reading or reason.
	Title string
	// Label is shown after fact marks (the indicator code).
	Label     string
	Indicator string
	Value     string
	Qualifier string
	Reason    string
}

type span struct {
	start, end int
	class      string
	anchor     string
	title      string
	indicator  string
	value      string
	qualifier  string
	reason     string
}

// FactAnchor is the fragment id of a fact's mark on its document page:
// stable across loads, so /indicators pages can link to it.
func FactAnchor(indicator, provinceCode string, start, end time.Time) string {
	return fmt.Sprintf("f-%s-%s-%s-%s", indicator, provinceCode, start.Format("20060102"), end.Format("20060102"))
}

func noteAnchor(i int) string      { return fmt.Sprintf("n-%d", i+1) }
func candidateAnchor(i int) string { return fmt.Sprintf("c-%d", i+1) }

// Segments cuts the text of d into plain and marked runs. Overlapping
// spans are merged into one mark whose hover text lists every member, so
// no reading is ever hidden.
func Segments(d *Document) []Segment {
	rs := []rune(d.Text)
	var spans []span
	add := func(s span) {
		if s.start < 0 {
			s.start = 0
		}
		if s.end > len(rs) {
			s.end = len(rs)
		}
		if s.start >= s.end {
			return
		}
		spans = append(spans, s)
	}
	for _, f := range d.Facts {
		add(span{start: f.SpanStart, end: f.SpanEnd, class: ClassFact,
			anchor: FactAnchor(f.Indicator, f.ProvinceCode, f.Period.Start, f.Period.End), title: factTitle(f),
			indicator: f.Indicator, value: etl.FormatValue(f.Value), qualifier: string(f.Qualifier)})
	}
	for i, f := range d.Candidates {
		add(span{start: f.SpanStart, end: f.SpanEnd, class: ClassCandidate, anchor: candidateAnchor(i),
			title:     "alternative reading (lost to a better one): " + factTitle(f),
			indicator: f.Indicator, value: etl.FormatValue(f.Value), qualifier: string(f.Qualifier)})
	}
	for i, n := range d.Notes {
		c, verb := ClassDrop, "dropped"
		if n.Reject {
			c, verb = ClassReject, "rejected"
		}
		add(span{start: n.SpanStart, end: n.SpanEnd, class: c, anchor: noteAnchor(i),
			title: verb + ": " + n.Reason, reason: n.Reason})
	}
	sort.SliceStable(spans, func(i, j int) bool {
		if spans[i].start != spans[j].start {
			return spans[i].start < spans[j].start
		}
		return classRank[spans[i].class] < classRank[spans[j].class]
	})
	var out []Segment
	pos := 0
	for i := 0; i < len(spans); {
		// the cluster of spans overlapping spans[i]
		end := spans[i].end
		j := i + 1
		for j < len(spans) && spans[j].start < end {
			end = max(end, spans[j].end)
			j++
		}
		cl := append([]span(nil), spans[i:j]...)
		sort.SliceStable(cl, func(a, b int) bool { return classRank[cl[a].class] < classRank[cl[b].class] })
		if spans[i].start > pos {
			out = append(out, Segment{Text: string(rs[pos:spans[i].start])})
		}
		head := cl[0]
		m := &Mark{Class: head.class, ID: head.anchor, Indicator: head.indicator, Value: head.value,
			Qualifier: head.qualifier, Reason: head.reason}
		var titles, labels []string
		for k, s := range cl {
			if k > 0 && s.anchor != "" && s.anchor != m.ID {
				m.Anchors = append(m.Anchors, s.anchor)
			}
			titles = append(titles, s.title)
			if s.class == ClassFact {
				labels = append(labels, s.indicator)
			}
		}
		m.Title = strings.Join(titles, "\n")
		m.Label = strings.Join(labels, ", ")
		out = append(out, Segment{Text: string(rs[spans[i].start:end]), Mark: m})
		pos = end
		i = j
	}
	if pos < len(rs) {
		out = append(out, Segment{Text: string(rs[pos:])})
	}
	return out
}

// factTitle is the hover text of a reading.
func factTitle(f etl.Fact) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s = %s", f.Indicator, formatValue(f.Value, f.Unit))
	if f.Denominator != 0 {
		fmt.Fprintf(&b, " of %s", etl.FormatValue(f.Denominator))
	}
	if f.Qualifier != "" {
		fmt.Fprintf(&b, " (%s)", qualifierText(f.Qualifier))
	}
	if in := etl.Ref().Indicator(f.Indicator); in != nil && in.NameEN != "" {
		fmt.Fprintf(&b, " — %s", in.NameEN)
	}
	if f.Province != "" || f.ProvinceCode != "" {
		fmt.Fprintf(&b, "; %s", provinceText(f.ProvinceCode, f.Province))
	}
	if !f.Period.IsZero() {
		fmt.Fprintf(&b, "; %s", periodText(f.Period.Start, f.Period.End, f.Period.Grain))
	}
	if f.Score != 0 {
		fmt.Fprintf(&b, "; score %.1f", f.Score)
	}
	return b.String()
}

// formatValue prints a value with its catalog unit.
func formatValue(v float64, unit string) string {
	s := etl.FormatValue(v)
	switch unit {
	case "", "count":
		return s
	case "percent":
		return s + " %"
	case "vnd":
		return s + " VND"
	case "per_100_residents":
		return s + " per 100 residents"
	default:
		return s + " " + unit
	}
}

var qualifierWords = map[etl.Qualifier]string{
	etl.Exact:    "exact",
	etl.MoreThan: "more than — hơn, trên",
	etl.Approx:   "approximately — khoảng, gần",
	etl.AtLeast:  "at least — tối thiểu",
	etl.LessThan: "less than — dưới",
	etl.AtMost:   "at most — tối đa",
}

func qualifierText(q etl.Qualifier) string {
	if s, ok := qualifierWords[q]; ok {
		return s
	}
	return string(q)
}

func provinceText(code, name string) string {
	switch {
	case code == "":
		return name
	case name == "":
		return code
	}
	return name + " (" + code + ")"
}

func periodText(start, end time.Time, grain etl.Grain) string {
	if start.IsZero() && end.IsZero() {
		return ""
	}
	s := start.Format(time.DateOnly) + " – " + end.Format(time.DateOnly)
	if start.Equal(end) {
		s = end.Format(time.DateOnly)
	}
	if grain != "" {
		s += " (" + string(grain) + ")"
	}
	return s
}
