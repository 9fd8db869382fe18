package warehouse

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/chiso-vn/chiso/etl"
	"github.com/chiso-vn/chiso/etl/review"
)

// Review returns the read side of the evidence pages (package review). The
// queries are the files of sql/review; they only read, so they run beside a
// load and see the last committed run.
func (w *Warehouse) Review() review.Store { return reviewStore{w} }

type reviewStore struct{ w *Warehouse }

var _ review.Store = reviewStore{}

func reviewSQL(name string) (string, error) {
	files, err := readDir("review")
	if err != nil {
		return "", err
	}
	for _, f := range files {
		if f.name == name+".sql" {
			return f.body, nil
		}
	}
	return "", fmt.Errorf("warehouse: sql/review/%s.sql is missing", name)
}

func (s reviewStore) query(ctx context.Context, name string, args ...any) (*sql.Rows, error) {
	q, err := reviewSQL(name)
	if err != nil {
		return nil, err
	}
	rows, err := s.w.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("warehouse: review %s: %w", name, err)
	}
	return rows, nil
}

func timeOf(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

// Documents lists the loaded documents (sql/review/documents.sql).
func (s reviewStore) Documents(ctx context.Context) ([]review.DocumentSummary, error) {
	rows, err := s.query(ctx, "documents")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []review.DocumentSummary
	for rows.Next() {
		var d review.DocumentSummary
		var pub, ps, pe sql.NullTime
		if err := rows.Scan(&d.ID, &d.URI, &d.Title, &pub, &d.ProvinceCode, &d.Province, &ps, &pe,
			&d.Facts, &d.Candidates, &d.Rejects, &d.LoadedRun); err != nil {
			return nil, fmt.Errorf("warehouse: review documents: %w", err)
		}
		d.Published, d.PeriodStart, d.PeriodEnd = timeOf(pub), timeOf(ps), timeOf(pe)
		out = append(out, d)
	}
	return out, rows.Err()
}

// Document returns one loaded document with its facts, candidates and the
// rejects of the run that loaded it. Notes are left nil: the page
// recomputes them from the stored text.
func (s reviewStore) Document(ctx context.Context, id string) (*review.Document, error) {
	q, err := reviewSQL("document")
	if err != nil {
		return nil, err
	}
	d := &review.Document{}
	var pub sql.NullTime
	err = s.w.db.QueryRowContext(ctx, q, id).Scan(&d.ID, &d.URI, &d.Title, &pub, &d.Text, &d.ExtractorVersion, &d.LoadedRun)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, review.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("warehouse: review document: %w", err)
	}
	d.Published = timeOf(pub)

	rows, err := s.query(ctx, "document_facts", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var f etl.Fact
		var cand bool
		var den sql.NullFloat64
		var qual, unit, evidence sql.NullString
		var start, end sql.NullTime
		var grain string
		var spanStart, spanEnd sql.NullInt64
		var score sql.NullFloat64
		if err := rows.Scan(&cand, &f.ProvinceCode, &f.Indicator, &f.Value, &den, &qual, &unit, &evidence,
			&spanStart, &spanEnd, &score, &start, &end, &grain, &f.Province); err != nil {
			return nil, fmt.Errorf("warehouse: review document facts: %w", err)
		}
		f.Doc = d.ID
		f.Denominator, f.Qualifier, f.Unit, f.Evidence = den.Float64, etl.Qualifier(qual.String), unit.String, evidence.String
		f.SpanStart, f.SpanEnd, f.Score = int(spanStart.Int64), int(spanEnd.Int64), score.Float64
		f.Period = etl.Period{Start: timeOf(start), End: timeOf(end), Grain: etl.Grain(grain)}
		if cand {
			d.Candidates = append(d.Candidates, f)
		} else {
			d.Facts = append(d.Facts, f)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()

	rows, err = s.query(ctx, "document_rejects", id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		r := etl.Reject{Doc: d.ID, URI: d.URI}
		if err := rows.Scan(&r.Stage, &r.Reason, &r.Detail, &r.Snippet); err != nil {
			return nil, fmt.Errorf("warehouse: review document rejects: %w", err)
		}
		d.Rejects = append(d.Rejects, r)
	}
	return d, rows.Err()
}

// Latest returns the latest value of one indicator per province (the rows
// of v_latest) with the evidence of each.
func (s reviewStore) Latest(ctx context.Context, indicator string) ([]review.Latest, error) {
	rows, err := s.query(ctx, "latest_by_indicator", indicator)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []review.Latest
	for rows.Next() {
		var l review.Latest
		var q string
		var ps, pe sql.NullTime
		if err := rows.Scan(&l.ProvinceCode, &l.Province, &l.Indicator, &l.Unit, &l.Value, &q, &ps, &pe,
			&l.Doc, &l.Evidence, &l.SpanStart, &l.SpanEnd); err != nil {
			return nil, fmt.Errorf("warehouse: review latest: %w", err)
		}
		l.Qualifier = etl.Qualifier(q)
		l.PeriodStart, l.PeriodEnd = timeOf(ps), timeOf(pe)
		out = append(out, l)
	}
	return out, rows.Err()
}
