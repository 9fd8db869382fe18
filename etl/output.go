package etl

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
)

// FactColumns are the columns of `chiso extract --format csv`, the
// scorer's input format.
var FactColumns = []string{"doc", "province_code", "province", "period_start", "period_end", "indicator", "value", "unit", "qualifier", "evidence", "span_start", "span_end"}

// FormatValue prints a value as a plain decimal without exponent or
// thousands separators.
func FormatValue(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

const dateLayout = "2006-01-02"

// FactWriter streams facts as CSV or JSON lines.
type FactWriter struct {
	csv  *csv.Writer
	json *json.Encoder
}

// NewFactWriter writes the header at once for CSV; format is csv or json.
func NewFactWriter(w io.Writer, format string) (*FactWriter, error) {
	if format == "json" {
		return &FactWriter{json: json.NewEncoder(w)}, nil
	}
	cw := csv.NewWriter(w)
	return &FactWriter{csv: cw}, cw.Write(FactColumns)
}

// Write writes one fact.
func (fw *FactWriter) Write(f Fact) error {
	if fw.json != nil {
		return fw.json.Encode(map[string]any{
			"doc": f.Doc, "province_code": f.ProvinceCode, "province": f.Province,
			"period_start": f.Period.Start.Format(dateLayout), "period_end": f.Period.End.Format(dateLayout), "granularity": f.Period.Grain,
			"indicator": f.Indicator, "value": f.Value, "denominator": f.Denominator, "unit": f.Unit, "qualifier": f.Qualifier,
			"evidence": f.Evidence, "span_start": f.SpanStart, "span_end": f.SpanEnd, "score": f.Score,
		})
	}
	return fw.csv.Write([]string{f.Doc, f.ProvinceCode, f.Province, f.Period.Start.Format(dateLayout), f.Period.End.Format(dateLayout),
		f.Indicator, FormatValue(f.Value), f.Unit, string(f.Qualifier), f.Evidence, strconv.Itoa(f.SpanStart), strconv.Itoa(f.SpanEnd)})
}

// Flush flushes buffered CSV.
func (fw *FactWriter) Flush() error {
	if fw.csv != nil {
		fw.csv.Flush()
		return fw.csv.Error()
	}
	return nil
}
