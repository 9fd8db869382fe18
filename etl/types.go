// Package etl holds chiso's domain types and its pure pipeline stages:
// source → decode → extract. It has no cgo and no knowledge of DuckDB or
// Prometheus; the subpackages that wrap those import etl, never the reverse.
package etl

import (
	"context"
	"time"
)

// Document is one source report as fetched, before decoding.
type Document struct {
	// ID is the stable document key: the file name without its extension
	// (the scorer's "doc"), or a slug of the URL path for web pages.
	ID  string
	URI string
	// Raw holds the bytes as fetched. It is nil when NotModified is set or
	// when FetchErr is not nil.
	Raw    []byte
	SHA256 string // hex of Raw
	// ContentType is the HTTP Content-Type or a guess from the file name.
	ContentType string
	ModTime     time.Time // file mtime or HTTP Last-Modified, zero if unknown
	// HTTP validators for conditional GET, stored so unchanged pages are not
	// downloaded again.
	ETag         string
	LastModified string
	// NotModified means the source itself said the document is unchanged
	// (HTTP 304): there are no bytes and nothing to extract.
	NotModified bool
	// FetchErr is a failure to read this one document. The run goes on and
	// the document is recorded as a reject at stage "fetch".
	FetchErr error
}

// Text is a decoded document: NFC-normalised UTF-8 with the page chrome of
// HTML pages removed.
type Text struct {
	Body      string
	Title     string    // from HTML <title> or the first line, may be empty
	Published time.Time // publication date when the page states one, else zero
	Format    string    // "text" or "html"
	Encoding  string    // the encoding the bytes were decoded from
}

// Qualifier says how the reported value relates to the true value.
type Qualifier string

const (
	Exact    Qualifier = "exact"
	MoreThan Qualifier = "more_than" // hơn, trên
	Approx   Qualifier = "approx"    // gần, khoảng, xấp xỉ
	AtLeast  Qualifier = "at_least"  // tối thiểu, ít nhất
	LessThan Qualifier = "less_than" // dưới
	AtMost   Qualifier = "at_most"   // tối đa, không quá
)

// Grain is the granularity of a reporting period.
type Grain string

const (
	GrainYear    Grain = "year"
	GrainHalf    Grain = "half"
	GrainQuarter Grain = "quarter"
	GrainMonth   Grain = "month"
	GrainYTD     Grain = "year_to_date" // e.g. "9 tháng đầu năm"
	GrainRange   Grain = "multi_year"   // e.g. "giai đoạn 2021–2025"
	GrainMonths  Grain = "months"       // e.g. "từ tháng 7 đến tháng 11/2025"
	GrainDay     Grain = "day"          // a stock "tính đến 30/6"
)

// Period is a closed date interval [Start, End].
type Period struct {
	Start time.Time
	End   time.Time
	Grain Grain
}

// IsZero reports whether the period is unknown.
func (p Period) IsZero() bool { return p.Start.IsZero() }

// Fact is one indicator value proven by a span of a document's text.
type Fact struct {
	Doc          string
	ProvinceCode string // two-digit GSO code valid at the period's end
	Province     string
	Period       Period
	Indicator    string // catalog code
	Unit         string // catalog unit
	Value        float64
	// Denominator is y of an "x/y" reading or 100 of a "per 100" rate;
	// zero when the text gives none.
	Denominator float64
	Qualifier   Qualifier
	Evidence    string // the sentence (clause) the value came from
	// SpanStart and SpanEnd are character (rune) offsets of the number and
	// its unit in Text.Body, end exclusive.
	SpanStart int
	SpanEnd   int
	// Score is the classifier's confidence; among readings of the same
	// document × indicator × period the best becomes the fact, the others
	// candidates.
	Score float64
}

// Note records a number the extractor saw and dropped, with the reason; it
// feeds `extract --explain` and, for malformed numbers, the reject table.
type Note struct {
	Text      string
	SpanStart int
	SpanEnd   int
	Reason    string
	// Reject marks notes that are data-quality problems (a malformed
	// number), stored as rejects rather than mere explanations.
	Reject bool
}

// Stage names where a document or value was rejected.
const (
	StageFetch   = "fetch"
	StageDecode  = "decode"
	StageExtract = "extract"
	StageLoad    = "load"
)

// Reject is a document or a value that could not be used, with the reason.
type Reject struct {
	Doc     string
	URI     string
	Stage   string
	Reason  string // short machine-readable reason, e.g. "binary", "malformed_number"
	Detail  string // human explanation
	Snippet string
}

// Extraction is everything the extract stage found in one text.
type Extraction struct {
	ProvinceCode string
	Province     string
	Period       Period // the document's main reporting period
	Facts        []Fact
	Candidates   []Fact // alternative readings that lost to a fact
	Notes        []Note
}

// Status of a document within a run.
type Status string

const (
	StatusLoaded    Status = "loaded"
	StatusUnchanged Status = "unchanged"
	StatusRejected  Status = "rejected"
)

// Outcome is what the pipeline hands the loader for one document.
type Outcome struct {
	Doc        *Document
	Status     Status
	Text       *Text       // nil unless decoded
	Extraction *Extraction // nil unless extracted
	Rejects    []Reject    // document-level reject and value-level rejects
	// Stage durations spent on this document.
	DecodeTime  time.Duration
	ExtractTime time.Duration
}

// Source yields documents one at a time; memory stays independent of the
// corpus size. Implementations must stop when ctx is done.
type Source interface {
	// Documents calls yield for each document, in a stable order, and
	// stops at the first error yield returns.
	Documents(ctx context.Context, yield func(*Document) error) error
}

// Known tells the pipeline what the warehouse already holds, so unchanged
// documents are skipped before decoding and unchanged pages are not
// downloaded again.
type Known interface {
	// HasContent reports whether a document with this id and hash was loaded
	// by the current extractor version.
	HasContent(docID, sha256 string) bool
	// Validators returns the stored HTTP validators of a URI.
	Validators(uri string) (etag, lastModified string)
}

// NoneKnown is the Known of an empty warehouse.
type NoneKnown struct{}

func (NoneKnown) HasContent(string, string) bool     { return false }
func (NoneKnown) Validators(string) (string, string) { return "", "" }

// Run statuses.
const (
	RunRunning   = "running"
	RunSuccess   = "success"
	RunFailed    = "failed"
	RunAbandoned = "abandoned" // found still "running" at the next open: the process died
)

// Stage names timed per run.
var Stages = []string{StageFetch, StageDecode, StageExtract, StageLoad}

// RunStats summarises one ETL run; the exporter and the CLI read it.
type RunStats struct {
	RunID    int64
	Started  time.Time
	Finished time.Time
	Status   string // RunSuccess or RunFailed
	Err      error

	DocsSeen      int
	DocsLoaded    int
	DocsUnchanged int
	DocsRejected  int
	Facts         int // facts written by this run
	Candidates    int
	// RejectsByReason counts document and value rejects of this run.
	RejectsByReason map[string]int
	// StageSeconds is the time spent per stage (see Stages), summed over
	// documents for the parallel stages.
	StageSeconds map[string]float64
	// DataCheckFailures is the number of SQL data checks that returned rows.
	DataCheckFailures int
	TotalFacts        int // facts in the warehouse after the run
}

// LatestValue is one row of the v_latest view: the most recent value of an
// indicator in a province. The exporter serves these from memory.
type LatestValue struct {
	ProvinceCode string
	Province     string
	Indicator    string
	Unit         string
	Value        float64
	Qualifier    Qualifier
	PeriodStart  time.Time
	PeriodEnd    time.Time
	Doc          string
}
