// Package review renders chiso's evidence pages: the loaded documents, the
// normalised text of one document with every extracted number highlighted
// (facts, alternative readings, dropped and rejected numbers, each with its
// reading or reason on hover) and the latest value of one indicator per
// province with links to its evidence. Pages are plain server-rendered HTML
// (html/template), need no external assets and work without JavaScript.
//
// The package reads through the small Store interface (implemented by
// etl/warehouse), so pages are testable with a fake store, and it renders a
// single extraction without any database for `chiso extract --html`.
package review

import (
	"context"
	"errors"
	"time"

	"github.com/chiso-vn/chiso/etl"
)

// ErrNotFound is returned by a Store for an unknown document.
var ErrNotFound = errors.New("review: not found")

// Store is what the pages read.
type Store interface {
	// Documents lists the loaded documents.
	Documents(ctx context.Context) ([]DocumentSummary, error)
	// Document returns one loaded document with its text, facts,
	// candidates and rejects, or ErrNotFound. Notes may be left empty: the
	// pages recompute them from the text.
	Document(ctx context.Context, id string) (*Document, error)
	// Latest returns the latest value of an indicator per province.
	Latest(ctx context.Context, indicator string) ([]Latest, error)
}

// DocumentSummary is one row of the document list.
type DocumentSummary struct {
	ID, URI, Title string
	Published      time.Time // zero if unknown
	ProvinceCode   string    // of most facts; empty when there are none
	Province       string
	PeriodStart    time.Time // of most facts; zero when there are none
	PeriodEnd      time.Time
	Facts          int
	Candidates     int
	Rejects        int // value-level rejects of the run that loaded it
	LoadedRun      int64
}

// Document is one document as the evidence page shows it.
type Document struct {
	ID, URI, Title string
	Published      time.Time
	// Text is the normalised text; spans are rune offsets into it.
	Text         string
	ProvinceCode string // the document's province (empty: taken from the extractor)
	Province     string
	Period       etl.Period // the document's main period (zero: taken from the extractor)
	Facts        []etl.Fact
	Candidates   []etl.Fact // readings that lost to a fact
	// Notes are the numbers the extractor dropped, with their reasons.
	// When nil the page re-runs the extractor on Text to get them.
	Notes   []etl.Note
	Rejects []etl.Reject
	// ExtractorVersion loaded the facts; LoadedRun is the run (0: not
	// from a warehouse).
	ExtractorVersion string
	LoadedRun        int64
}

// Latest is one province's latest value of an indicator with its evidence.
type Latest struct {
	etl.LatestValue
	Evidence           string
	SpanStart, SpanEnd int
}

// FromExtraction builds the page of one document extracted in memory, as
// `chiso extract --html` does.
func FromExtraction(doc *etl.Document, text *etl.Text, ex *etl.Extraction, rejects []etl.Reject) *Document {
	d := &Document{ID: doc.ID, URI: doc.URI, ExtractorVersion: etl.ExtractorVersion, Rejects: rejects}
	if text != nil {
		d.Text, d.Title, d.Published = text.Body, text.Title, text.Published
	}
	if ex != nil {
		d.ProvinceCode, d.Province, d.Period = ex.ProvinceCode, ex.Province, ex.Period
		d.Facts, d.Candidates, d.Notes = ex.Facts, ex.Candidates, ex.Notes
		if d.Notes == nil {
			d.Notes = []etl.Note{}
		}
	}
	return d
}

// complete fills what a store may leave out — the notes, the document's
// province and period — by re-running the extractor on the stored text.
// That is cheap and always consistent with the text shown.
func complete(x *etl.Extractor, d *Document) {
	if d.Notes != nil && d.ProvinceCode != "" && !d.Period.IsZero() {
		return
	}
	ex := x.Extract(d.ID, &etl.Text{Body: d.Text, Title: d.Title, Published: d.Published})
	if d.Notes == nil {
		d.Notes = ex.Notes
	}
	if d.ProvinceCode == "" {
		d.ProvinceCode, d.Province = ex.ProvinceCode, ex.Province
	}
	if d.Period.IsZero() {
		d.Period = ex.Period
	}
}
