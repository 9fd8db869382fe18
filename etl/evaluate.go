package etl

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// GoldFact is one hand-labelled fact in the scorer's format
// (doc,province_code,period_start,period_end,indicator,value,qualifier,required,evidence).
type GoldFact struct {
	Doc, ProvinceCode, PeriodStart, PeriodEnd, Indicator string
	Value                                                float64
	Qualifier                                            string
	Required                                             bool
	Evidence                                             string
}

// ReadGold reads a gold CSV.
func ReadGold(r io.Reader) ([]GoldFact, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	head, err := cr.Read()
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(h)] = i
	}
	for _, need := range []string{"doc", "province_code", "period_start", "period_end", "indicator", "value"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("gold: missing column %q", need)
		}
	}
	get := func(rec []string, name string) string {
		if i, ok := col[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	var out []GoldFact
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		v, err := strconv.ParseFloat(get(rec, "value"), 64)
		if err != nil {
			return nil, fmt.Errorf("gold: value %q: %w", get(rec, "value"), err)
		}
		q := get(rec, "qualifier")
		if q == "" {
			q = string(Exact)
		}
		out = append(out, GoldFact{Doc: get(rec, "doc"), ProvinceCode: get(rec, "province_code"), PeriodStart: get(rec, "period_start"),
			PeriodEnd: get(rec, "period_end"), Indicator: get(rec, "indicator"), Value: v, Qualifier: q,
			Required: get(rec, "required") != "0", Evidence: get(rec, "evidence")})
	}
}

// Scores are the scorer's figures (same rules as ../shared/eval/score).
type Scores struct {
	Docs, Required, Extracted, TP, FP, FN int
	Precision, Recall, F1                 float64
	QualifierAccuracy, ProvinceAccuracy   float64
	FalsePositives                        []Fact
	FalseNegatives                        []GoldFact
}

func (s Scores) String() string {
	return fmt.Sprintf("docs=%d required=%d extracted=%d tp=%d fp=%d fn=%d P=%.3f R=%.3f F1=%.3f qualifier=%.3f province=%.3f",
		s.Docs, s.Required, s.Extracted, s.TP, s.FP, s.FN, s.Precision, s.Recall, s.F1, s.QualifierAccuracy, s.ProvinceAccuracy)
}

// Score compares extracted facts with gold facts: a fact is a true positive
// when a gold row has the same document, indicator, period and value
// (relative tolerance 1e-6); gold rows with required=false may be extracted
// or not without penalty; facts of documents without gold are ignored.
func Score(gold []GoldFact, facts []Fact) Scores {
	goldBy, factsBy := map[string][]GoldFact{}, map[string][]Fact{}
	var docs []string
	for _, g := range gold {
		if goldBy[g.Doc] == nil {
			docs = append(docs, g.Doc)
		}
		goldBy[g.Doc] = append(goldBy[g.Doc], g)
	}
	for _, f := range facts {
		factsBy[f.Doc] = append(factsBy[f.Doc], f)
	}
	var sc Scorer
	for _, d := range docs {
		sc.Add(goldBy[d], factsBy[d])
	}
	return sc.Result()
}

// Scorer accumulates scores one document at a time, so a corpus of any
// size is scored in bounded memory; Scorers of parallel workers merge.
type Scorer struct {
	s              Scores
	qualOK, provOK int
	FNByIndicator  map[string]int
	FPByIndicator  map[string]int
	MaxExamples    int // false positives/negatives kept; 0: all
}

// Add scores one document: its gold rows and its extracted facts.
func (sc *Scorer) Add(gold []GoldFact, facts []Fact) {
	if len(gold) == 0 {
		return
	}
	if sc.FNByIndicator == nil {
		sc.FNByIndicator, sc.FPByIndicator = map[string]int{}, map[string]int{}
	}
	type key struct{ ind, ps, pe string }
	byKey := map[key][]int{}
	for i, g := range gold {
		k := key{g.Indicator, g.PeriodStart, g.PeriodEnd}
		byKey[k] = append(byKey[k], i)
	}
	sc.s.Docs++
	matched := make([]bool, len(gold))
	seen := map[string]bool{}
	provs := map[string]bool{}
	for _, f := range facts {
		provs[f.ProvinceCode] = true
		k := key{f.Indicator, f.Period.Start.Format(dateLayout), f.Period.End.Format(dateLayout)}
		dedup := fmt.Sprintf("%v|%.6f", k, f.Value)
		if seen[dedup] {
			continue
		}
		seen[dedup] = true
		hit := -1
		for _, i := range byKey[k] {
			if closeTo(gold[i].Value, f.Value) {
				hit = i
				break
			}
		}
		if hit < 0 {
			sc.s.FP++
			sc.FPByIndicator[f.Indicator]++
			if sc.MaxExamples == 0 || len(sc.s.FalsePositives) < sc.MaxExamples {
				sc.s.FalsePositives = append(sc.s.FalsePositives, f)
			}
			continue
		}
		sc.s.TP++
		matched[hit] = true
		if string(f.Qualifier) == gold[hit].Qualifier || f.Qualifier == "" && gold[hit].Qualifier == string(Exact) {
			sc.qualOK++
		}
	}
	for i, g := range gold {
		if !g.Required {
			continue
		}
		sc.s.Required++
		if !matched[i] {
			sc.s.FN++
			sc.FNByIndicator[g.Indicator]++
			if sc.MaxExamples == 0 || len(sc.s.FalseNegatives) < sc.MaxExamples {
				sc.s.FalseNegatives = append(sc.s.FalseNegatives, g)
			}
		}
	}
	if len(provs) == 1 && provs[gold[0].ProvinceCode] {
		sc.provOK++
	}
}

// Merge adds the counts of another scorer (e.g. of a parallel worker).
func (sc *Scorer) Merge(o *Scorer) {
	sc.s.Docs += o.s.Docs
	sc.s.Required += o.s.Required
	sc.s.TP += o.s.TP
	sc.s.FP += o.s.FP
	sc.s.FN += o.s.FN
	sc.qualOK += o.qualOK
	sc.provOK += o.provOK
	sc.s.FalsePositives = append(sc.s.FalsePositives, o.s.FalsePositives...)
	sc.s.FalseNegatives = append(sc.s.FalseNegatives, o.s.FalseNegatives...)
	if sc.FNByIndicator == nil {
		sc.FNByIndicator, sc.FPByIndicator = map[string]int{}, map[string]int{}
	}
	for k, v := range o.FNByIndicator {
		sc.FNByIndicator[k] += v
	}
	for k, v := range o.FPByIndicator {
		sc.FPByIndicator[k] += v
	}
}

// Result returns the figures so far.
func (sc *Scorer) Result() Scores {
	s := sc.s
	s.Extracted = s.TP + s.FP
	if s.Extracted > 0 {
		s.Precision = float64(s.TP) / float64(s.Extracted)
	}
	if s.Required > 0 {
		s.Recall = float64(s.Required-s.FN) / float64(s.Required)
	}
	if s.Precision+s.Recall > 0 {
		s.F1 = 2 * s.Precision * s.Recall / (s.Precision + s.Recall)
	}
	if s.TP > 0 {
		s.QualifierAccuracy = float64(sc.qualOK) / float64(s.TP)
	}
	if s.Docs > 0 {
		s.ProvinceAccuracy = float64(sc.provOK) / float64(s.Docs)
	}
	return s
}

func closeTo(a, b float64) bool {
	return math.Abs(a-b) <= 1e-6*math.Max(1, math.Max(math.Abs(a), math.Abs(b)))
}
