package gen

import (
	"fmt"
	"math"
	"sort"

	"github.com/chiso-vn/chiso/etl"
)

// Score compares extracted facts with the truth the way ../shared/eval/score
// does: a fact is a true positive when a truth row has the same doc,
// indicator, period start and end and value (relative tolerance 1e-6);
// truth rows with Required=false are neither rewarded nor missed; facts of
// documents without truth rows are ignored. Accumulate document by
// document with Add, read with Result.
type Score struct {
	TP, FP, FN, Required int
	QualifierOK          int
	// Misses and false positives per indicator, for diagnosis.
	FNByIndicator map[string]int
	FPByIndicator map[string]int
	// A few examples of each, "doc indicator period value (evidence)".
	FNExamples, FPExamples []string
}

type key struct {
	ind        string
	start, end string
}

// Add scores one document.
func (s *Score) Add(truth []Fact, facts []etl.Fact) {
	if len(truth) == 0 {
		return
	}
	if s.FNByIndicator == nil {
		s.FNByIndicator, s.FPByIndicator = map[string]int{}, map[string]int{}
	}
	byKey := map[key][]int{}
	for i, t := range truth {
		k := key{t.Indicator, t.Start.Format("2006-01-02"), t.End.Format("2006-01-02")}
		byKey[k] = append(byKey[k], i)
		if t.Required {
			s.Required++
		}
	}
	matched := make([]bool, len(truth))
	type dk struct {
		k key
		v float64
	}
	seen := map[dk]bool{}
	for _, f := range facts {
		k := key{f.Indicator, f.Period.Start.Format("2006-01-02"), f.Period.End.Format("2006-01-02")}
		d := dk{k, math.Round(f.Value*1e6) / 1e6}
		if seen[d] {
			continue
		}
		seen[d] = true
		hit := -1
		for _, i := range byKey[k] {
			if closeTo(truth[i].Value, f.Value) {
				hit = i
				break
			}
		}
		if hit < 0 {
			s.FP++
			s.FPByIndicator[f.Indicator]++
			if len(s.FPExamples) < 50 {
				s.FPExamples = append(s.FPExamples, fmt.Sprintf("%s %s %s..%s %s (%s) <- %s", f.Doc, f.Indicator, k.start, k.end,
					etl.FormatValue(f.Value), f.Qualifier, f.Evidence))
			}
			continue
		}
		s.TP++
		matched[hit] = true
		q := f.Qualifier
		if q == "" {
			q = etl.Exact
		}
		if q == truth[hit].Qualifier {
			s.QualifierOK++
		}
	}
	for i, t := range truth {
		if t.Required && !matched[i] {
			s.FN++
			s.FNByIndicator[t.Indicator]++
			if len(s.FNExamples) < 50 {
				s.FNExamples = append(s.FNExamples, fmt.Sprintf("%s %s %s..%s %s <- %s", t.Doc, t.Indicator,
					t.Start.Format("2006-01-02"), t.End.Format("2006-01-02"), etl.FormatValue(t.Value), t.Evidence))
			}
		}
	}
}

func closeTo(a, b float64) bool {
	return math.Abs(a-b) <= 1e-6*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}

// Precision is TP / (TP + FP).
func (s *Score) Precision() float64 {
	if s.TP+s.FP == 0 {
		return 0
	}
	return float64(s.TP) / float64(s.TP+s.FP)
}

// Recall is the share of required truth rows found.
func (s *Score) Recall() float64 {
	if s.Required == 0 {
		return 0
	}
	return float64(s.Required-s.FN) / float64(s.Required)
}

// String is the scorer's summary line plus the worst indicators.
func (s *Score) String() string {
	out := fmt.Sprintf("gold_required=%d extracted=%d tp=%d fp=%d fn=%d precision=%.4f recall=%.4f",
		s.Required, s.TP+s.FP, s.TP, s.FP, s.FN, s.Precision(), s.Recall())
	worst := func(m map[string]int) string {
		type kv struct {
			k string
			v int
		}
		var xs []kv
		for k, v := range m {
			xs = append(xs, kv{k, v})
		}
		sort.Slice(xs, func(i, j int) bool { return xs[i].v > xs[j].v || xs[i].v == xs[j].v && xs[i].k < xs[j].k })
		r := ""
		for i, x := range xs {
			if i == 5 {
				break
			}
			r += fmt.Sprintf(" %s=%d", x.k, x.v)
		}
		return r
	}
	if s.FN > 0 {
		out += "\n  misses by indicator:" + worst(s.FNByIndicator)
	}
	if s.FP > 0 {
		out += "\n  false positives by indicator:" + worst(s.FPByIndicator)
	}
	return out
}
