package etl

import (
	"bytes"
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"
	"time"
)

// data holds the project's reference data: the indicator catalog and the
// province tables, shipped in the binary so a load needs no files.
//
//go:embed data/*.csv
var data embed.FS

// Indicator is one catalog entry. The first seven fields are the shared
// spec's columns; the rest drive the classifier.
type Indicator struct {
	Code     string
	Category string
	Unit     string // count, percent, vnd, per_100_residents
	Kind     string // stock or flow
	NameVI   string
	NameEN   string
	CuesVI   []string // the spec's cue phrases ("..." marks a gap)
	// After are phrases that directly follow the number ("1.730 trạm BTS").
	After []string
	// Before are phrases that precede the number in the same clause
	// ("tổng số tiền phạt 164,5 triệu đồng").
	Before []string
	// Not are phrases that veto the indicator when they appear near the
	// number in the same clause.
	Not []string
	// Require lists words of which one must appear in the sentence.
	Require []string
	// Context are supporting words anywhere in the sentence.
	Context []string
	// Min and Max bound plausible values (in the catalog unit).
	Min, Max float64
}

// Merger is the day the 63 provinces became 34.
var Merger = time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)

// Province is a province-level unit valid for an interval of dates.
type Province struct {
	Code      string // two-digit GSO code
	Name      string
	NameASCII string
	Type      string
	Region    string
	ValidFrom time.Time
	ValidTo   time.Time // zero: still valid
}

// MergeRow maps a pre-2025 province to the post-merger province that
// absorbed it.
type MergeRow struct {
	OldCode, OldName string
	NewCode, NewName string
}

// Reference is the parsed reference data.
type Reference struct {
	Indicators  []Indicator
	Provinces63 []Province
	Provinces34 []Province
	Merges      []MergeRow
	byCode      map[string]*Indicator
}

var (
	refOnce sync.Once
	ref     *Reference
	refErr  error
)

// Ref returns the embedded reference data, parsed once.
func Ref() *Reference {
	refOnce.Do(func() { ref, refErr = parseReference() })
	if refErr != nil {
		panic("etl: embedded reference data is invalid: " + refErr.Error())
	}
	return ref
}

// Indicator returns the catalog entry for code, or nil.
func (r *Reference) Indicator(code string) *Indicator { return r.byCode[code] }

// Province34 returns the post-merger province for a code, or nil.
func (r *Reference) Province34(code string) *Province {
	for i := range r.Provinces34 {
		if r.Provinces34[i].Code == code {
			return &r.Provinces34[i]
		}
	}
	return nil
}

// Province63 returns the pre-merger province for a code, or nil.
func (r *Reference) Province63(code string) *Province {
	for i := range r.Provinces63 {
		if r.Provinces63[i].Code == code {
			return &r.Provinces63[i]
		}
	}
	return nil
}

// ProvinceAt maps a pre-merger province code to the province valid on day:
// itself before the merger, the province that absorbed it after.
func (r *Reference) ProvinceAt(code63 string, day time.Time) (code, name string) {
	if day.Before(Merger) {
		if p := r.Province63(code63); p != nil {
			return p.Code, p.Name
		}
		return "", ""
	}
	for _, m := range r.Merges {
		if m.OldCode == code63 {
			return m.NewCode, m.NewName
		}
	}
	if p := r.Province34(code63); p != nil {
		return p.Code, p.Name
	}
	return "", ""
}

func readCSV(name string) ([]map[string]string, error) {
	b, err := data.ReadFile("data/" + name)
	if err != nil {
		return nil, err
	}
	rd := csv.NewReader(bytes.NewReader(b))
	rd.FieldsPerRecord = -1
	head, err := rd.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	var rows []map[string]string
	for {
		rec, err := rd.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		row := make(map[string]string, len(head))
		for i, h := range head {
			if i < len(rec) {
				row[h] = strings.TrimSpace(rec[i])
			}
		}
		rows = append(rows, row)
	}
	return rows, nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, "|") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseFloatOr(s string, def float64) float64 {
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f
	}
	return def
}

func parseReference() (*Reference, error) {
	r := &Reference{byCode: map[string]*Indicator{}}
	rows, err := readCSV("indicators.csv")
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		in := Indicator{
			Code: row["code"], Category: row["category"], Unit: row["unit"], Kind: row["kind"],
			NameVI: row["name_vi"], NameEN: row["name_en"], CuesVI: splitList(row["cues_vi"]),
			After: splitList(row["after"]), Before: splitList(row["before"]), Not: splitList(row["not"]),
			Require: splitList(row["require"]), Context: splitList(row["context"]),
			Min: parseFloatOr(row["min"], 0), Max: parseFloatOr(row["max"], 0),
		}
		if in.Code == "" || in.Unit == "" {
			return nil, fmt.Errorf("indicators.csv: row without code or unit: %v", row)
		}
		r.Indicators = append(r.Indicators, in)
	}
	for i := range r.Indicators {
		r.byCode[r.Indicators[i].Code] = &r.Indicators[i]
	}
	dayBefore := Merger.AddDate(0, 0, -1)
	rows, err = readCSV("provinces_63.csv")
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		r.Provinces63 = append(r.Provinces63, Province{Code: row["code"], Name: row["name_vi"], NameASCII: row["name_ascii"],
			Type: row["type"], Region: row["region"], ValidTo: dayBefore})
	}
	rows, err = readCSV("provinces_34_2025.csv")
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		r.Provinces34 = append(r.Provinces34, Province{Code: row["code"], Name: row["name_vi"], NameASCII: Fold(row["name_vi"]),
			Type: row["type"], ValidFrom: Merger})
	}
	rows, err = readCSV("provinces_2025_merge.csv")
	if err != nil {
		return nil, err
	}
	for _, row := range rows {
		m := MergeRow{OldCode: row["old_code"], OldName: row["old_name_vi"], NewName: row["new_name_vi"]}
		for _, p := range r.Provinces34 {
			if p.Name == m.NewName {
				m.NewCode = p.Code
			}
		}
		if m.NewCode == "" {
			return nil, fmt.Errorf("provinces_2025_merge.csv: %s maps to unknown province %q", m.OldName, m.NewName)
		}
		r.Merges = append(r.Merges, m)
	}
	return r, nil
}
